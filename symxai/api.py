"""The single entry point :func:`explain`.

``explain(model, inputs, backend=...)`` builds the backend, wraps its batched set
function and pairs it with a feature space. Backends are registered in
:mod:`symxai.backends`; domains reach them through this call, handing over their
prepared inputs (:class:`DomainInput`: a molecule, a sentence, a face) whose feature
space and default options (target, rules, token groups) then apply. Backends return
plain data (feature names, walks over indices, exact dividends as arrays); here they
become the explanation's :class:`~symxai.FeatureSpace` and
:class:`~symxai.Decomposition`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from symxai.backends import Backend, get_backend
from symxai.backends.target import output_names_of, resolve_target, target_name
from symxai.decomposition import Decomposition
from symxai.errors import FeatureSpaceError
from symxai.explanation import Explanation
from symxai.features import FeatureSpace

__all__ = ["DomainInput", "explain"]


@runtime_checkable
class DomainInput(Protocol):
    """An input that a domain prepared for :func:`explain` (a molecule, a sentence, a face
    image): what the model takes, its named features and the options a backend uses for
    it unless the caller overrides them (the explained target, LRP rules, which tokens
    make up each feature)."""

    def model_input(self) -> Any:
        """The input as the backends take it (a PyG graph, a dict of model tensors, ...)."""
        ...

    def feature_space(self) -> FeatureSpace:
        """The names of the input's features."""
        ...

    def backend_options(self, backend: str) -> dict[str, Any]:
        """Default options of the registered backend ``backend`` for this input."""
        ...


def _backend_space(instance: Backend) -> FeatureSpace | None:
    """The feature space of the names the backend knows (atoms of a structure), if any."""
    known = getattr(instance, "feature_names", None)
    if known is None:
        return None
    return FeatureSpace(known.names, labels=known.labels)


def _exact_decomposition(
    instance: Backend, space: FeatureSpace
) -> Callable[[], Decomposition | None] | None:
    """The backend's exact dividends, on demand, as a decomposition named by ``space``."""
    exact_dividends = getattr(instance, "exact_dividends", None)
    if exact_dividends is None:
        return None

    def decomposition() -> Decomposition | None:
        dividends = exact_dividends()
        return None if dividends is None else Decomposition.from_dividends(dividends, space)

    return decomposition


def _model_defaults(model: Any, names: tuple[str, ...] | None) -> dict[str, Any]:
    """What a model declares about its own target, over the input's defaults: its
    ``default_target`` attribute, else ``None`` (the one output) for a model that
    declares exactly one output name (a regressor)."""
    if hasattr(model, "default_target"):
        return {"target": model.default_target}
    if names is not None and len(names) == 1:
        return {"target": None}
    return {}


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
        domain's prepared input (:class:`DomainInput`).
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
    outputs = output_names_of(model)
    if prepared is not None:
        defaults = {**prepared.backend_options(entry.name), **_model_defaults(model, outputs)}
        options = {**defaults, **options}
    if "target" in options:
        options["target"] = resolve_target(options["target"], outputs)
    if batch_size is not None:
        options = {**options, "batch_size": batch_size}
    instance = entry.factory(model, model_input, **options)
    set_function = instance.set_function()
    if batch_size is not None:
        set_function.batch_size = batch_size
    if space is None and names is None and prepared is not None:
        space = prepared.feature_space()
    if space is None and names is None:
        space = _backend_space(instance)
    if space is None:
        space = FeatureSpace(names) if names is not None else FeatureSpace.indexed(instance.n)
    if space.n != instance.n:
        raise FeatureSpaceError(
            f"the feature space has {space.n} features, the {entry.name} backend found {instance.n}"
        )
    metadata = {"backend": entry.name, **getattr(instance, "settings", {})}
    if "target" in options:
        metadata["target"] = target_name(options["target"], outputs, options.get("node"))
        metadata["target_value"] = options["target"]
    return Explanation(
        space,
        set_function,
        prediction=instance.prediction(),
        metadata=metadata,
        missing=missing,
        source=instance,
        exact_dividends=_exact_decomposition(instance, space),
        exact_cost=getattr(instance, "exact_cost", None),
        coalition_graph=getattr(instance, "coalition_graph", None),
    )
