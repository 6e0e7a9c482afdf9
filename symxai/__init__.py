"""symxai: symbolic, multi-order explanations of neural networks.

A backend turns one prediction into a set function ``v`` over features; symxai
decomposes it into Harsanyi dividends and scores logical queries against it
(Schnake et al., "Towards symbolic XAI", Information Fusion 2025).
"""

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
