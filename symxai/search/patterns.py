"""Coalition patterns and the per-pattern sums every search score is made of.

The *pattern* of a coalition ``L`` over ``m`` named atoms with feature sets
``A_0 .. A_{m-1}`` is the bitmask

.. math::  p(L) = \\sum_j [L \\cap A_j \\ne \\emptyset]\\, 2^j \\qquad (m \\le 63),

and a query ``q`` is true on ``L`` iff it is true under the assignment "atom ``j`` is
true iff bit ``j`` of ``p(L)`` is set".

The listed coalitions that add to a score (``mu ≠ 0`` or ``w ≠ 1``: an unlisted
coalition of the population has ``mu = 0, w = 1``) are aggregated once into their ``U``
distinct patterns, with per pattern and input

.. math::  s_x(p) = \\sum_{p(L) = p} (w_L - 1), \\quad
           s_{w\\mu}(p) = \\sum_{p(L) = p} w_L \\mu(L), \\quad
           s_\\mu(p) = \\sum_{p(L) = p} \\mu(L).

For a candidate ``q`` let ``S(q) = sum_{p : q(p)} s(p)``, one matrix-vector product of
its truth row over the patterns. The relevance is ``R(q) = S_mu(q)``. The correlation
is the weighted Pearson correlation of ``q(L)`` and ``mu(L)`` over the population ``P``
(every non-empty ``L ⊆ C`` with ``|L| <= max_order``, :mod:`symxai.population`): with
``q̄`` the fraction of ``P`` on which ``q`` is true, ``W = |P| + sum (w_L - 1)``,

.. math::
   m_q = \\frac{|P|\\,\\bar q + S_x(q)}{W}, \\quad
   m_\\mu = \\frac{\\sum w_L \\mu_L}{W}, \\quad
   \\rho(q) = \\frac{S_{w\\mu}(q)/W - m_q m_\\mu}
                  {\\sqrt{m_q (1 - m_q)\\,(\\sum w_L \\mu_L^2 / W - m_\\mu^2)}},

computed by :func:`symxai.population.weighted_correlation` from ``q̄, S_x, S_wmu`` and
the per-input totals. So the score is the same whether a decomposition lists its zero
dividends (a dense table) or not (walk dividends), and a query true on no coalition of
``P`` or on all of them scores 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sparse

from symxai.decomposition import Decomposition
from symxai.population import CellTable, weighted_correlation

__all__ = ["WORK_BLOCK_CELLS", "Listing", "Patterns", "coalition_patterns"]

WORK_BLOCK_CELLS = 1 << 21
"""Entries of one ``[candidates, patterns]`` work block."""
_DENSE_CELLS = 1 << 23  # largest dense [patterns, 3 * inputs] sum table


@dataclass
class Listing:
    """One input: pattern codes, weights and dividends of the listed non-empty coalitions
    that add to a score (``mu ≠ 0`` or ``w ≠ 1``: an unlisted coalition is a listed one
    with ``mu = 0, w = 1``), and what its population is made of."""

    codes: np.ndarray
    w: np.ndarray
    mu: np.ndarray
    context: np.ndarray
    positions: list[int]
    index_sets: list[np.ndarray]
    max_order: int


def coalition_patterns(
    decomposition: Decomposition,
    positions: Sequence[int],
    index_sets: Sequence[np.ndarray],
    weights: np.ndarray | None,
) -> Listing:
    """The :class:`Listing` of one decomposition over atoms at ``positions``."""
    nonempty = decomposition.orders > 0
    presence = decomposition.presence(list(index_sets))[nonempty]
    codes = np.zeros(presence.shape[0], dtype=np.uint64)
    for column, position in enumerate(positions):
        codes |= presence[:, column].astype(np.uint64) << np.uint64(position)
    mu = decomposition.values[nonempty]
    if weights is None:
        w = np.ones(mu.size)
    else:
        weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        if weights.size != len(decomposition):
            raise ValueError(
                f"weights has {weights.size} entries for {len(decomposition)} coalitions"
            )
        w = weights[nonempty]
    adds = (mu != 0) | (w != 1)
    return Listing(
        codes=codes[adds],
        w=w[adds],
        mu=mu[adds],
        context=decomposition.context,
        positions=list(positions),
        index_sets=list(index_sets),
        max_order=decomposition.max_order,
    )


@dataclass
class Patterns:
    """The distinct patterns of the listed coalitions of all inputs and, per pattern and
    input, ``s_x = sum (w_L - 1)``, ``s_wmu = sum w_L mu_L`` and ``s_mu = sum mu_L``; the
    populations' cells (:class:`~symxai.population.CellTable`) and per-input totals.

    ``sums`` is ``[G, 3 N]`` (dense, or CSR when large): column ``x N + i`` holds quantity
    ``x`` of input ``i``. Scores take ``[c, 4, N]`` arrays: the population fraction ``q̄``
    and the three sums (:meth:`with_fractions`).
    """

    codes: np.ndarray
    sums: np.ndarray | sparse.csr_matrix
    cells: CellTable
    extra_total: np.ndarray
    mu_total: np.ndarray
    mu_square_total: np.ndarray
    layouts: dict[str, np.ndarray | sparse.csr_matrix] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.inputs
        self.layouts = {
            "all": self.sums,
            "correlation": self._columns(0, 2 * n),
            "relevance": self._columns(2 * n, 3 * n),
        }

    def _columns(self, start: int, stop: int) -> np.ndarray | sparse.csr_matrix:
        if isinstance(self.sums, np.ndarray):
            return np.ascontiguousarray(self.sums[:, start:stop])
        return self.sums[:, start:stop].tocsr()

    @property
    def inputs(self) -> int:
        return int(self.extra_total.size)

    @classmethod
    def build(cls, parts: Sequence[Listing], *, strict: bool) -> Patterns:
        """The patterns of the listings ``parts`` (one per input); with ``strict`` a
        non-positive total weight is an error."""
        n = len(parts)
        codes = np.concatenate([p.codes for p in parts]) if n else np.zeros(0, np.uint64)
        w = np.concatenate([p.w for p in parts]) if n else np.zeros(0)
        mu = np.concatenate([p.mu for p in parts]) if n else np.zeros(0)
        owner = np.repeat(np.arange(n), [p.codes.size for p in parts])
        cells = CellTable.build(
            [(p.context, p.positions, p.index_sets, p.max_order) for p in parts]
        )
        extra_total = np.bincount(owner, weights=w - 1.0, minlength=n)
        if strict and (cells.counts + extra_total <= 0).any():
            raise ValueError("correlation weights must have a positive sum")
        distinct, pattern = np.unique(codes, return_inverse=True)
        pattern = pattern.reshape(-1)
        rows = np.concatenate([pattern] * 3)
        columns = np.concatenate([owner, owner + n, owner + 2 * n])
        values = np.concatenate([w - 1.0, w * mu, mu])
        shape = (distinct.size, 3 * n)
        table = sparse.coo_matrix((values, (rows, columns)), shape=shape).tocsr()
        sums: np.ndarray | sparse.csr_matrix = table
        if shape[0] * shape[1] <= _DENSE_CELLS:
            sums = table.toarray()
        return cls(
            codes=distinct,
            sums=sums,
            cells=cells,
            extra_total=extra_total,
            mu_total=np.bincount(owner, weights=w * mu, minlength=n),
            mu_square_total=np.bincount(owner, weights=w * mu**2, minlength=n),
        )

    def sums_of(self, truth: np.ndarray, layout: str = "all") -> np.ndarray:
        """``[c, 3, N]``: ``s_x, s_wmu, s_mu`` summed over the patterns where the candidates
        (truth rows ``[c, G]``) hold; with ``layout="correlation"`` only ``s_x, s_wmu``,
        with ``"relevance"`` only ``s_mu``."""
        out = np.asarray(truth.astype(np.float64) @ self.layouts[layout])
        return out.reshape(truth.shape[0], -1, self.inputs)

    @staticmethod
    def with_fractions(fractions: np.ndarray, sums: np.ndarray) -> np.ndarray:
        """``[c, 1 + x, N]``: the population fractions ``[c, N]`` before the sums."""
        return np.concatenate([fractions[:, None, :], sums], axis=1)

    def correlation(self, sums: np.ndarray) -> np.ndarray:
        """``[c, N]`` correlations from ``q̄, s_x, s_wmu`` (module doc)."""
        return weighted_correlation(
            sums[:, 0],
            sums[:, 1],
            sums[:, 2],
            count=self.cells.counts,
            extra_total=self.extra_total,
            mu_total=self.mu_total,
            mu_square_total=self.mu_square_total,
        )

    def metric(self, sums: np.ndarray, by: str) -> np.ndarray:
        """``[c, N]`` scores named by ``by`` from ``[c, x, N]`` arrays (``q̄, s_x, s_wmu``
        first, ``s_mu`` last; relevance is ``s_mu``)."""
        return self.correlation(sums) if by == "correlation" else sums[:, -1]

    def block(self) -> int:
        """Candidates per work block."""
        return max(1, WORK_BLOCK_CELLS // max(1, self.codes.size, 3 * self.inputs))
