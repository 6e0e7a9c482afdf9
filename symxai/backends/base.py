"""The backend base class and the registry that :func:`symxai.explain` dispatches on.

A backend knows models, never queries: it turns one model input into a batched set
function ``v`` over ``n`` features (docs/mathematics.md, section 1) and may name those
features. What it returns beyond values is plain data (:class:`FeatureNames`, walks over
feature indices, :class:`~symxai.backends.dividends.Dividends`); the explanation above
names them by its feature space.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from symxai.backends.naming import FeatureNames
from symxai.backends.target import Target
from symxai.errors import BackendCapabilityError, FeatureSpaceError
from symxai.setfunction import SetFunction

if TYPE_CHECKING:
    import torch

    from symxai.backends.coalition_graph import CoalitionGraph
    from symxai.backends.dividends import Dividends
    from symxai.backends.lrp.walks import Walks

__all__ = [
    "Backend",
    "BackendCapabilityError",
    "BackendEntry",
    "available_backends",
    "get_backend",
    "register_backend",
]


class Backend:
    """The common base of the backends: one model input as a batched set function.

    A subclass sets ``n`` (the number of features) and ``target`` (see
    :data:`~symxai.backends.target.Target`) and implements

    * :meth:`value`: ``v(S)`` ``[B]`` for coalition masks ``[B, n]``, computed in batched
      passes (never one Python-level pass per coalition);
    * :meth:`prediction`: the explained output ``f(x)`` at the target.

    Where the backend has them it sets ``feature_names`` (a :class:`FeatureNames`: the
    atoms of a structure with their elements) and overrides :meth:`feature_relevance`
    (the relevance ``R_i`` of every feature: node, atom, word or patch), :meth:`walks`
    and :meth:`exact_dividends` (the exact Harsanyi dividends). A backend knows models,
    never queries: it needs no ``FeatureSpace`` or ``Decomposition`` to compute values.
    """

    name: str = "backend"
    n: int
    target: Target = None
    feature_names: FeatureNames | None = None

    def value(self, masks: np.ndarray) -> np.ndarray:
        """``v(S)`` ``[B]`` for bool coalition masks ``[B, n]``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement value(masks)")

    def mask_tensor(self, masks: np.ndarray) -> torch.Tensor:
        """Coalition masks as a bool tensor ``[B, n]``; a clear error for another shape."""
        import torch

        tensor = torch.as_tensor(np.asarray(masks, dtype=bool))
        if tensor.ndim != 2 or tensor.shape[1] != self.n:
            raise FeatureSpaceError(
                f"coalition masks must have shape [B, {self.n}], got {tuple(tensor.shape)}"
            )
        return tensor

    def __call__(self, masks: np.ndarray) -> np.ndarray:
        """Same as :meth:`value` (a backend is the callable behind its set function)."""
        return self.value(masks)

    def set_function(self) -> SetFunction:
        """This backend as a cached :class:`~symxai.SetFunction` over its ``n`` features."""
        return SetFunction(self, self.n)

    def prediction(self) -> float:
        """The explained model output at the target (``v(N)`` up to what the backend
        documents, e.g. bias absorption for LRP)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement prediction()")

    def feature_relevance(self) -> np.ndarray:
        """The relevance ``R_i`` ``[n]`` of every feature (LRP: of the walks starting there)."""
        raise BackendCapabilityError(f"the {self.name} backend has no per-feature relevance")

    def walks(self, top: int | None = None, **options: Any) -> Walks:
        """Relevant walks over feature indices (LRP backends of message-passing models)."""
        raise BackendCapabilityError(f"the {self.name} backend has no relevant walks")

    def exact_dividends(self) -> Dividends | None:
        """The exact Harsanyi dividends, or ``None`` when the backend cannot compute them."""
        return None

    def exact_cost(self) -> int | None:
        """How many terms (walks) :meth:`exact_dividends` sums, ``None`` if unknown."""
        return None

    def coalition_graph(self) -> CoalitionGraph | None:
        """The graph off whose connected coalitions every dividend is 0
        (:mod:`symxai.backends.coalition_graph`), or ``None`` when the backend cannot
        vouch for one."""
        return None


@dataclass(frozen=True)
class BackendEntry:
    """A registered backend: a factory ``(model, inputs, **options) -> Backend`` and a
    predicate telling whether it handles a (model, inputs) pair when ``backend="auto"``."""

    name: str
    factory: Callable[..., Backend]
    accepts: Callable[[Any, Any], bool]


_REGISTRY: dict[str, BackendEntry] = {}


def register_backend(
    name: str,
    factory: Callable[..., Backend],
    *,
    accepts: Callable[[Any, Any], bool] = lambda model, inputs: False,
) -> None:
    """Make ``backend=name`` available to :func:`symxai.explain` (later names win ties in auto)."""
    _REGISTRY[name] = BackendEntry(name, factory, accepts)


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
