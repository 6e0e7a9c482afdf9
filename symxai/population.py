"""The coalition population of the correlation score, counted in closed form.

The correlation score of a query (query search, :func:`symxai.relevance.correlation_scores`)
is a Pearson correlation between ``q(L)`` and ``mu(L)`` over a population of coalitions.
The population must not depend on which dividends a decomposition happens to list (a
dense table lists zeros, walk dividends list only the non-zero ones), so it is fixed by
the decomposition's feature set and order alone:

    P = every non-empty ``L ⊆ C`` with ``|L| <= k``,

``C`` the decomposition's context (``n = |C|`` features) and ``k = min(max_order, n)``
(a walk decomposition's ``max_order`` is the walk length, the most nodes one walk
visits; a complete table's is ``n``). A coalition the decomposition does not list has
dividend 0 and weight 1.

Counting. The number of population coalitions inside a set of ``a`` features of ``C`` is

.. math::  f(a) = \\sum_{r=1}^{\\min(k, a)} \\binom{a}{r} \\quad (= 2^a - 1 \\text{ for } k = n),

so ``|P| = f(n)``. The fraction of ``P`` on which the conjunction "every atom of ``Pos``
present, no atom of ``Neg`` present" is true is, by inclusion-exclusion over ``T ⊆ Pos``,

.. math::  \\bar q = \\sum_{T \\subseteq Pos} (-1)^{|T|}\\,
           f\\bigl(n - |U(Neg \\cup T)|\\bigr) / f(n),
           \\qquad U(S) = C \\cap \\textstyle\\bigcup_{j \\in S} A_j ,

and ``|U(S)|`` comes from *cells*: the features of ``C`` grouped by the set of atoms that
contain them (a bitmask), ``|U(S)| = sum_{cells c, c ∩ S ≠ ∅} |c|``; overlapping atoms
need nothing else. The ratios ``f(a) / f(n)`` are exact integer quotients rounded once
to float64 (no ``2^n`` is ever formed in floating point), which holds for ``n`` up to
1023 features without an order limit.

Correlation. With weights ``w_L`` (1 for unlisted coalitions), ``W = sum_P w_L``, the
query's weighted mean ``m_q = sum_{P, q} w_L / W``, ``m_mu = sum w_L mu_L / W``:

.. math::
   \\mathrm{cov} = \\frac{\\sum_{q} w_L \\mu_L}{W} - m_q m_\\mu, \\quad
   \\mathrm{var}_\\mu = \\frac{\\sum w_L \\mu_L^2}{W} - m_\\mu^2, \\quad
   \\rho = \\frac{\\mathrm{cov}}{\\sqrt{m_q (1 - m_q)\\, \\mathrm{var}_\\mu}}.

Every sum over ``mu`` runs over the listed coalitions only (zeros add nothing), and
``sum_{P, q} w_L = |P| \\bar q + sum_{listed, q} (w_L - 1)``. ``rho = 0`` for a query
true on no coalition or on all of them, and when ``mu`` is constant on ``P``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["CellTable", "population_fractions", "population_order", "weighted_correlation"]


def population_order(size: int, max_order: int) -> int:
    """``k = min(max_order, n)``: the largest coalition of the population."""
    return max(0, min(int(max_order), int(size)))


@functools.lru_cache(maxsize=256)
def _fractions(size: int, order: int) -> tuple[float, tuple[float, ...]]:
    if order >= size:
        counts = [(1 << a) - 1 for a in range(size + 1)]
    else:
        counts = [sum(math.comb(a, r) for r in range(1, order + 1)) for a in range(size + 1)]
    total = counts[-1]
    if total == 0:
        return 0.0, tuple(0.0 for _ in counts)
    size_as_float = float(total) if total.bit_length() <= 1023 else math.inf
    return size_as_float, tuple(count / total for count in counts)


def population_fractions(size: int, max_order: int) -> tuple[float, np.ndarray]:
    """``(|P|, g)`` with ``g[a] = f(a) / f(n)`` for ``a = 0..n`` (module doc); ``|P|`` as
    a float (``inf`` above float64's range)."""
    total, table = _fractions(int(size), population_order(size, max_order))
    return total, np.asarray(table, dtype=np.float64)


@dataclass
class CellTable:
    """Cells of several inputs: ``masks[c]`` (uint64 atom bitmask) and ``sizes[c, i]``
    (features of input ``i``'s context in cell ``c``), with each input's population
    (``counts[i] = |P_i|``, ``tables[i, a] = f_i(a) / f_i(n_i)``, ``features[i] = n_i``)."""

    masks: np.ndarray
    sizes: np.ndarray
    counts: np.ndarray
    tables: np.ndarray
    features: np.ndarray

    @classmethod
    def build(
        cls, inputs: Sequence[tuple[np.ndarray, Sequence[int], Sequence[np.ndarray], int]]
    ) -> CellTable:
        """From per input ``(context, atom positions, atom index sets, max_order)``."""
        per_input, counts, tables = [], [], []
        for context, positions, index_sets, max_order in inputs:
            context = np.asarray(context, dtype=np.int64)
            width = int(context.max()) + 1 if context.size else 0
            for indices in index_sets:
                width = max(width, int(np.max(indices)) + 1 if len(indices) else 0)
            membership = np.zeros(width, dtype=np.uint64)
            for position, indices in zip(positions, index_sets, strict=True):
                membership[np.asarray(indices, dtype=np.int64)] |= np.uint64(1) << np.uint64(
                    position
                )
            inside = membership[context]
            per_input.append(np.unique(inside[inside != 0], return_counts=True))
            total, table = population_fractions(context.size, max_order)
            counts.append(total)
            tables.append(table)
        found = [cells for cells, _ in per_input]
        masks = np.unique(np.concatenate([*found, np.zeros(0, dtype=np.uint64)]))
        sizes = np.zeros((masks.size, len(per_input)))
        for i, (cells, numbers) in enumerate(per_input):
            sizes[np.searchsorted(masks, cells), i] = numbers
        features = np.asarray([table.size - 1 for table in tables], dtype=np.int64)
        padded = np.zeros((len(tables), int(features.max(initial=0)) + 1))
        for i, table in enumerate(tables):
            padded[i, : table.size] = table
        return cls(
            masks=masks,
            sizes=sizes,
            counts=np.asarray(counts, dtype=np.float64),
            tables=padded,
            features=features,
        )

    @property
    def inputs(self) -> int:
        return int(self.counts.size)

    def avoiding(self, union: np.ndarray) -> np.ndarray:
        """``[c, N]``: fraction of each input's population inside ``C`` minus the atoms of
        the bitmasks ``union`` ``[c]``."""
        hit = (self.masks[None, :] & union[:, None]) != 0
        removed = (hit.astype(np.float64) @ self.sizes).astype(np.int64)
        rows = np.arange(self.inputs)[None, :]
        return self.tables[rows, self.features[None, :] - removed]

    def conjunctions(self, pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
        """``[c, N]``: fraction of each population on which the conjunction ``(pos, neg)``
        (uint64 bitmasks of the present and the absent atoms) is true (module doc)."""
        pos = np.asarray(pos, dtype=np.uint64)
        neg = np.asarray(neg, dtype=np.uint64)
        bits, rest = [], pos.copy()
        while rest.any():
            low = rest & (~rest + np.uint64(1))
            bits.append(low)
            rest = rest ^ low
        out = np.zeros((pos.size, self.inputs))
        for subset in range(1 << len(bits)):
            union, usable = neg.copy(), np.ones(pos.size, dtype=bool)
            chosen = [bits[t] for t in range(len(bits)) if subset >> t & 1]
            for low in chosen:
                union |= low
                usable &= low != 0
            if usable.any():
                sign = -1.0 if len(chosen) % 2 else 1.0
                out[usable] += sign * self.avoiding(union[usable])
        out[(pos & neg) != 0] = 0.0
        return np.clip(out, 0.0, 1.0)


def weighted_correlation(
    fraction: np.ndarray,
    extra: np.ndarray,
    weighted_mu: np.ndarray,
    *,
    count: np.ndarray,
    extra_total: np.ndarray,
    mu_total: np.ndarray,
    mu_square_total: np.ndarray,
) -> np.ndarray:
    """``rho`` of queries from population sums (module doc), broadcast over ``[..., N]``.

    ``fraction``: ``q̄`` over the population; ``extra``: ``sum_{listed, q} (w_L - 1)``;
    ``weighted_mu``: ``sum_{listed, q} w_L mu_L``; per input ``count = |P|``,
    ``extra_total = sum_listed (w_L - 1)``, ``mu_total = sum w_L mu_L`` and
    ``mu_square_total = sum w_L mu_L^2``.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        safe = np.where(count > 0, count, 1.0)
        weight = 1.0 + extra_total / safe
        mean_q = (fraction + extra / safe) / weight
        mean_mu = mu_total / safe / weight
        second_mu = mu_square_total / safe / weight
        var_mu = second_mu - mean_mu**2
        covariance = weighted_mu / safe / weight - mean_q * mean_mu
        var_q = mean_q * (1.0 - mean_q)
        scale = np.sqrt(np.maximum(var_q, 0.0) * np.maximum(var_mu, 0.0))
        varies = (fraction * count >= 0.5) & ((1.0 - fraction) * count >= 0.5)
        defined = varies & (var_q > 0) & (var_mu > 1e-12 * second_mu) & (count > 0)
        defined = defined & np.isfinite(scale) & (scale > 0)
        return np.divide(covariance, scale, out=np.zeros(np.shape(covariance)), where=defined)
