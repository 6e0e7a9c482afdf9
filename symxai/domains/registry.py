"""The domain registry: what a domain adapter provides, and where reports find it.

A *domain* (molecules, text, ...) is everything that turns a user's data into
explanations without the user writing code: how to read a data set into
:class:`InputRecord` s, which models ship and how to load one, which registered
backends apply (the first is the default), the default target, how to turn an input
given as text into a prepared input (:class:`~symxai.api.DomainInput`), the call of
the domain's explain function (a thin adapter over :func:`symxai.explain`), which query
atoms can match nothing, and how to draw an input coloured by feature relevance. The
report (``symxai report``), the command line (``symxai query``/``search``/``domains``)
and the HTML page read only this registry, so adding a domain is one adapter plus one
registration, with no edit to ``symxai/report`` or ``symxai/cli.py``::

    from symxai.domains.registry import Domain, register_domain

    class BitDomain(Domain):
        name = "bits"
        ...

    register_domain(BitDomain)

The built-in domains are declared in :data:`BUILTIN_DOMAINS` (module paths, imported on
first use, so that ``import symxai.cli`` loads neither RDKit nor transformers); other
packages register theirs through the entry-point group ``symxai.domains`` (the entry
point names the domain and points to a :class:`Domain` subclass or instance).
"""

from __future__ import annotations

import difflib
import importlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from symxai.errors import SymxaiError

if TYPE_CHECKING:  # the command line reads the registry without importing torch
    import numpy as np

    from symxai.decomposition import Decomposition
    from symxai.explanation import Explanation
    from symxai.query.ast import Atom, Query

__all__ = [
    "BUILTIN_DOMAINS",
    "ENTRY_POINT_GROUP",
    "BatchRelevances",
    "Domain",
    "DomainError",
    "GroundTruth",
    "InputRecord",
    "UnknownDomainError",
    "available_domains",
    "get_domain",
    "register_domain",
    "unknown_domain_message",
    "unregister_domain",
]

ENTRY_POINT_GROUP = "symxai.domains"

BUILTIN_DOMAINS: dict[str, str] = {
    "molecules": "symxai.domains.molecules.domain:MoleculeDomain",
    "text": "symxai.domains.text.domain:TextDomain",
    "structures": "symxai.domains.structures.domain:StructureDomain",
    "cells": "symxai.domains.cells.domain:CellDomain",
    "faces": "symxai.domains.vision.domain:FaceDomain",
    "graphs": "symxai.domains.graphs.domain:GraphDomain",
}
"""The built-in domains: name -> ``module:attribute`` of the :class:`Domain` subclass,
imported when the domain is first asked for."""


class DomainError(SymxaiError, ValueError):
    """A domain cannot read the data or load the model it was given (the message names
    the data set or the model and what it expected)."""


class UnknownDomainError(DomainError):
    """No domain of that name is registered (the message lists the registered ones)."""


@dataclass(frozen=True)
class InputRecord:
    """One input of a data set: its id in reports, its class label and its text (SMILES,
    sentence), shown in the HTML report."""

    id: str
    label: Any
    text: str


@dataclass(frozen=True)
class GroundTruth:
    """What is known to drive the model on one input, for evaluating explanations
    (``symxai.evaluation``): per-feature labels and/or labelled feature pairs.

    ``features`` is a bool ``[n]`` array over the input's features (the atoms of a
    planted motif, the cells of a planted niche); ``pairs`` an int ``[P, 2]`` array of
    feature index pairs (bonds, graph edges; each undirected edge once) with their bool
    ``pair_labels`` ``[P]`` (the NO2/NH2 bonds of a mutagen). Either part may be absent.
    """

    features: np.ndarray | None = None
    pairs: np.ndarray | None = None
    pair_labels: np.ndarray | None = None


@dataclass
class BatchRelevances:
    """Harsanyi relevance of the same queries on many inputs (:meth:`Domain.explain_many`).

    ``relevance[i, j]`` is ``R(q_j)`` on input ``i`` (NaN where the input failed),
    ``prediction[i]`` the explained output ``f(x)`` at the target, ``errors`` maps the
    position of every input that could not be explained to the reason.
    """

    relevance: np.ndarray
    prediction: np.ndarray
    errors: dict[int, str] = field(default_factory=dict)


class Domain(ABC):
    """A domain adapter: data, models, backends, defaults and drawing of one domain.

    Subclasses set the class attributes and implement the abstract methods; a domain
    instance holds no state of its own (models and data sets are cached by the adapter,
    per process), so it pickles to worker processes with a report task.

    Attributes
    ----------
    name:
        The name reports and the command line use (``domain = "molecules"``).
    description:
        One line, shown by ``symxai domains``.
    default_data:
        The data set a report or ``symxai search --data`` reads when none is given.
    datasets:
        Names of the shipped data sets (``Mutagenicity``); ``symxai query Name:id``
        explains the input ``id`` of one of them.
    models:
        Names of the shipped models; the first is the default.
    backends:
        Backend names a spec may choose (the first is the default): the registered
        backend names (:func:`symxai.backends.available_backends`) the domain's explain
        function takes, or its own short names for them (text: ``lrp``).
    perturbations:
        How the ``perturbation`` backend may remove a feature (the spec key
        ``perturbation``; the first is the default); empty when the domain has no choice.
    batched_backends:
        Backends under which :meth:`explain_many` explains a chunk of inputs together in
        harsanyi mode.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    default_data: ClassVar[str] = ""
    datasets: ClassVar[tuple[str, ...]] = ()
    models: ClassVar[tuple[str, ...]] = ()
    backends: ClassVar[tuple[str, ...]] = ("perturbation",)
    perturbations: ClassVar[tuple[str, ...]] = ()
    batched_backends: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------------ data
    @abstractmethod
    def load_inputs(self, data: str) -> list[InputRecord]:
        """All inputs of ``data`` (a shipped data set name or a file), in order; raise
        :class:`DomainError` for data the domain cannot read."""

    def load_input(self, data: str, record: InputRecord) -> Any:
        """The prepared input of one record of ``data`` (default: :meth:`prepare` of its
        text; a domain whose data sets hold more than the text overrides this)."""
        return self.prepare(record.text)

    def class_names(self, data: str) -> dict[Any, str]:
        """Human names of the labels of ``data``, where known."""
        return {}

    @abstractmethod
    def prepare(self, text: str) -> Any:
        """An input given as text (a SMILES string, a sentence) as the domain's prepared
        input (a :class:`~symxai.api.DomainInput`)."""

    # ---------------------------------------------------------------- models
    @abstractmethod
    def load_model(self, name_or_path: str) -> Any:
        """A shipped model by name, or a model file; raise :class:`DomainError` for a file
        that is not a model of this domain. Cache what is expensive to load."""

    def output_count(self, model: Any) -> int | None:
        """How many outputs (classes) the loaded ``model`` has; ``None`` where unknown
        (the target is then not checked up front)."""
        return None

    def output_names(self, model: str) -> dict[int, str]:
        """Names of the outputs of the model named ``model`` (class indices), where known."""
        return {}

    @abstractmethod
    def default_target(self) -> tuple[str, Any]:
        """The domain's default target: its name and its value (a class index or a pair
        ``(i, j)``, the logit difference ``f_i - f_j``)."""

    # ---------------------------------------------------------- explanations
    @abstractmethod
    def explain(
        self,
        inputs: Any,
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
        perturbation: str | None = None,
    ) -> Explanation:
        """The explanation of one prepared input: a thin call of the domain's explain
        function (which is itself :func:`symxai.explain` with the domain's defaults)."""

    def explain_many(
        self,
        inputs: Sequence[Any],
        queries: Sequence[Query],
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
    ) -> BatchRelevances:
        """Harsanyi relevance of ``queries`` on every input, computed together (only
        called for the :attr:`batched_backends`); equal to explaining them one by one."""
        raise NotImplementedError(f"the {self.name} domain has no batched explanations")

    def dividends_many(
        self, inputs: Sequence[Any], model: Any, *, backend: str, target: Any
    ) -> list[Decomposition] | None:
        """The complete decomposition of every input, computed together, equal to
        ``explain(input).dividends()`` one by one; ``None`` (the default, or when the
        domain cannot batch them for this model and backend): explain one by one."""
        return None

    def ground_truth(self, data: str, record: InputRecord, inputs: Any) -> GroundTruth | None:
        """The known ground truth of one input of ``data`` (``inputs`` is its prepared
        input, from :meth:`load_input`), or ``None`` where none is known (the default)."""
        return None

    def check_atom(self, atom: Atom) -> tuple[str, Sequence[str]] | None:
        """Why ``atom`` can match nothing in this domain, and suggestions for what was
        meant; ``None`` for an atom that may match."""
        return None

    def with_groups(self, path: str) -> Domain:
        """This domain with the user's named groups from the file ``path`` (a report
        spec's ``groups``, the command line's ``--group-file FILE``); a domain without named
        groups raises :class:`DomainError`."""
        raise DomainError(
            f"the {self.name} domain has no named groups from a file "
            "(groups files of name: SMARTS lines apply to molecules)"
        )

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        """One relevance per feature, for pictures (default: the backend's own)."""
        return explanation.feature_relevance()

    @abstractmethod
    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        """A picture of the explained input coloured by :meth:`feature_relevance` (an SVG
        file at ``path``)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


_REGISTERED: dict[str, Domain] = {}


def _entry_points() -> dict[str, metadata.EntryPoint]:
    try:
        found = metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception:  # a broken distribution must not break the command line
        return {}
    return {entry.name: entry for entry in found}


def available_domains() -> list[str]:
    """Names of the registered domains: the built-in ones, those of installed packages
    (entry-point group ``symxai.domains``) and those registered in this process; none of
    them is imported."""
    names = list(BUILTIN_DOMAINS) + sorted(_entry_points()) + list(_REGISTERED)
    return list(dict.fromkeys(names))


def unknown_domain_message(name: str) -> str:
    """``domain 'x' is not one of molecules, text``, with close matches."""
    names = available_domains()
    close = difflib.get_close_matches(name, names, n=2, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"domain {name!r} is not one of {', '.join(names)}{hint}"


def _instance(found: Any, source: str) -> Domain:
    domain = found() if isinstance(found, type) else found
    if not isinstance(domain, Domain):
        raise DomainError(f"{source} is not a symxai.domains.registry.Domain")
    if not domain.name:
        raise DomainError(f"{source} has no name")
    return domain


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def get_domain(name: str) -> Domain:
    """The domain registered as ``name`` (imported on first use); raises
    :class:`UnknownDomainError` naming the registered domains and close matches."""
    if name in _REGISTERED:
        return _REGISTERED[name]
    if name in BUILTIN_DOMAINS:
        domain = _instance(_load(BUILTIN_DOMAINS[name]), BUILTIN_DOMAINS[name])
    elif name in (entries := _entry_points()):
        entry = entries[name]
        try:
            found = entry.load()
        except Exception as error:
            raise DomainError(
                f"domain {name!r} (entry point {entry.value}) cannot be loaded: "
                f"{type(error).__name__}: {error}"
            ) from error
        domain = _instance(found, f"entry point {entry.value}")
    else:
        raise UnknownDomainError(unknown_domain_message(name))
    if domain.name != name:
        raise DomainError(f"domain {name!r} loads a domain named {domain.name!r}")
    _REGISTERED[name] = domain
    return domain


def register_domain(domain: Domain | type[Domain], *, replace: bool = False) -> Domain:
    """Register a :class:`Domain` (a subclass or an instance) under its ``name`` and
    return the instance; a name that is already registered (or built in, or provided by
    an installed package) is refused unless ``replace=True``."""
    instance = _instance(domain, repr(domain))
    if not replace and instance.name in available_domains():
        raise DomainError(
            f"a domain named {instance.name!r} is already registered; "
            "pass replace=True to replace it"
        )
    _REGISTERED[instance.name] = instance
    return instance


def unregister_domain(name: str) -> None:
    """Forget the domain registered in this process as ``name`` (a built-in or installed
    domain is loaded afresh when next asked for)."""
    _REGISTERED.pop(name, None)
