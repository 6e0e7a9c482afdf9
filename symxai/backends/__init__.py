"""Backends: turn one model input into a batched set function over its features."""

from symxai.backends.base import (
    Backend,
    BackendEntry,
    available_backends,
    get_backend,
    register_backend,
)
from symxai.backends.perturbation import PerturbationBackend, select_target

register_backend("perturbation", PerturbationBackend)

__all__ = [
    "Backend",
    "BackendEntry",
    "PerturbationBackend",
    "available_backends",
    "get_backend",
    "register_backend",
    "select_target",
]
