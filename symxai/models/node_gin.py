"""A node-level GIN built from ``torch_geometric.nn`` layers.

The message-passing part of :class:`~symxai.models.gin.GIN` (``num_layers`` GINConv
layers, each ``MLP_t((1 + eps) h_i + sum_{j in N(i)} h_j)`` followed by ReLU, with
``MLP_t = Linear -> ReLU -> Linear``) and a linear head applied to every node, so the
output is one row of logits per node. Node ``i``'s output depends only on the nodes
within ``num_layers`` hops of ``i`` (its computation graph). Every operation is one
GNN-LRP covers (explained with ``node=i``).
"""

from __future__ import annotations

import torch

from symxai.models.gin import gin_convs

__all__ = ["NodeGIN"]


class NodeGIN(torch.nn.Module):
    """``num_layers`` GINConv layers of width ``hidden`` and a linear head per node."""

    def __init__(
        self, in_channels: int, hidden: int = 32, num_layers: int = 3, out_channels: int = 4
    ) -> None:
        super().__init__()
        self.config = {
            "in_channels": in_channels,
            "hidden": hidden,
            "num_layers": num_layers,
            "out_channels": out_channels,
        }
        self.convs = gin_convs(in_channels, hidden, num_layers)
        self.head = torch.nn.Linear(hidden, out_channels)

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits ``[num_nodes, out_channels]`` (``batch`` is accepted and unused)."""
        for conv in self.convs:
            x = conv(x, edge_index).relu()
        return self.head(x)
