"""symxai: symbolic, multi-order explanations of neural networks.

A backend turns one prediction into a set function ``v`` over features; symxai
decomposes it into Harsanyi dividends and scores logical queries against it
(Schnake et al., "Towards symbolic XAI", Information Fusion 2025). The mathematics
is in docs/mathematics.md.

The public names below are loaded lazily (module ``__getattr__``): ``import symxai``
is cheap, and a name's module (torch, RDKit, ...) is imported on first use.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symxai.api import explain
    from symxai.backends import PerturbationBackend, available_backends, register_backend
    from symxai.decomposition import (
        Decomposition,
        harsanyi_dividends,
        moebius_transform,
        zeta_transform,
    )
    from symxai.errors import FeatureSpaceError, QueryError, SymxaiError, UnknownAtomError
    from symxai.explanation import Explanation
    from symxai.features import Feature, FeatureSpace
    from symxai.query import And, Atom, Constant, Implies, Not, Or, Query, Xor, parse_query
    from symxai.relevance import correlation_scores, dividend_relevance, query_relevances
    from symxai.search import SearchResult, search_over_inputs, search_queries
    from symxai.setfunction import SetFunction

_HOMES = {
    "symxai.api": ["explain"],
    "symxai.backends": ["PerturbationBackend", "available_backends", "register_backend"],
    "symxai.decomposition": [
        "Decomposition",
        "harsanyi_dividends",
        "moebius_transform",
        "zeta_transform",
    ],
    "symxai.errors": ["FeatureSpaceError", "QueryError", "SymxaiError", "UnknownAtomError"],
    "symxai.explanation": ["Explanation"],
    "symxai.features": ["Feature", "FeatureSpace"],
    "symxai.query": [
        "And",
        "Atom",
        "Constant",
        "Implies",
        "Not",
        "Or",
        "Query",
        "Xor",
        "parse_query",
    ],
    "symxai.relevance": ["correlation_scores", "dividend_relevance", "query_relevances"],
    "symxai.search": ["SearchResult", "search_over_inputs", "search_queries"],
    "symxai.setfunction": ["SetFunction"],
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """The public names, imported from their modules on first use, so that importing
    symxai (or its command line, for ``symxai --help``) loads no numerical library."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'symxai' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))


__version__ = "0.1.0"

__all__ = [
    "And",
    "Atom",
    "Constant",
    "Decomposition",
    "Explanation",
    "Feature",
    "FeatureSpace",
    "FeatureSpaceError",
    "Implies",
    "Not",
    "Or",
    "PerturbationBackend",
    "Query",
    "QueryError",
    "SearchResult",
    "SetFunction",
    "SymxaiError",
    "UnknownAtomError",
    "Xor",
    "__version__",
    "available_backends",
    "correlation_scores",
    "dividend_relevance",
    "explain",
    "harsanyi_dividends",
    "moebius_transform",
    "parse_query",
    "query_relevances",
    "register_backend",
    "search_over_inputs",
    "search_queries",
    "zeta_transform",
]
