"""Query search over one decomposition: :func:`search_queries`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from symxai.decomposition import Decomposition
from symxai.query.ast import Atom
from symxai.search.dedupe import select
from symxai.search.engine import Search
from symxai.search.options import (
    AtomSets,
    SearchScore,
    Sign,
    as_atom,
    check_atom_count,
    check_distinct,
    check_options,
    group_indices,
    signed,
)
from symxai.search.patterns import Patterns, coalition_patterns
from symxai.search.result import SearchResult, result_of

__all__ = ["search_queries"]


def search_queries(
    decomposition: Decomposition,
    atom_sets: AtomSets,
    *,
    by: SearchScore = "correlation",
    max_literals: int = 3,
    disjunctions: bool = True,
    groups: Sequence[Atom | str] = (),
    top: int = 10,
    weights: np.ndarray | None = None,
    max_pairs: int = 200_000,
    beam: int = 300,
    sign: Sign | None = None,
    distinct: str = "data",
) -> SearchResult:
    """The ``top`` queries over the named atoms that best describe ``decomposition``.

    Scores every candidate of the three families of :mod:`symxai.search.candidates`
    (conjunctions of up to ``max_literals`` literals; with ``disjunctions``, disjunctions
    of two of them, all ``C(K, 2)`` pairs when at most ``max_pairs``, else the pairs
    among the ``beam`` best conjunctions by the search score; with ``groups``, every
    non-constant Boolean function of those atoms) against the dividends
    (:mod:`symxai.search.patterns`), removes logically equivalent duplicates
    (:mod:`symxai.search.dedupe`) and returns the best.

    Parameters
    ----------
    decomposition:
        The dividends ``mu(L)``; unlisted coalitions of its population (non-empty
        subsets of its context up to its ``max_order``) have dividend 0.
    atom_sets:
        Feature indices of each atom, in the order the atoms should appear in formulas.
        Keys are atoms or their text (``"N"``, ``'smarts"[N+](=O)[O-]"'``). At most 63.
    by:
        ``"correlation"`` (weighted Pearson correlation of ``q(L)`` and ``mu(L)``) or
        ``"relevance"`` (``R(q) = sum_{L ≠ ∅} mu(L) q(L)``).
    groups:
        Up to 4 of the atoms for the Boolean-function family.
    weights:
        One weight per listed coalition (correlation only; default uniform; unlisted
        coalitions of the population weigh 1).
    sign:
        How the score ranks: ``"abs"`` (largest magnitude first, the default; of a query
        and its complement, the one whose correlation has its relevance's sign),
        ``"positive"`` (largest first) or ``"negative"`` (most negative first).
    distinct:
        ``"data"`` (default): of the tied candidates that are true on exactly the same
        coalitions with a non-zero dividend (so indistinguishable by these dividends,
        logically equivalent ones included) only the simplest is returned. ``"logic"``: only
        logically equivalent candidates are merged; candidates that differ on
        coalitions with zero dividend, or on atom patterns that never occur, are all
        returned (simpler first).
    """
    sign = check_options(by, sign, max_literals, top)
    check_distinct(distinct)
    atoms = [as_atom(key) for key in atom_sets]
    if len(set(atoms)) != len(atoms):
        raise ValueError("an atom is given twice in atom_sets")
    check_atom_count(len(atoms))
    group_index = group_indices(groups, atoms)
    index_sets = [np.asarray(atom_sets[key], dtype=np.int64).reshape(-1) for key in atom_sets]
    part = coalition_patterns(decomposition, range(len(atoms)), index_sets, weights)
    patterns = Patterns.build([part], strict=True)
    search = Search(
        patterns,
        atoms,
        by=by,
        sign=sign,
        max_literals=max_literals,
        disjunctions=disjunctions,
        groups=group_index,
        max_pairs=max_pairs,
        beam=beam,
        distinct=distinct,
    )
    chosen = select(search, signed(search.score(keep=False), sign), top)
    return result_of(search, chosen, ranks=None, targets=[decomposition.target])
