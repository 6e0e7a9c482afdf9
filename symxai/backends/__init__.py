"""Backends: turn one model input into a batched set function over its features."""

from typing import Any

from symxai.backends.base import (
    Backend,
    BackendEntry,
    available_backends,
    get_backend,
    register_backend,
)
from symxai.backends.perturbation import PerturbationBackend, select_target


def _gnn_lrp(model: Any, inputs: Any, **options: Any) -> Backend:
    """GNN-LRP factory; imports torch_geometric only when a graph model is explained."""
    from symxai.backends.gnn_lrp import GNNLRPBackend

    return GNNLRPBackend(model, inputs, **options)


def _is_graph_model(model: Any, inputs: Any) -> bool:
    """A PyG graph input and a model with message-passing layers."""
    if not type(inputs).__module__.startswith("torch_geometric"):
        return False
    from symxai.backends.gnn_lrp import accepts_graph

    return accepts_graph(model, inputs)


register_backend("perturbation", PerturbationBackend)
register_backend("gnn-lrp", _gnn_lrp, accepts=_is_graph_model)

__all__ = [
    "Backend",
    "BackendEntry",
    "PerturbationBackend",
    "available_backends",
    "get_backend",
    "register_backend",
    "select_target",
]
