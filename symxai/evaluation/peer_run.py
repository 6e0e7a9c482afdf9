"""symxai and its peers on the same inputs, model and explained scalar, in one run.

:func:`~symxai.evaluation.run.evaluate_inputs` with ``peers=(...)`` scores every input
with every *method*: ``symxai`` itself and each named peer.

* ``symxai``: the explainer's per-feature relevance ``R_i`` (the first-order scores) and,
  for a labelled pair ``{i, j}``, its subgraph relevance ``v({i, j})``.
* Graph peers (:func:`symxai.evaluation.peers.available_peers`: GNNExplainer,
  PGExplainer, captum's Integrated Gradients, Saliency and Input x Gradient, gradient x
  input, random) explain the same model's same scalar, the explanation's target
  (``explanation.metadata["target_value"]``; at node level the explained node), on the graph
  ``inputs.model_input()``; they need inputs that are PyG ``Data`` graphs (molecules,
  cells, graphs). A peer that must be trained (PGExplainer) is fitted once, before the
  first input, on the evaluated inputs' graphs or on ``fit_inputs``.
* Attribution peers (:data:`ATTRIBUTION_PEERS`, every domain): ``occlusion``
  ``v(N) - v(N \\ {i})`` and shapiq's ``shapley`` values, both of the removal function
  (the model's real output with features removed); they score features only.

Each method's feature scores order the features (:func:`score_ordering`, descending)
for a deletion and an insertion curve; its feature and pair scores meet the domain's
ground truth where there is one; its CPU seconds (:func:`time.process_time`) are
measured around the whole explanation of one input (symxai: building the explanation,
its feature relevance and its pair values).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symxai.evaluation.ground_truth import pair_scores, walk_pair_scores
from symxai.evaluation.value_function import as_value_function
from symxai.explanation import Explanation

__all__ = [
    "ATTRIBUTION_PEERS",
    "SYMXAI",
    "SYMXAI_PAIR_SCORES",
    "MethodScores",
    "PeerRunner",
    "available_run_peers",
    "is_graph_input",
]

SYMXAI = "symxai"
"""The method name of symxai's own row."""

ATTRIBUTION_PEERS = ("occlusion", "shapley")
"""Peers of every domain: scores of the removal function's features."""


@dataclass(frozen=True)
class MethodScores:
    """One method's scores of one input: ``features`` ``[n]`` (or ``None``), ``pairs``
    ``[P]`` for the ground-truth pairs (or ``None``), and its CPU ``seconds``."""

    method: str
    features: np.ndarray | None
    pairs: np.ndarray | None
    seconds: float


def graph_peers() -> list[str]:
    """The registered graph peers (imports PyG)."""
    from symxai.evaluation.peers import available_peers

    return available_peers()


def available_run_peers() -> list[str]:
    """Every peer name :func:`~symxai.evaluation.run.evaluate_inputs` accepts."""
    return [*graph_peers(), *ATTRIBUTION_PEERS]


def is_graph_input(inputs: Any) -> bool:
    """Whether a prepared input's ``model_input()`` is a PyG ``Data`` graph."""
    model_input = getattr(inputs, "model_input", None)
    if model_input is None:
        return False
    from torch_geometric.data import Data

    return isinstance(model_input(), Data)


def check_peer_names(peers: Sequence[str]) -> None:
    """A clear error for a peer nobody registered (naming the available ones)."""
    known = available_run_peers()
    for name in peers:
        if name not in known:
            raise ValueError(f"unknown peer {name!r}; available: {', '.join(known)}")
    repeated = sorted({name for name in peers if list(peers).count(name) > 1})
    if repeated:
        raise ValueError(f"peer {repeated[0]!r} is named twice")


def explained_node(explanation: Explanation, inputs: Any) -> int | None:
    """The explained node of a node-level input (``None`` at graph level)."""
    node = explanation.metadata.get("node", getattr(inputs, "node", None))
    return None if node is None else int(node)


SYMXAI_PAIR_SCORES = {"subgraph": SYMXAI, "walks": f"{SYMXAI}-walks"}
"""symxai's pair scores by name, and the method name of their row: ``subgraph``, the
subgraph relevance ``v({i, j})``; ``walks``, the relevance of the walks crossing the
edge (:func:`~symxai.evaluation.ground_truth.walk_pair_scores`)."""


def symxai_scores(
    explainer: Explanation,
    relevance: np.ndarray,
    pairs: np.ndarray | None,
    seconds: float,
    pair_score: str = "subgraph",
) -> MethodScores:
    """symxai's row: ``R_i`` and the ``pair_score`` of ``pairs`` (``subgraph``:
    ``v({i, j})``; ``walks``: the crossing walks' relevance); ``seconds`` already spent
    building the explanation and its relevance, plus the pair values."""
    if pair_score not in SYMXAI_PAIR_SCORES:
        raise ValueError(
            f"unknown pair score {pair_score!r}; choose from {', '.join(SYMXAI_PAIR_SCORES)}"
        )
    started = time.process_time()
    if pairs is None:
        values = None
    elif pair_score == "walks":
        values = walk_pair_scores(explainer, pairs)
    else:
        values = pair_scores(explainer, pairs)
    name = SYMXAI_PAIR_SCORES[pair_score]
    return MethodScores(name, relevance, values, seconds + time.process_time() - started)


class PeerRunner:
    """The peers of one run, built and (where needed) trained once.

    ``peers``: peer names (checked up front: unknown names, and graph peers on a domain
    whose inputs are not graphs, are errors); ``domain_name`` names the domain in those
    errors; ``graph_inputs`` says whether the domain's inputs are PyG graphs.
    """

    def __init__(
        self,
        peers: Sequence[str],
        *,
        domain_name: str,
        graph_inputs: bool,
        seed: int = 0,
    ) -> None:
        check_peer_names(peers)
        graph = set(graph_peers())
        if not graph_inputs:
            wrong = [name for name in peers if name in graph]
            if wrong:
                raise ValueError(
                    f"peer {wrong[0]!r} explains graph models, but the {domain_name} "
                    f"domain's inputs are not PyG graphs; peers for it: "
                    f"{', '.join(ATTRIBUTION_PEERS)}"
                )
        self.names = tuple(peers)
        self.seed = seed
        self.notes: list[str] = []
        self._graph = {name: _build_peer(name, seed) for name in peers if name in graph}

    @property
    def needs_training(self) -> list[str]:
        """The graph peers that must be fitted before they explain."""
        return [name for name, peer in self._graph.items() if peer.needs_training]

    def fit(self, model: Any, inputs: Sequence[Any], target: Any, source: str) -> None:
        """Train every peer that needs it on the graphs of ``inputs`` (prepared inputs or
        PyG graphs; node level: each input's explained node); ``source`` says in the
        result's notes which inputs they were."""
        if not self.needs_training:
            return
        graphs = [item.model_input() if hasattr(item, "model_input") else item for item in inputs]
        nodes = [getattr(item, "node", None) for item in inputs]
        indices = None if all(node is None for node in nodes) else [int(n) for n in nodes]
        for name in self.needs_training:
            peer = self._graph[name]
            started = time.process_time()
            peer.fit(model, graphs, target, indices=indices)
            seconds = time.process_time() - started
            epochs = getattr(peer, "epochs", None)
            trained = f"{epochs} epochs, " if epochs is not None else ""
            self.notes.append(
                f"{name}: trained before explaining, on {len(graphs)} graphs ({source}; "
                f"{trained}{seconds:.1f} CPU s, not counted per input)"
            )

    def scores(
        self,
        name: str,
        model: Any,
        inputs: Any,
        explainer: Explanation,
        removal: Explanation,
        target: Any,
        pairs: np.ndarray | None,
    ) -> MethodScores:
        """Peer ``name``'s scores of one input (``pairs``: the ground-truth pairs)."""
        started = time.process_time()
        if name in self._graph:
            explained = self._graph[name].explain(
                model,
                inputs.model_input(),
                explainer.metadata.get("target_value", target),
                np.zeros((0, 2), np.int64) if pairs is None else pairs,
                index=explained_node(explainer, inputs),
            )
            return MethodScores(
                name,
                explained.features,
                None if pairs is None else explained.pairs,
                time.process_time() - started,
            )
        from symxai.evaluation.peers.attribution import occlusion, shapley_values

        function, n = as_value_function(removal)
        if name == "occlusion":
            features = occlusion(function, n)
        else:
            features = shapley_values(function, n, seed=self.seed)
        return MethodScores(name, features, None, time.process_time() - started)


def _build_peer(name: str, seed: int) -> Any:
    """A graph peer by name, seeded where its constructor takes a seed."""
    from symxai.evaluation.peers import get_peer

    try:
        return get_peer(name, seed=seed)
    except TypeError:
        return get_peer(name)
