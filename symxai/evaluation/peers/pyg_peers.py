"""Peers on PyG's own explainers: ``GNNExplainer``, ``PGExplainer`` and ``CaptumExplainer``.

Each runs through ``torch_geometric.explain.Explainer`` on
:class:`~symxai.evaluation.peers.target_model.TargetModel` with
``model_config=dict(mode="regression", task_level="graph" | "node", return_type="raw")``,
so the regressed number is symxai's explained scalar (for instance the logit difference
``f_mutagen - f_nonmutagen``). Masks are ``node_mask_type="attributes"`` (one entry per
node feature) and ``edge_mask_type="object"`` (one per directed edge) where the
algorithm supports them; :mod:`~symxai.evaluation.peers.scores` turns them into node
scores (summed over features) and pair scores (the two directed edges summed).

Sign conventions, as in each method's literature:

* GNNExplainer (Ying et al., NeurIPS 2019): soft masks in :math:`[0, 1]` learnt to keep
  the prediction with a small mask; node scores are sums of feature masks (non-negative).
* PGExplainer (Luo et al., NeurIPS 2020): an MLP over the two endpoint embeddings gives
  a mask in :math:`[0, 1]` per edge, trained once over many graphs; edges only (PyG's
  implementation supports no node-feature masks and only ``explanation_type=
  "phenomenon"``: its target is set to the model's own output, which makes it explain the
  model).
* Integrated Gradients (Sundararajan et al., ICML 2017) and Input x Gradient
  (Shrikumar et al., 2017): signed attributions of node features and edge masks (the
  edge mask's input value is 1, its baseline 0); signed sums.
* Saliency (Simonyan et al., 2014): :math:`|\\partial f / \\partial x|` (captum's
  ``abs=True`` default), non-negative.
"""

from __future__ import annotations

import time
import warnings
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.explain import Explainer
from torch_geometric.explain.algorithm import (
    CaptumExplainer,
    ExplainerAlgorithm,
    GNNExplainer,
    PGExplainer,
)

from symxai.backends.target import Target
from symxai.evaluation.peers.registry import GraphPeer
from symxai.evaluation.peers.scores import PeerScores, node_scores, pair_scores
from symxai.evaluation.peers.target_model import TargetModel, clear_explain_state

__all__ = [
    "CaptumPeer",
    "GNNExplainerPeer",
    "InputXGradientPeer",
    "IntegratedGradientsPeer",
    "PGExplainerPeer",
    "PyGPeer",
    "SaliencyPeer",
]


def _task_level(index: int | None) -> str:
    return "graph" if index is None else "node"


def _model_config(level: str) -> dict[str, str]:
    return {"mode": "regression", "task_level": level, "return_type": "raw"}


class PyGPeer(GraphPeer):
    """A peer that runs one PyG ``ExplainerAlgorithm`` through PyG's ``Explainer``."""

    explanation_type: ClassVar[str] = "model"
    node_mask_type: ClassVar[str | None] = "attributes"

    def __init__(self, *, absolute: bool = False, seed: int = 0) -> None:
        super().__init__(absolute=absolute)
        self.seed = seed

    @abstractmethod
    def _algorithm(self) -> ExplainerAlgorithm:
        """The PyG algorithm of one explanation."""

    def _explainer(self, wrapped: TargetModel, index: int | None) -> Explainer:
        return Explainer(
            wrapped,
            self._algorithm(),
            explanation_type=self.explanation_type,
            node_mask_type=self.node_mask_type,
            edge_mask_type="object",
            model_config=_model_config(_task_level(index)),
        )

    def _call_arguments(self, wrapped: TargetModel, graph: Data) -> dict[str, Any]:
        """Extra keyword arguments of ``Explainer.__call__`` (PGExplainer: the target)."""
        return {}

    def _explain(
        self,
        model: torch.nn.Module,
        graph: Data,
        target: Target,
        pairs: np.ndarray,
        index: int | None,
    ) -> PeerScores:
        wrapped = TargetModel(model, target)
        explainer = self._explainer(wrapped, index)
        clear_explain_state(model)
        start = time.process_time()
        try:
            with torch.random.fork_rng(devices=[]), warnings.catch_warnings():
                # captum notes that it switched on requires_grad for the input: intended
                warnings.filterwarnings("ignore", "Input Tensor .* did not already require")
                torch.manual_seed(self.seed)
                explanation = explainer(
                    graph.x,
                    graph.edge_index,
                    index=index,
                    **self._call_arguments(wrapped, graph),
                )
        finally:
            clear_explain_state(model)
        seconds = time.process_time() - start
        node_mask = explanation.get("node_mask")
        edge_mask = explanation.get("edge_mask")
        num_nodes = int(graph.num_nodes)
        return PeerScores(
            features=None if node_mask is None else node_scores(node_mask.detach().numpy()),
            pairs=None
            if edge_mask is None
            else pair_scores(
                edge_mask.detach().numpy(), graph.edge_index.numpy(), pairs, num_nodes
            ),
            seconds=seconds,
        )


class GNNExplainerPeer(PyGPeer):
    """PyG's ``GNNExplainer`` with its defaults (100 epochs, lr 0.01), seeded."""

    name = "gnnexplainer"
    label = "GNNExplainer (PyG)"

    def __init__(self, *, absolute: bool = False, seed: int = 0, epochs: int = 100) -> None:
        super().__init__(absolute=absolute, seed=seed)
        self.epochs = epochs

    def _algorithm(self) -> ExplainerAlgorithm:
        return GNNExplainer(epochs=self.epochs)


class PGExplainerPeer(PyGPeer):
    """PyG's ``PGExplainer`` (edge masks only), trained by :meth:`fit` on many graphs.

    Training follows PyG's example: ``epochs`` passes over the training graphs, one
    optimiser step per graph, learning rate ``lr`` (PyG's default 0.003), its default
    size and entropy coefficients. The target of every graph is the model's own output
    (``explanation_type="phenomenon"`` with the prediction as the phenomenon).
    """

    name = "pgexplainer"
    label = "PGExplainer (PyG)"
    needs_training = True
    explanation_type = "phenomenon"
    node_mask_type = None

    def __init__(
        self, *, absolute: bool = False, seed: int = 0, epochs: int = 30, lr: float = 0.003
    ) -> None:
        super().__init__(absolute=absolute, seed=seed)
        self.epochs = epochs
        self.lr = lr
        self._trained: PGExplainer | None = None
        self._task_level: str | None = None

    def fit(
        self,
        model: torch.nn.Module,
        graphs: Sequence[Data],
        target: Target,
        *,
        indices: Sequence[int] | None = None,
    ) -> None:
        """Train the explainer MLP on ``graphs`` (node level: on node ``indices[k]``)."""
        if indices is not None and len(indices) != len(graphs):
            raise ValueError(f"{len(indices)} indices for {len(graphs)} graphs")
        if not graphs:
            raise ValueError("PGExplainer needs at least one training graph")
        wrapped = TargetModel(model, target)
        level = "graph" if indices is None else "node"
        with torch.random.fork_rng(devices=[]), warnings.catch_warnings():
            # PyG's PGExplainer.train returns float(loss) of a tensor that requires grad
            warnings.filterwarnings("ignore", "Converting a tensor with requires_grad=True")
            torch.manual_seed(self.seed)
            algorithm = PGExplainer(epochs=self.epochs, lr=self.lr)
            explainer = Explainer(
                wrapped,
                algorithm,
                explanation_type="phenomenon",
                edge_mask_type="object",
                model_config=_model_config(level),
            )
            was_training = model.training
            model.eval()
            clear_explain_state(model)
            try:
                targets = [self._own_output(wrapped, graph) for graph in graphs]
                for epoch in range(self.epochs):
                    for position, graph in enumerate(graphs):
                        explainer.algorithm.train(
                            epoch,
                            wrapped,
                            graph.x,
                            graph.edge_index,
                            target=targets[position],
                            index=None if indices is None else int(indices[position]),
                        )
            finally:
                clear_explain_state(model)
                model.train(was_training)
        self._trained = algorithm
        self._task_level = level

    @staticmethod
    def _own_output(wrapped: TargetModel, graph: Data) -> torch.Tensor:
        with torch.no_grad():
            return wrapped(graph.x, graph.edge_index).detach()

    def _algorithm(self) -> ExplainerAlgorithm:
        if self._trained is None:
            raise RuntimeError("PGExplainer is not trained: call fit(model, graphs, target)")
        return self._trained

    def _explainer(self, wrapped: TargetModel, index: int | None) -> Explainer:
        level = _task_level(index)
        if self._task_level is not None and level != self._task_level:
            raise ValueError(f"PGExplainer was trained at {self._task_level} level, not {level}")
        return super()._explainer(wrapped, index)

    def _call_arguments(self, wrapped: TargetModel, graph: Data) -> dict[str, Any]:
        return {"target": self._own_output(wrapped, graph)}


class CaptumPeer(PyGPeer):
    """PyG's ``CaptumExplainer`` running one captum attribution method on node features
    and edge masks together."""

    method: ClassVar[str]

    def _algorithm(self) -> ExplainerAlgorithm:
        return CaptumExplainer(self.method)


class IntegratedGradientsPeer(CaptumPeer):
    """Integrated Gradients (captum defaults: 50 steps, zero baseline), signed."""

    name = "integrated-gradients"
    label = "Integrated Gradients (captum via PyG)"
    method = "IntegratedGradients"


class SaliencyPeer(CaptumPeer):
    """Saliency :math:`|\\partial f / \\partial x|` (captum's ``abs=True``)."""

    name = "saliency"
    label = "Saliency (captum via PyG)"
    method = "Saliency"


class InputXGradientPeer(CaptumPeer):
    """Input x Gradient :math:`x \\odot \\partial f / \\partial x`, signed."""

    name = "input-x-gradient"
    label = "Input x Gradient (captum via PyG)"
    method = "InputXGradient"
