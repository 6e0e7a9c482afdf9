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
    """GNN-LRP factory; imports torch_geometric only when a graph model is explained.

    ``inputs`` is a PyG graph, or a domain object with ``to_data()`` and
    ``feature_space()`` (a molecule), whose feature space then names the nodes.
    """
    from symxai.backends.gnn_lrp import GNNLRPBackend

    if hasattr(inputs, "to_data") and hasattr(inputs, "feature_space"):
        backend = GNNLRPBackend(model, inputs.to_data(), **options)
        backend.space = inputs.feature_space()
        return backend
    return GNNLRPBackend(model, inputs, **options)


def _is_graph_model(model: Any, inputs: Any) -> bool:
    """A PyG graph (or an object convertible to one) and a model with message passing."""
    if hasattr(inputs, "to_data") and hasattr(inputs, "feature_space"):
        inputs = inputs.to_data()
    if not type(inputs).__module__.startswith("torch_geometric"):
        return False
    from symxai.backends.gnn_lrp import accepts_graph

    return accepts_graph(model, inputs)


def _perturbation(model: Any, inputs: Any, **options: Any) -> Backend:
    """Perturbation factory: graphs and molecules go to the graph version, ``ase.Atoms``
    to the structure version (each imports its libraries only then), everything else to
    the tensor version."""
    from symxai.backends.graph_perturbation import GraphPerturbationBackend, is_graph_input
    from symxai.backends.structure_perturbation import (
        StructurePerturbationBackend,
        is_structure_input,
    )

    if is_graph_input(inputs):
        return GraphPerturbationBackend(model, inputs, **options)
    if is_structure_input(inputs):
        return StructurePerturbationBackend(model, inputs, **options)
    return PerturbationBackend(model, inputs, **options)


register_backend(
    "perturbation",
    _perturbation,
    default_space=lambda backend: getattr(backend, "space", None),
)
register_backend(
    "gnn-lrp",
    _gnn_lrp,
    accepts=_is_graph_model,
    default_space=lambda backend: getattr(backend, "space", None),
)

__all__ = [
    "Backend",
    "BackendEntry",
    "PerturbationBackend",
    "available_backends",
    "get_backend",
    "register_backend",
    "select_target",
]
