"""One node's output of a node-level graph model, as a graph-level model.

The graph perturbation backend (:mod:`symxai.backends.graph_perturbation`) evaluates a
graph-level model on a batch of graph copies, one output row per copy. A node-level
model returns one row per *node*; :class:`TargetNodeOutput` keeps, for every copy of a
batch, the row of the node at position ``node`` inside that copy (copy ``g`` spans the
nodes ``ptr[g] .. ptr[g+1]-1``, so that row is ``ptr[g] + node``). This is only
meaningful when every copy keeps all its nodes, i.e. for ``perturbation="baseline"``
(features replaced): under ``"remove"`` the positions shift, so the graphs domain
explains node-level outputs by perturbation with the baseline only.
"""

from __future__ import annotations

import torch

__all__ = ["TargetNodeOutput"]


class TargetNodeOutput(torch.nn.Module):
    """``forward(x, edge_index, batch)`` -> ``model(x, edge_index)`` at node ``node`` of
    every graph of the batch ``[num_graphs, out]``."""

    def __init__(self, model: torch.nn.Module, node: int) -> None:
        super().__init__()
        self.model = model
        self.node = int(node)

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor | None = None
    ) -> torch.Tensor:
        output = self.model(x, edge_index)
        if batch is None:
            return output[self.node : self.node + 1]
        counts = torch.bincount(batch)
        starts = torch.cat([counts.new_zeros(1), counts.cumsum(0)[:-1]])
        return output[starts + self.node]
