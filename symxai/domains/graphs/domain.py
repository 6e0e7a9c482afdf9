"""The ``graphs`` domain: synthetic graphs with planted motifs, explained by GINs.

Data sets: ``ba-2motif`` (1,000 graphs of 25 nodes, a house or a 5-cycle attached to a
Barabási–Albert tree; graph classification) and ``ba-shapes`` (one Barabási–Albert graph
of 300 nodes with 80 houses; node classification), generated locally
(:mod:`symxai.data.motifs`). Inputs are named ``ba-2motif:17`` and
``ba-shapes:node:305`` (:mod:`~symxai.domains.graphs.sources`). Models, by the same
names: ``ba-2motif`` (graph-level :class:`~symxai.models.GIN`) and ``ba-shapes``
(node-level :class:`~symxai.models.NodeGIN`), shipped
(:mod:`symxai.training.motifs`). Backends: ``gnn-lrp`` (batched over the inputs of a
chunk is not offered: the graphs are small) and ``perturbation`` (``baseline``: node
features set to zero, the default; ``remove``: nodes deleted with their edges, graph
level only).

Features are the nodes (``n0 .. n24``; for a node, its computation graph); the atoms
``motif`` and ``base`` name the planted motif's nodes and the others. The default
target ``true-class`` (:data:`TRUE_CLASS`) explains each input's own class: the graph's
class logit, or the target node's. The ground truth
(:meth:`GraphDomain.ground_truth`) is the motif: its nodes, and its edges among the
input's undirected edges.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from symxai.domains.graphs.explain import BACKENDS, explain_graph
from symxai.domains.graphs.graph_input import GraphInput
from symxai.domains.graphs.sources import DATASETS, class_names, graph_input, graph_records
from symxai.domains.registry import Domain, DomainError, GroundTruth, InputRecord
from symxai.explanation import Explanation
from symxai.query.ast import Atom

__all__ = ["TRUE_CLASS", "GraphDomain"]

TRUE_CLASS = -1
"""The default target's value: each input's own class (a report explains every input
with one target; graphs of both classes need their own class's logit)."""

_MODELS = ("ba-2motif", "ba-shapes")


@functools.cache
def _model(name: str) -> Any:
    from symxai.training.motifs import load_ba2motif_gin, load_bashapes_gin

    if name == "ba-2motif":
        return load_ba2motif_gin().model
    if name == "ba-shapes":
        return load_bashapes_gin().model
    raise DomainError(f"graph model {name!r} is not one of {', '.join(_MODELS)}")


class GraphDomain(Domain):
    """Motif benchmarks explained with GNN-LRP or perturbation (module docstring)."""

    name = "graphs"
    description = (
        "Synthetic graphs with planted motifs (BA-2motif, BA-shapes) explained by GINs; "
        "nodes are the features."
    )
    default_data = "ba-2motif"
    datasets = DATASETS
    models = _MODELS
    backends = BACKENDS
    perturbations = ("baseline", "remove")

    def load_inputs(self, data: str) -> list[InputRecord]:
        return graph_records(data)

    def class_names(self, data: str) -> dict[Any, str]:
        return class_names(data) if data in DATASETS else {}

    def prepare(self, text: str) -> Any:
        return graph_input(text)

    def load_model(self, name_or_path: str) -> Any:
        return _model(name_or_path)

    def output_count(self, model: Any) -> int | None:
        """Unknown up front: the default target is no class index (:data:`TRUE_CLASS`)."""
        return None

    def output_names(self, model: str) -> dict[int, str]:
        names: dict[int, str] = {TRUE_CLASS: "true class"}
        if model in _MODELS:
            names.update(class_names(model))
        return names

    def default_target(self) -> tuple[str, Any]:
        return "true-class", TRUE_CLASS

    def explain(
        self,
        inputs: Any,
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
        perturbation: str | None = None,
    ) -> Explanation:
        return explain_graph(
            inputs,
            model,
            target=None if target == TRUE_CLASS else target,
            missing=missing,
            backend=backend,
            perturbation=perturbation or self.perturbations[0],  # type: ignore[arg-type]
        )

    def ground_truth(self, data: str, record: InputRecord, inputs: Any) -> GroundTruth | None:
        """The planted motif: its nodes (``features``) and the input's undirected edges
        labelled by whether they are motif edges."""
        if not isinstance(inputs, GraphInput):
            return None
        pairs, labels = inputs.edge_pairs()
        return GroundTruth(features=inputs.node_mask.copy(), pairs=pairs, pair_labels=labels)

    def check_atom(self, atom: Atom) -> tuple[str, Sequence[str]] | None:
        """Bare names other than ``motif``, ``base`` or a node name ``n<index>``."""
        value = str(atom.value)
        if atom.kind == "text":
            return f"{atom}: graph nodes have no text; write motif, base or a node name", ()
        node_name = value.startswith("n") and value[1:].isdigit()
        if atom.kind == "name" and value not in ("motif", "base") and not node_name:
            return f"{atom} is neither motif, base nor a node name such as n3", ()
        return None

    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        from symxai.domains.graphs.drawing import draw_graph  # loads matplotlib

        return draw_graph(
            explanation.metadata["graph"], self.feature_relevance(explanation), path, legend=legend
        )
