"""Gradient x input on node features, with plain ``torch.autograd``.

For the explained scalar :math:`f` (:class:`~symxai.evaluation.peers.target_model.TargetModel`)
and node features :math:`x \\in \\mathbb R^{n \\times d}`, the node score is

.. math::  s_i = \\sum_{k=1}^{d} x_{ik} \\, \\frac{\\partial f}{\\partial x_{ik}},

signed (Shrikumar et al., 2017; Baldassarre & Azizpour, 2019, for graphs). The method
has no edge input, so a pair is scored by its two nodes: :math:`e_{ij} = s_i + s_j`.
One forward and one backward pass per graph.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch_geometric.data import Data

from symxai.backends.target import Target
from symxai.evaluation.peers.registry import GraphPeer
from symxai.evaluation.peers.scores import PeerScores, check_pairs
from symxai.evaluation.peers.target_model import TargetModel, clear_explain_state

__all__ = ["GradientInputPeer", "gradient_x_input"]


def gradient_x_input(
    model: torch.nn.Module, graph: Data, target: Target, index: int | None = None
) -> np.ndarray:
    """``[n]`` node scores :math:`\\sum_k x_{ik} \\partial f / \\partial x_{ik}` of the
    target of ``graph`` (of node ``index`` for node-level tasks)."""
    clear_explain_state(model)
    wrapped = TargetModel(model, target)
    features = graph.x.detach().clone().float().requires_grad_(True)
    output = wrapped(features, graph.edge_index)
    selected = output[0] if index is None else output[int(index)]
    (gradient,) = torch.autograd.grad(selected, features)
    return (gradient * features).detach().sum(dim=1).double().numpy()


class GradientInputPeer(GraphPeer):
    """Gradient x input on node features (pairs: the sum of their two node scores)."""

    name = "gradient-x-input"
    label = "Gradient x input (autograd)"

    def _explain(
        self,
        model: torch.nn.Module,
        graph: Data,
        target: Target,
        pairs: np.ndarray,
        index: int | None,
    ) -> PeerScores:
        pairs = check_pairs(pairs, int(graph.num_nodes))
        was_training = model.training
        model.eval()
        start = time.process_time()
        try:
            scores = gradient_x_input(model, graph, target, index)
        finally:
            model.train(was_training)
        seconds = time.process_time() - start
        return PeerScores(
            features=scores, pairs=scores[pairs[:, 0]] + scores[pairs[:, 1]], seconds=seconds
        )
