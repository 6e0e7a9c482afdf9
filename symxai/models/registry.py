"""Architectures by name, so that a weights file's configuration can say what to build.

A symxai weights file (:func:`symxai.cache.save_weights`) has a ``.json`` beside it whose
``config`` rebuilds the model; its optional ``architecture`` entry names the class in
this registry (``"GIN"`` when absent, so older files still load). Other architectures
are added with :func:`register_architecture` (``PropertyGNN``, a user's own class).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

__all__ = ["DEFAULT_ARCHITECTURE", "architecture", "architecture_names", "register_architecture"]

DEFAULT_ARCHITECTURE = "GIN"

_ARCHITECTURES: dict[str, Callable[..., Any]] = {}


def register_architecture(
    builder: Callable[..., Any], name: str | None = None, *, replace: bool = False
) -> Callable[..., Any]:
    """Register ``builder`` (a model class, or a function of the config's keywords)
    under ``name`` (default: its ``__name__``); returns it, so it works as a decorator.
    A taken name is refused unless ``replace=True``."""
    key = name or builder.__name__
    if key in _ARCHITECTURES and _ARCHITECTURES[key] is not builder and not replace:
        raise ValueError(f"an architecture named {key!r} is already registered")
    _ARCHITECTURES[key] = builder
    return builder


def architecture_names() -> list[str]:
    """The registered architecture names, sorted."""
    _builtin()
    return sorted(_ARCHITECTURES)


def architecture(name: str | None) -> Callable[..., Any]:
    """The builder registered as ``name`` (``None``: :data:`DEFAULT_ARCHITECTURE`);
    ``KeyError`` naming the registered ones and close matches otherwise."""
    _builtin()
    key = name or DEFAULT_ARCHITECTURE
    if key not in _ARCHITECTURES:
        close = difflib.get_close_matches(key, list(_ARCHITECTURES), n=2)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise KeyError(
            f"unknown architecture {key!r}; registered: {', '.join(sorted(_ARCHITECTURES))}{hint}"
        )
    return _ARCHITECTURES[key]


def _builtin() -> None:
    """Register the graph models of :mod:`symxai.models` (imported on first use)."""
    from symxai.models.gin import GIN
    from symxai.models.node_gin import NodeGIN
    from symxai.models.property_gnn import PropertyGNN

    for builder in (GIN, NodeGIN, PropertyGNN):
        if builder.__name__ not in _ARCHITECTURES:
            _ARCHITECTURES[builder.__name__] = builder
