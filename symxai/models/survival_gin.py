"""A GIN survival model for cell graphs: graph log hazard plus a stage term.

The model predicts a patient's log relative hazard (Cox proportional hazards) from the
cell graph of a tissue core (a node per cell, phenotype one-hot features, kNN edges):

.. math::  \\log \\lambda = g(\\mathcal G) + \\beta \\, \\mathrm{stage},
           \\qquad g(\\mathcal G) = w^\\top \\operatorname{pool}_i h_i^{(T)},

with ``T`` GIN layers (``torch_geometric.nn.GINConv``, Xu et al., ICLR 2019)
``h_i^{(t)} = \\mathrm{ReLU}(\\mathrm{MLP}_t(h_i^{(t-1)} + \\sum_{j \\in N(i)} h_j^{(t-1)}))``,
a global sum or mean pooling and a linear read-out ``w`` to one number, the *graph part*
``g``. The stage enters apart, as a covariate with its own coefficient ``beta``, so the
graph part is what the cells say beyond the stage.

**What GNN-LRP explains.** ``forward(x, edge_index, batch, stage=None)`` returns the graph
part when no stage is given, and the full log hazard when it is. symxai's GNN-LRP backend
calls a model with its graph arguments only (``x``, ``edge_index``, ``batch``), so
``symxai.explain(model, data)`` explains the graph part ``g``: the stage term does not
depend on the cells and would otherwise be an unexplained offset.

**Variants** (``variant=``):

* ``"lrp"`` (default): no bias anywhere in the graph part and no normalisation, so the
  network is piecewise linear and positively homogeneous and LRP-0 conserves relevance
  exactly: the subgraph relevance of all cells ``v(N)`` equals ``g``. No expressivity is
  lost to a constant: the Cox likelihood ignores an additive constant in the log hazard,
  and the one-hot features sum to one on every cell, which gives the first layer a
  per-cell constant to work with.
* ``"xcg"``: the explainable-cell-graphs architecture (Sextro, Dernbach et al., ML4H 2024):
  biases, BatchNorm inside each GIN MLP and residual connections between layers of equal
  width. Biases and BatchNorm shifts absorb part of the output, so ``v(N) != g``; the
  difference is GNN-LRP's ``bias_absorption``. The residual path is outside the hooked
  ``GINConv`` output, so its walks take a self-step that carries the mask of the previous
  layer; with one mask for every layer (subgraph relevance) this is the same.

``TopKPooling`` (as in some xCG configurations) keeps a changing subset of nodes between
layers, which GNN-LRP's per-layer node masks cannot follow; it is refused with an error
that names the alternative (global pooling).
"""

from __future__ import annotations

from typing import Any

import torch
from torch_geometric.nn import BatchNorm, GINConv, global_add_pool, global_mean_pool

__all__ = ["SURVIVAL_POOLING", "SURVIVAL_VARIANTS", "SurvivalGIN"]

SURVIVAL_POOLING = {"add": global_add_pool, "mean": global_mean_pool}
"""Global poolings the survival GIN offers (both keep every node, so GNN-LRP applies)."""

SURVIVAL_VARIANTS = ("lrp", "xcg")
"""``"lrp"``: bias-free, no BatchNorm (relevance conserved); ``"xcg"``: biases, BatchNorm,
residual connections (relevance partly absorbed)."""

_NODE_DROPPING_POOLING = ("topk", "topkpooling", "sag", "sagpooling")


def _refuse_node_dropping_pooling(pooling: str) -> None:
    if pooling.lower().replace("_", "") in _NODE_DROPPING_POOLING:
        raise ValueError(
            f"pooling={pooling!r} is refused: TopKPooling/SAGPooling keep a different subset "
            "of cells after each layer, which GNN-LRP's per-layer node masks cannot follow. "
            "Use global pooling instead: pooling='mean' or pooling='add' (every cell kept)."
        )
    if pooling not in SURVIVAL_POOLING:
        raise ValueError(f"pooling must be one of {sorted(SURVIVAL_POOLING)}, got {pooling!r}")


class SurvivalGIN(torch.nn.Module):
    """GIN layers -> global pooling -> linear to a scalar graph log hazard, plus ``beta * stage``.

    Parameters
    ----------
    in_channels:
        Node feature width (17 phenotypes for the LUAD vocabulary).
    hidden:
        Width of every GIN layer.
    num_layers:
        Number of ``GINConv`` layers (message-passing steps; walks have this many steps).
    pooling:
        ``"mean"`` (default: the risk does not grow with the number of cells in a core)
        or ``"add"``. ``"topk"`` is refused (see the module docstring).
    variant:
        ``"lrp"`` (default, relevance conserved) or ``"xcg"`` (biases, BatchNorm, residuals).
    stage:
        Whether the log hazard has the covariate term ``beta * stage``.
    """

    def __init__(
        self,
        in_channels: int,
        hidden: int = 16,
        num_layers: int = 3,
        pooling: str = "mean",
        variant: str = "lrp",
        stage: bool = True,
    ) -> None:
        super().__init__()
        _refuse_node_dropping_pooling(pooling)
        if variant not in SURVIVAL_VARIANTS:
            raise ValueError(f"variant must be one of {SURVIVAL_VARIANTS}, got {variant!r}")
        if num_layers < 1:
            raise ValueError(f"num_layers must be at least 1, got {num_layers}")
        self.config: dict[str, Any] = {
            "in_channels": in_channels,
            "hidden": hidden,
            "num_layers": num_layers,
            "pooling": pooling,
            "variant": variant,
            "stage": stage,
        }
        biased = variant == "xcg"
        self.convs = torch.nn.ModuleList(
            GINConv(self._mlp(in_channels if layer == 0 else hidden, hidden, biased))
            for layer in range(num_layers)
        )
        self.residual = [
            biased and (layer > 0 or in_channels == hidden) for layer in range(num_layers)
        ]
        self.pool = SURVIVAL_POOLING[pooling]
        self.head = torch.nn.Linear(hidden, 1, bias=biased)
        self.stage_coefficient = torch.nn.Parameter(torch.zeros(1)) if stage else None

    @staticmethod
    def _mlp(width_in: int, width_out: int, biased: bool) -> torch.nn.Sequential:
        """``Linear -> ReLU -> Linear`` without biases (lrp), or
        ``Linear -> BatchNorm -> ReLU -> Linear`` with biases (xcg)."""
        if not biased:
            return torch.nn.Sequential(
                torch.nn.Linear(width_in, width_out, bias=False),
                torch.nn.ReLU(),
                torch.nn.Linear(width_out, width_out, bias=False),
            )
        return torch.nn.Sequential(
            torch.nn.Linear(width_in, width_out),
            BatchNorm(width_out),
            torch.nn.ReLU(),
            torch.nn.Linear(width_out, width_out),
        )

    @property
    def variant(self) -> str:
        return str(self.config["variant"])

    def graph_part(
        self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The graph log hazard ``g`` of every graph, shape ``[num_graphs]`` (what LRP explains)."""
        if batch is None:
            batch = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
        h = x
        for conv, residual in zip(self.convs, self.residual, strict=True):
            out = conv(h, edge_index).relu()
            h = out + h if residual else out
        return self.head(self.pool(h, batch)).reshape(-1)

    def stage_term(self, stage: torch.Tensor) -> torch.Tensor:
        """``beta * stage`` per graph (zero when the model has no stage covariate)."""
        stage = torch.as_tensor(stage).reshape(-1)
        if self.stage_coefficient is None:
            return torch.zeros(stage.shape[0], dtype=torch.get_default_dtype())
        return self.stage_coefficient * stage.to(self.stage_coefficient.dtype)

    def forward(
        self,
        x: torch.Tensor,
        edge_index: torch.Tensor,
        batch: torch.Tensor | None = None,
        stage: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``[num_graphs]``: the graph part ``g``, plus ``beta * stage`` when ``stage`` is given."""
        graph = self.graph_part(x, edge_index, batch)
        if stage is None:
            return graph
        return graph + self.stage_term(stage).to(graph.device)

    def log_hazard(self, data: Any) -> torch.Tensor:
        """Full log hazard ``g + beta * stage`` of a PyG ``Data``/``Batch`` (``data.stage``
        is required when the model has a stage covariate)."""
        stage = getattr(data, "stage", None)
        if self.stage_coefficient is not None and stage is None:
            raise ValueError(
                "this SurvivalGIN has a stage covariate: the graphs need a graph-level "
                "'stage' attribute (or build the model with stage=False)"
            )
        batch = getattr(data, "batch", None)
        if self.stage_coefficient is None:
            return self.graph_part(data.x, data.edge_index, batch)
        return self(data.x, data.edge_index, batch, stage)
