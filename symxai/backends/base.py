"""The backend protocol and the registry that :func:`symxai.explain` dispatches on.

A backend knows models, never queries: it turns one model input into a batched set
function ``v`` over ``n`` features (docs/mathematics.md, section 1) and may name those features.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from symxai.features import FeatureSpace
from symxai.setfunction import SetFunction

__all__ = ["Backend", "BackendEntry", "available_backends", "get_backend", "register_backend"]


@runtime_checkable
class Backend(Protocol):
    """What :func:`symxai.explain` needs from a backend instance."""

    n: int

    def set_function(self) -> SetFunction:
        """The batched set function ``v`` over the backend's ``n`` features."""
        ...

    def prediction(self) -> float:
        """The explained model output (``v(N)`` up to what the backend documents)."""
        ...


@dataclass(frozen=True)
class BackendEntry:
    """A registered backend: a factory ``(model, inputs, **options) -> Backend`` and a
    predicate telling whether it handles a (model, inputs) pair when ``backend="auto"``."""

    name: str
    factory: Callable[..., Backend]
    accepts: Callable[[Any, Any], bool]
    default_space: Callable[[Backend], FeatureSpace | None] | None = None


_REGISTRY: dict[str, BackendEntry] = {}


def register_backend(
    name: str,
    factory: Callable[..., Backend],
    *,
    accepts: Callable[[Any, Any], bool] = lambda model, inputs: False,
    default_space: Callable[[Backend], FeatureSpace | None] | None = None,
) -> None:
    """Make ``backend=name`` available to :func:`symxai.explain` (later names win ties in auto)."""
    _REGISTRY[name] = BackendEntry(name, factory, accepts, default_space)


def available_backends() -> list[str]:
    """Names accepted by ``explain(..., backend=...)``."""
    return sorted(_REGISTRY)


def get_backend(name: str, model: Any = None, inputs: Any = None) -> BackendEntry:
    """The entry for ``name``; ``"auto"`` picks the newest registered backend that accepts
    the model and inputs, falling back to ``"perturbation"``."""
    if name == "auto":
        for entry in reversed(list(_REGISTRY.values())):
            if entry.accepts(model, inputs):
                return entry
        return _REGISTRY["perturbation"]
    if name not in _REGISTRY:
        raise ValueError(
            f"unknown backend {name!r}; available: {', '.join(['auto', *available_backends()])}"
        )
    return _REGISTRY[name]
