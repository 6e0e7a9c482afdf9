"""The single entry point :func:`explain`.

``explain(model, inputs, backend=...)`` builds the backend, wraps its batched set
function and pairs it with a feature space. Domains (molecules, text, ...) register
their backends and feature spaces in :mod:`symxai.backends` and are then reached through
the same call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from symxai.backends import get_backend
from symxai.errors import FeatureSpaceError
from symxai.explanation import Explanation
from symxai.features import FeatureSpace

__all__ = ["explain"]


def explain(
    model: Any,
    inputs: Any,
    backend: str = "auto",
    *,
    space: FeatureSpace | None = None,
    names: Sequence[str] | None = None,
    batch_size: int | None = None,
    **options: Any,
) -> Explanation:
    """Explain one prediction of ``model`` on ``inputs``.

    Parameters
    ----------
    model, inputs:
        The model and one (unbatched) input, in whatever form the backend takes.
    backend:
        A registered backend name (see :func:`symxai.backends.available_backends`) or
        ``"auto"``: the newest registered backend that accepts this model and input,
        else ``"perturbation"``.
    space:
        The feature space; default the backend's own, else ``names``, else ``f0 .. f{n-1}``.
    names:
        Feature names, when no ``space`` is given.
    batch_size:
        Largest batch of coalitions handed to the backend at once.
    **options:
        Passed to the backend (``target=``, ``baseline=``, ``feature_mask=``, ...).
    """
    entry = get_backend(backend, model, inputs)
    instance = entry.factory(model, inputs, **options)
    set_function = instance.set_function()
    if batch_size is not None:
        set_function.batch_size = batch_size
    if space is None and names is None and entry.default_space is not None:
        space = entry.default_space(instance)
    if space is None:
        space = FeatureSpace(names) if names is not None else FeatureSpace.indexed(instance.n)
    if space.n != instance.n:
        raise FeatureSpaceError(
            f"the feature space has {space.n} features, the {entry.name} backend found {instance.n}"
        )
    metadata = {"backend": entry.name, **getattr(instance, "settings", {})}
    metadata["backend_instance"] = instance
    if "target" in options:
        metadata["target"] = options["target"]
    return Explanation(
        space,
        set_function,
        prediction=instance.prediction(),
        metadata=metadata,
        exact_dividends=getattr(instance, "exact_decomposition", None),
    )
