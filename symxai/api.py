"""The single entry point :func:`explain`.

``explain(model, inputs, backend=...)`` builds the backend, wraps its batched set
function and pairs it with a feature space. Backends are registered in
:mod:`symxai.backends`; domains reach them through this call, handing over their
prepared inputs (:class:`~symxai.backends.DomainInput`: a molecule, a sentence, a face)
whose feature space and default options (target, rules, token groups) then apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from symxai.backends import DomainInput, get_backend
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
    missing: str = "error",
    **options: Any,
) -> Explanation:
    """Explain one prediction of ``model`` on ``inputs``.

    Parameters
    ----------
    model, inputs:
        The model and one (unbatched) input, in whatever form the backend takes, or a
        domain's prepared input (:class:`~symxai.backends.DomainInput`).
    backend:
        A registered backend name (see :func:`symxai.backends.available_backends`) or
        ``"auto"``: the newest registered backend that accepts this model and input
        (``gnn-lrp`` for a PyG model on a graph, ``transformer-lrp`` for a Hugging Face
        BERT/ViT, ``schnet-lrp`` for a schnetpack model on a structure), else
        ``"perturbation"``. The choice is ``explanation.backend``.
    space:
        The feature space; default the domain input's, else the backend's own, else
        ``names``, else ``f0 .. f{n-1}``.
    names:
        Feature names, when no ``space`` is given.
    batch_size:
        Largest batch of coalitions handed to the backend at once (and the backend's
        coalitions per forward/backward pass).
    missing:
        What a query atom that names no feature does (see :class:`Explanation`).
    **options:
        Passed to the backend (``target=``, ``rules=``, ``baseline=``, ...); they override
        the domain input's defaults.
    """
    prepared = inputs if isinstance(inputs, DomainInput) else None
    model_input = prepared.model_input() if prepared is not None else inputs
    entry = get_backend(backend, model, model_input)
    if prepared is not None:
        options = {**prepared.backend_options(entry.name), **options}
    if batch_size is not None:
        options = {**options, "batch_size": batch_size}
    instance = entry.factory(model, model_input, **options)
    set_function = instance.set_function()
    if batch_size is not None:
        set_function.batch_size = batch_size
    if space is None and names is None and prepared is not None:
        space = prepared.feature_space()
    if space is None and names is None and entry.default_space is not None:
        space = entry.default_space(instance)
    if space is None:
        space = FeatureSpace(names) if names is not None else FeatureSpace.indexed(instance.n)
    if space.n != instance.n:
        raise FeatureSpaceError(
            f"the feature space has {space.n} features, the {entry.name} backend found {instance.n}"
        )
    if getattr(instance, "space", space) is None:
        instance.space = space
    metadata = {"backend": entry.name, **getattr(instance, "settings", {})}
    if "target" in options:
        metadata["target"] = options["target"]
    return Explanation(
        space,
        set_function,
        prediction=instance.prediction(),
        metadata=metadata,
        missing=missing,
        source=instance,
        exact_dividends=getattr(instance, "exact_decomposition", None),
        exact_cost=getattr(instance, "exact_cost", None),
    )
