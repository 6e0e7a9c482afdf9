"""A graph-level GIN built from ``torch_geometric.nn`` layers.

Graph Isomorphism Network (Xu et al., ICLR 2019): each layer computes

.. math::  h_i^{(t)} = \\mathrm{ReLU}\\Bigl(\\mathrm{MLP}_t\\bigl((1 + \\epsilon) h_i^{(t-1)}
           + \\sum_{j \\in \\mathcal N(i)} h_j^{(t-1)}\\bigr)\\Bigr),

with ``MLP_t = Linear -> ReLU -> Linear`` (``torch_geometric.nn.GINConv``), then a global
sum (or mean / max) pooling and a linear head. Every operation is one GNN-LRP covers.
"""

from __future__ import annotations

import torch
from torch_geometric.nn import GINConv, global_add_pool, global_max_pool, global_mean_pool

__all__ = ["GIN", "gin_convs"]

_POOLING = {"add": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}


def gin_convs(in_channels: int, hidden: int, num_layers: int) -> torch.nn.ModuleList:
    """``num_layers`` ``GINConv`` layers of width ``hidden``, each with the MLP
    ``Linear -> ReLU -> Linear`` (the message-passing stack of the shipped GINs)."""
    return torch.nn.ModuleList(
        GINConv(
            torch.nn.Sequential(
                torch.nn.Linear(in_channels if layer == 0 else hidden, hidden),
                torch.nn.ReLU(),
                torch.nn.Linear(hidden, hidden),
            )
        )
        for layer in range(num_layers)
    )


class GIN(torch.nn.Module):
    """``num_layers`` GINConv layers of width ``hidden``, graph pooling, linear head."""

    def __init__(
        self,
        in_channels: int,
        hidden: int = 64,
        num_layers: int = 3,
        out_channels: int = 2,
        pooling: str = "add",
    ) -> None:
        super().__init__()
        if pooling not in _POOLING:
            raise ValueError(f"pooling must be one of {sorted(_POOLING)}, got {pooling!r}")
        self.config = {
            "in_channels": in_channels,
            "hidden": hidden,
            "num_layers": num_layers,
            "out_channels": out_channels,
            "pooling": pooling,
        }
        self.convs = gin_convs(in_channels, hidden, num_layers)
        self.pool = _POOLING[pooling]
        self.head = torch.nn.Linear(hidden, out_channels)

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits ``[num_graphs, out_channels]``."""
        if batch is None:
            batch = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
        for conv in self.convs:
            x = conv(x, edge_index).relu()
        return self.head(self.pool(x, batch))
