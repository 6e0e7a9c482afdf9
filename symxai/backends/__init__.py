"""Backends: turn one model input into a batched set function over its features."""

from collections.abc import Mapping
from typing import Any

from symxai.backends.base import (
    Backend,
    BackendCapabilityError,
    BackendEntry,
    available_backends,
    get_backend,
    register_backend,
)
from symxai.backends.dividends import Dividends
from symxai.backends.naming import FeatureNames
from symxai.backends.perturbation import PerturbationBackend
from symxai.backends.target import Target, select_target


def _gnn_lrp(model: Any, inputs: Any, **options: Any) -> Backend:
    """GNN-LRP factory for a PyG graph; imports torch_geometric only when a graph model
    is explained."""
    from symxai.backends.gnn_lrp import GNNLRPBackend

    return GNNLRPBackend(model, inputs, **options)


def _is_graph_model(model: Any, inputs: Any) -> bool:
    """A PyG graph and a model with message-passing layers."""
    if not type(inputs).__module__.startswith("torch_geometric"):
        return False
    from symxai.backends.gnn_lrp import accepts_graph

    return accepts_graph(model, inputs)


def _transformer_lrp(model: Any, inputs: Any, **options: Any) -> Backend:
    """Transformer-LRP factory; imports the backend only when a transformer is explained."""
    from symxai.backends.transformer_lrp import TransformerLRPBackend

    return TransformerLRPBackend(model, inputs, **options)


def _is_transformer(model: Any, inputs: Any) -> bool:
    """A Hugging Face model (its class comes from ``transformers``: BERT, ViT, ...) and its
    keyword tensors (``input_ids``/``pixel_values`` ...); checked without importing it."""
    return type(model).__module__.startswith("transformers.") and isinstance(inputs, Mapping)


def _schnet_lrp(model: Any, inputs: Any, **options: Any) -> Backend:
    """SchNet-LRP factory for one structure (``ase.Atoms`` or anything with
    ``get_atomic_numbers()`` and ``get_positions()``); atoms named ``C0 C1 O2 ..``."""
    from symxai.backends.schnet_lrp import SchNetLRPBackend

    backend = SchNetLRPBackend(
        model, inputs.get_atomic_numbers(), inputs.get_positions(), **options
    )
    backend.feature_names = FeatureNames.of_elements(inputs.get_chemical_symbols())
    return backend


def _is_schnet(model: Any, inputs: Any) -> bool:
    """A schnetpack model (checked by its class's module, without importing schnetpack)
    and an atomic structure."""
    return type(model).__module__.startswith("schnetpack.") and hasattr(
        inputs, "get_atomic_numbers"
    )


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


register_backend("perturbation", _perturbation)
register_backend("gnn-lrp", _gnn_lrp, accepts=_is_graph_model)
register_backend("transformer-lrp", _transformer_lrp, accepts=_is_transformer)
register_backend("schnet-lrp", _schnet_lrp, accepts=_is_schnet)

__all__ = [
    "Backend",
    "BackendCapabilityError",
    "BackendEntry",
    "Dividends",
    "FeatureNames",
    "PerturbationBackend",
    "Target",
    "available_backends",
    "get_backend",
    "register_backend",
    "select_target",
]
