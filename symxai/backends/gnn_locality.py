"""Which PyG models mix node states only by message passing (so GNN-LRP dividends are
zero off the connected coalitions).

GNN-LRP's subgraph relevance is ``v(S) = sum_i x_i · ∂_{x_i} f^LRP_S`` with the gradient
masked to ``S`` at the input and after every message-passing layer call. The backward
pass is linear in the output gradient, so it is a sum over gradient paths through the
node states; a path changes node only inside a message-passing call, along one edge of
``edge_index`` (or stays at its node), and every node it reaches is masked there. So
``v(S) = sum_{W ⊆ S} R_W`` over walks along the edges and ``mu(L) = 0`` unless ``L`` is
connected and ``|L| <= T + 1`` (:mod:`symxai.backends.coalition_graph`), **provided**

* every message-passing layer mixes a node only with its ``edge_index`` neighbours in one
  call (not K-hop propagation such as ``ChebConv``/``SGConv``/``APPNP``, not a graph built
  inside the layer such as ``DynamicEdgeConv``), and
* everything else the model does to node states is node-wise (linear layers,
  activations, dropout, batch normalisation in eval mode, per-node layer norm) until a
  final readout (pooling) to the output. An ``nn.Embedding`` is a row-wise lookup of
  integer features (an atom or bond encoder) and mixes no node states.

:func:`locality_refusal` checks the first by an allow-list of layer classes and the
second by an allow-list of module classes (normalisation over the graph, global
attention, unknown modules: refused, also BatchNorm in training mode). The root module's
own ``forward`` cannot be read: a node-mixing step written with functions (a virtual
node from ``global_add_pool``) is caught by the numerical check of non-adjacent pairs
(:class:`~symxai.backends.coalition_graph.CoalitionGraph.check_pairs`).
"""

from __future__ import annotations

import torch

__all__ = ["locality_refusal"]

_LOCAL_MESSAGE_PASSING = (
    "GINConv",
    "GINEConv",
    "GCNConv",
    "GraphConv",
    "SAGEConv",
    "GATConv",
    "GATv2Conv",
    "LEConv",
    "ResGatedGraphConv",
    "TransformerConv",
    "EdgeConv",
    "NNConv",
    "CGConv",
)
"""PyG layers that combine each node with its ``edge_index`` neighbours once per call."""

_NEIGHBOUR_AGGREGATIONS = (
    "SumAggregation",
    "MeanAggregation",
    "MaxAggregation",
    "MinAggregation",
    "MulAggregation",
)
"""Aggregations a message-passing layer uses over each node's incoming messages."""

_NODE_WISE_TORCH = (
    torch.nn.Linear,
    torch.nn.Bilinear,
    torch.nn.Embedding,
    torch.nn.Identity,
    torch.nn.Sequential,
    torch.nn.ModuleList,
    torch.nn.ModuleDict,
    torch.nn.Dropout,
    torch.nn.LayerNorm,
    torch.nn.ReLU,
    torch.nn.LeakyReLU,
    torch.nn.PReLU,
    torch.nn.ELU,
    torch.nn.SELU,
    torch.nn.CELU,
    torch.nn.GELU,
    torch.nn.SiLU,
    torch.nn.Mish,
    torch.nn.Tanh,
    torch.nn.Sigmoid,
    torch.nn.Softplus,
    torch.nn.Hardtanh,
)
"""torch modules that act on every node (row) separately."""

_BATCH_NORMS = (torch.nn.BatchNorm1d,)
"""Node-wise in eval mode (running statistics); mixing over the graph when training."""


def _node_wise(module: torch.nn.Module) -> str | None:
    import torch_geometric.nn as pyg

    if isinstance(module, (_BATCH_NORMS, pyg.BatchNorm)):
        if module.training:
            return f"{type(module).__name__} in training mode normalises over the graph"
        return None
    if isinstance(module, pyg.LayerNorm):
        mode = getattr(module, "mode", "graph")
        return None if mode == "node" else f"LayerNorm(mode={mode!r}) normalises over the graph"
    if isinstance(module, (*_NODE_WISE_TORCH, pyg.Linear, pyg.MLP)):
        return None
    if type(module).__name__ in _NEIGHBOUR_AGGREGATIONS:
        return None
    return f"{type(module).__name__} is not known to act on each node separately"


def locality_refusal(model: torch.nn.Module) -> str | None:
    """Why the dividends of ``model`` may be non-zero off the connected coalitions, or
    ``None`` when every submodule is on the allow-lists (see the module docstring).

    Conservative: an unknown module class is a refusal, and the root module's ``forward``
    is left to the numerical check of non-adjacent pairs."""
    from torch_geometric.nn import MessagePassing

    for name, module in model.named_modules():
        if module is model:
            continue
        if isinstance(module, MessagePassing):
            if type(module).__name__ not in _LOCAL_MESSAGE_PASSING:
                return f"{name}: {type(module).__name__} is not known to pass messages one hop"
            continue
        reason = _node_wise(module)
        if reason is not None:
            return f"{name}: {reason}"
    return None
