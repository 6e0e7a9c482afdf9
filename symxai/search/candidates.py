"""The candidate families of query search, their number and their truth on patterns.

A candidate is evaluated on the *pattern* ``p`` of a coalition, the ``uint64`` bitmask of
the atoms it touches (:mod:`symxai.search.patterns`). All families are numpy bit
arithmetic over pattern codes:

1. *conjunctions* of 1..k (``max_literals``) literals over distinct atoms, each positive
   or negated (all-negative conjunctions included): ``sum_{r=1}^{k} C(m, r) 2^r`` of
   them. With bitmasks ``pos`` and ``neg`` of the positive and negated atoms, the
   conjunction is true on ``p`` iff ``p & pos == pos`` and ``p & neg == 0``.
2. *disjunctions* ``c1 | c2`` of two distinct conjunctions: every pair when there are at
   most ``max_pairs`` pairs, otherwise every pair among the ``beam`` best conjunctions by
   the search score (in :func:`~symxai.search.search_over_inputs`: always the beam, over
   the median conjunction scores). The truth row of ``c1 | c2`` is the elementwise or of
   both rows, so ``S(c1 | c2) = S(c1) + S(c2) - S(c1 & c2)`` is what the product
   computes. ``x | ~x`` (a tautology) is scored but never returned.
3. *Boolean functions of groups*: for ``g <= 4`` named atoms (``groups``), every
   non-constant function of their presence, ``2^(2^g) - 2`` truth tables over the ``2^g``
   sub-patterns ``sum_t [bit g_t of p] 2^t``; function number ``f`` is true on
   sub-pattern ``s`` iff bit ``s`` of ``f`` is set. Only the returned functions are
   named (:mod:`symxai.search.naming`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from symxai.query.ast import Atom, Query

__all__ = [
    "candidate_count",
    "conjunction_count",
    "conjunction_truth",
    "conjunctions",
    "essential",
    "essential_counts",
    "function_bits",
    "function_count",
    "literal_count",
    "simplicity",
    "sub_patterns",
]


# ----------------------------------------------------------------- counting
def conjunction_count(m: int, max_literals: int) -> int:
    """``K = sum_{r=1}^{min(k, m)} C(m, r) 2^r`` conjunctions of up to ``k`` literals."""
    return sum(math.comb(m, r) * 2**r for r in range(1, min(max_literals, m) + 1))


def function_count(groups: int) -> int:
    """``2^(2^g) - 2`` non-constant Boolean functions of ``g`` groups (0 without groups)."""
    return 2 ** (2**groups) - 2 if groups else 0


def candidate_count(
    m: int,
    max_literals: int = 3,
    groups: int = 0,
    *,
    disjunctions: bool = False,
    max_pairs: int = 200_000,
    beam: int = 300,
) -> int:
    """Number of candidates :func:`~symxai.search.search_queries` scores over ``m`` atoms.

    ``K = sum_{r=1}^{min(k, m)} C(m, r) 2^r`` conjunctions, plus ``2^(2^g) - 2`` functions
    of ``g`` groups, plus with ``disjunctions`` the pairs: ``C(K, 2)`` when that is at
    most ``max_pairs``, else ``C(min(beam, K), 2)``.
    """
    conjunctions = conjunction_count(m, max_literals)
    total = conjunctions + function_count(groups)
    if disjunctions:
        pairs = math.comb(conjunctions, 2)
        total += pairs if pairs <= max_pairs else math.comb(min(beam, conjunctions), 2)
    return total


# ----------------------------------------------------------------- families
def conjunctions(m: int, max_literals: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``pos``, ``neg`` (uint64 bitmasks) and literal counts of every conjunction of
    1..k literals over distinct atoms, by size, then atoms, then negations."""
    pos, neg, size = [], [], []
    for r in range(1, min(max_literals, m) + 1):
        combos = np.asarray(list(itertools.combinations(range(m), r)), dtype=np.uint64)
        bits = np.left_shift(np.uint64(1), combos)
        negated = ((np.arange(1 << r)[:, None] >> np.arange(r)) & 1).astype(bool)
        zero = np.uint64(0)
        pos_r = np.bitwise_or.reduce(np.where(negated[None], zero, bits[:, None]), axis=2)
        neg_r = np.bitwise_or.reduce(np.where(negated[None], bits[:, None], zero), axis=2)
        pos.append(pos_r.reshape(-1))
        neg.append(neg_r.reshape(-1))
        size.append(np.full(pos_r.size, r, dtype=np.int64))
    if not pos:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty, np.zeros(0, dtype=np.int64)
    return np.concatenate(pos), np.concatenate(neg), np.concatenate(size)


def conjunction_truth(pos: np.ndarray, neg: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``[c, U]``: conjunction ``(pos, neg)`` true on pattern ``p``."""
    hits = codes[None, :] & pos[:, None]
    return (hits == pos[:, None]) & ((codes[None, :] & neg[:, None]) == 0)


def sub_patterns(codes: np.ndarray, groups: Sequence[int]) -> np.ndarray:
    """Index ``sum_t [bit g_t of p] 2^t`` of every pattern over the groups."""
    sub = np.zeros(codes.size, dtype=np.int64)
    for t, j in enumerate(groups):
        sub |= ((codes >> np.uint64(j)) & np.uint64(1)).astype(np.int64) << t
    return sub


def function_bits(tables: np.ndarray, g: int) -> np.ndarray:
    """``[F, 2^g]`` truth tables of functions numbered by their bits."""
    return ((tables[:, None] >> np.arange(1 << g, dtype=np.int64)) & 1).astype(bool)


def essential_counts(bits: np.ndarray, g: int) -> np.ndarray:
    """Number of groups each function of ``bits`` ``[F, 2^g]`` depends on."""
    count = np.zeros(bits.shape[0], dtype=np.int64)
    for t in range(g):
        shaped = bits.reshape(bits.shape[0], -1, 2, 1 << t)
        count += (shaped[:, :, 0] != shaped[:, :, 1]).any(axis=(1, 2))
    return count


def essential(variables: list[int], table: np.ndarray) -> tuple[tuple[int, ...], np.ndarray]:
    """Drop the variables ``table`` (bit ``t`` of the row = ``variables[t]``) ignores."""
    keep = []
    for t in reversed(range(len(variables))):
        shaped = table.reshape(-1, 2, 1 << t)
        if np.array_equal(shaped[:, 0], shaped[:, 1]):
            table = np.ascontiguousarray(shaped[:, 0]).reshape(-1)
        else:
            keep.append(variables[t])
    return tuple(reversed(keep)), table


# --------------------------------------------------------------- simplicity
def literal_count(query: Query) -> int:
    """Number of atom occurrences (literals) in ``query``."""
    if isinstance(query, Atom):
        return 1
    return sum(literal_count(child) for child in query.children)


def simplicity(query: Query) -> tuple[int, int, str]:
    """Sort key of simpler formulas first: literals, then text length, then text."""
    text = str(query)
    return literal_count(query), len(text), text
