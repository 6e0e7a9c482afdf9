"""Query search: the Boolean formulas over named atoms that best describe the dividends.

Setting (Schnake et al., Information Fusion 2025, Sec. 4). A
:class:`~symxai.decomposition.Decomposition` lists coalitions ``L`` with their Harsanyi
dividends ``mu(L)``; ``m`` named atoms denote feature sets ``A_0 .. A_{m-1}``. The
*pattern* of a coalition is the bitmask

.. math::  p(L) = \\sum_j [L \\cap A_j \\ne \\emptyset]\\, 2^j \\qquad (m \\le 63),

and a query ``q`` is true on ``L`` iff it is true under the assignment "atom ``j`` is
true iff bit ``j`` of ``p(L)`` is set". Two scores:

* relevance (harsanyi, PreDiff): ``R(q) = sum_{L ≠ ∅} mu(L) q(L)``
  (:func:`symxai.relevance.dividend_relevance`);
* correlation: the weighted Pearson correlation of ``q(L)`` and ``mu(L)`` over the
  *population* ``P`` of the decomposition: every non-empty ``L ⊆ C`` (its context) with
  ``|L| <= max_order``, unlisted coalitions having dividend 0 and weight 1
  (:mod:`symxai.population`, :func:`symxai.relevance.correlation_scores`). The score
  is therefore the same whether a decomposition lists its zero dividends (a dense
  table) or not (walk dividends); a query true on no coalition of ``P`` or on all of
  them scores 0.

The modules, from the bottom up:

* :mod:`~symxai.search.options`: the options (``by``, ``sign``, ``distinct``), their
  checks and the sign transform of a score;
* :mod:`~symxai.search.candidates`: the candidate families (conjunctions, disjunctions
  of two, Boolean functions of groups), their number and their truth on patterns;
  :mod:`~symxai.search.naming`: formulas for the functions;
* :mod:`~symxai.search.patterns`: coalition patterns, the per-pattern sums and the
  correlation formula over the population;
* :mod:`~symxai.search.candidate_set`: one numbering of all candidates, their truth,
  canonical forms and names; :mod:`~symxai.search.engine`: scoring every candidate on
  every input;
* :mod:`~symxai.search.dedupe`: ranking and deduplication (equivalent queries and
  complements); :mod:`~symxai.search.ranks`: per-input ranks;
  :mod:`~symxai.search.result`: :class:`SearchResult`;
* :mod:`~symxai.search.single`: :func:`search_queries` over one decomposition;
  :mod:`~symxai.search.dataset`: :func:`search_over_inputs` and
  :func:`rank_over_inputs` over many inputs.
"""

from symxai.search.candidates import candidate_count, literal_count
from symxai.search.dataset import rank_over_inputs, search_over_inputs
from symxai.search.options import DISTINCT as DISTINCT
from symxai.search.options import FAMILIES, MAX_GROUPS, MAX_SEARCH_ATOMS, SearchScore, Sign
from symxai.search.options import SCORES as SCORES
from symxai.search.options import SIGNS as SIGNS
from symxai.search.options import AtomSets as AtomSets
from symxai.search.result import SearchResult
from symxai.search.single import search_queries

__all__ = [
    "FAMILIES",
    "MAX_GROUPS",
    "MAX_SEARCH_ATOMS",
    "SearchResult",
    "SearchScore",
    "Sign",
    "candidate_count",
    "literal_count",
    "rank_over_inputs",
    "search_over_inputs",
    "search_queries",
]
