"""Multi-order decomposition of a set function into Harsanyi dividends.

The Harsanyi dividend (the Möbius transform of ``v``) of a coalition ``L`` is

.. math::  \\mu(L) = \\sum_{K \\subseteq L} (-1)^{|L| - |K|}\\, v(K),
           \\qquad v(S) = \\sum_{L \\subseteq S} \\mu(L).

For GNN-LRP, ``mu(L)`` is the summed relevance of the walks whose set of visited
nodes is exactly ``L`` (Schnake et al., TPAMI 2022; Schnake et al., Information
Fusion 2025). Three ways to get the dividends:

* :func:`moebius_transform`: all ``2^n`` dividends from the value table, the fast
  subset-sum transform in ``O(n 2^n)`` (in place, vectorised over the table),
* :func:`harsanyi_dividends` with ``max_order=k``: only ``|L| <= k``, from the
  ``sum_{j<=k} C(n, j)`` values ``v(K)``, ``|K| <= k``, by inclusion-exclusion,
* either of them restricted to a ``context`` ``C``: features outside ``C`` are held
  absent and only ``L ⊆ C`` are enumerated.

The result is a :class:`Decomposition`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from symxai.errors import FeatureSpaceError
from symxai.setfunction import MAX_EXACT_FEATURES, SetFunction, masks_from_codes

if TYPE_CHECKING:
    from symxai.backends.dividends import Dividends
    from symxai.features import FeatureSpace

__all__ = [
    "Decomposition",
    "harsanyi_dividends",
    "moebius_transform",
    "zeta_transform",
]


def _subset_sum(table: np.ndarray, sign: float) -> np.ndarray:
    n = int(table.size).bit_length() - 1
    if table.ndim != 1 or table.size != 1 << n:
        raise ValueError(f"a subset table needs 2^n entries, got shape {table.shape}")
    for i in range(n):
        view = table.reshape(-1, 2, 1 << i)
        if sign > 0:
            view[:, 1, :] += view[:, 0, :]
        else:
            view[:, 1, :] -= view[:, 0, :]
    return table


def moebius_transform(values: np.ndarray, *, inplace: bool = False) -> np.ndarray:
    """Harsanyi dividends of a full value table (fast Möbius transform, ``O(n 2^n)``).

    ``values[c]`` is ``v`` of the coalition with bitmask code ``c``; the result holds
    ``mu(L) = sum_{K ⊆ L} (-1)^{|L|-|K|} v(K)`` at the code of ``L``. One pass per
    feature ``i`` subtracts the half-table without ``i`` from the half with ``i``.
    """
    table = values if inplace else np.array(values, dtype=np.float64, copy=True)
    return _subset_sum(table, -1.0)


def zeta_transform(dividends: np.ndarray, *, inplace: bool = False) -> np.ndarray:
    """Inverse of :func:`moebius_transform`: ``v(S) = sum_{L ⊆ S} mu(L)``."""
    table = dividends if inplace else np.array(dividends, dtype=np.float64, copy=True)
    return _subset_sum(table, 1.0)


def _popcount(codes: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(codes.astype(np.uint64)).astype(np.int64)
    bits = np.zeros(codes.shape, dtype=np.int64)
    work = codes.astype(np.int64).copy()
    while work.any():
        bits += work & 1
        work >>= 1
    return bits


class Decomposition:
    """Harsanyi dividends of one set function: ``mu(L)`` for an enumerated family of ``L``.

    The family is every subset of a context ``C`` (``complete``), every subset of ``C``
    up to ``max_order`` features, or the coalitions visited by relevant walks (complete:
    all other dividends are 0). Subsets are reported with global
    feature indices. Internally a complete decomposition is a dense table indexed by
    bitmask codes over the positions of ``C``; an order-limited one lists members.

    Use :meth:`top`, :meth:`to_pandas`, ``decomposition[subset]``, :meth:`value`,
    :meth:`by_order` and :meth:`to_shapiq`. ``target`` names the explained output where
    it is known (``"mutagen - nonmutagen"``, ``"logS"``; set by
    :meth:`~symxai.explanation.Explanation.dividends`), else ``None``.
    """

    def __init__(
        self,
        n: int,
        context: np.ndarray,
        values: np.ndarray,
        *,
        codes: np.ndarray | None = None,
        members: np.ndarray | None = None,
        max_order: int,
        space: FeatureSpace | None = None,
        complete: bool | None = None,
        target: str | None = None,
    ) -> None:
        if (codes is None) == (members is None):
            raise ValueError("give exactly one of codes (complete) or members (order-limited)")
        self.n = int(n)
        self.context = np.asarray(context, dtype=np.int64)
        self.values = np.asarray(values, dtype=np.float64)
        self._codes = codes
        self._members = members
        self.max_order = int(max_order)
        self.space = space
        self._complete = complete
        self.target = target

    @classmethod
    def from_dividends(
        cls, dividends: Dividends, space: FeatureSpace | None = None
    ) -> Decomposition:
        """The decomposition of a backend's exact :class:`~symxai.backends.Dividends` (the
        listed coalitions, global feature indices, context = all ``n`` features), named
        by ``space``; complete when the backend says every unlisted dividend is 0."""
        return cls(
            dividends.n,
            np.arange(dividends.n),
            dividends.values,
            members=dividends.members,
            max_order=dividends.max_order,
            space=space,
            complete=dividends.complete,
        )

    # ------------------------------------------------------------ structure
    @property
    def complete(self) -> bool:
        """True when the decomposition is exact: every coalition of the context is either
        enumerated or known to have dividend 0 (walk-based decompositions)."""
        if self._complete is not None:
            return self._complete
        return self._codes is not None and self.max_order >= self.context.size

    def __len__(self) -> int:
        return int(self.values.size)

    def __repr__(self) -> str:
        kind = "complete" if self.complete else f"orders <= {self.max_order}"
        return f"Decomposition({len(self)} dividends, {kind}, context of {self.context.size})"

    @property
    def orders(self) -> np.ndarray:
        """``|L|`` of every enumerated coalition."""
        if self._codes is not None:
            return _popcount(self._codes)
        return (self._members >= 0).sum(axis=1)  # type: ignore[operator]

    @property
    def empty_value(self) -> float:
        """``mu(∅) = v(∅)``."""
        return float(self.values[self.orders == 0].sum())

    def subsets(self, rows: Iterable[int] | None = None) -> list[tuple[int, ...]]:
        """The coalitions at ``rows`` (all when ``None``) as sorted tuples of feature indices."""
        rows = np.arange(len(self)) if rows is None else np.asarray(list(rows), dtype=np.int64)
        if self._codes is not None:
            masks = masks_from_codes(self._codes[rows], self.context.size)
            return [tuple(int(i) for i in self.context[mask]) for mask in masks]
        members = self._members[rows]  # type: ignore[index]
        return [tuple(int(i) for i in row if i >= 0) for row in members]

    def presence(self, atom_sets: Sequence[np.ndarray], rows: slice | None = None) -> np.ndarray:
        """``[M, a]`` bools: whether coalition ``L_r`` meets atom set ``A_j`` (``L ∩ A ≠ ∅``),
        for every enumerated coalition or for the rows of ``rows`` (a slice)."""
        rows = slice(None) if rows is None else rows
        if self._codes is not None:
            codes = self._codes[rows]
            out = np.zeros((codes.size, len(atom_sets)), dtype=bool)
            position = {int(f): p for p, f in enumerate(self.context)}
            for j, atom in enumerate(atom_sets):
                bits = [position[int(i)] for i in atom if int(i) in position]
                code = int(sum(1 << b for b in bits))
                out[:, j] = (codes & code) != 0
            return out
        members = self._members[rows]  # type: ignore[index]
        out = np.zeros((members.shape[0], len(atom_sets)), dtype=bool)
        for j, atom in enumerate(atom_sets):
            out[:, j] = np.isin(members, np.asarray(atom)).any(axis=1)
        return out

    def _rows_within(self, subset: np.ndarray) -> np.ndarray:
        """Bool over rows: coalition ``L ⊆ subset``."""
        inside = np.zeros(self.n, dtype=bool)
        inside[subset] = True
        if self._codes is not None:
            code = int(sum(1 << p for p, f in enumerate(self.context) if inside[f]))
            return (self._codes & ~np.int64(code)) == 0
        members = self._members
        return np.where(members >= 0, inside[np.maximum(members, 0)], True).all(axis=1)  # type: ignore[operator]

    def _indices(self, subset: Iterable[int | str]) -> np.ndarray:
        if self.space is not None:
            return self.space.indices(subset)
        indices = np.unique(np.asarray([int(i) for i in subset], dtype=np.int64))
        if indices.size and (indices.min() < 0 or indices.max() >= self.n):
            raise FeatureSpaceError(f"subset {tuple(indices)} has indices outside 0..{self.n - 1}")
        return indices

    def __getitem__(self, subset: Iterable[int | str]) -> float:
        """The dividend ``mu(L)`` of one coalition, given by indices or feature names."""
        indices = self._indices(subset)
        outside = np.setdiff1d(indices, self.context)
        if outside.size:
            return 0.0
        if indices.size > self.max_order and not self.complete:
            raise KeyError(
                f"coalition of order {indices.size} is beyond this decomposition's "
                f"max_order={self.max_order}"
            )
        rows = np.flatnonzero(self._rows_within(indices) & (self.orders == indices.size))
        return float(self.values[rows[0]]) if rows.size else 0.0

    def value(self, subset: Iterable[int | str]) -> float:
        """``sum_{L ⊆ S} mu(L)``: ``v(S ∩ C)`` when complete, else its order-``k`` truncation."""
        return float(self.values[self._rows_within(self._indices(subset))].sum())

    def restrict(
        self, context: np.ndarray | None = None, max_order: int | None = None
    ) -> Decomposition:
        """The dividends of ``L ⊆ C`` with ``|L| <= max_order``: the decomposition of the
        game restricted to the context (``v_C(S) = v(S ∩ C)`` has the same ``mu(L)`` for
        ``L ⊆ C``), truncated by order."""
        mask = np.ones(self.n, dtype=bool) if context is None else np.asarray(context, bool)
        rows = self._rows_within(np.flatnonzero(mask))
        order = self.max_order if max_order is None else min(max_order, self.max_order)
        rows &= self.orders <= order
        keep = np.flatnonzero(rows)
        complete = self.complete and (max_order is None or max_order >= mask.sum())
        if self._codes is not None:
            if context is not None and not mask[self.context].all():
                raise ValueError("restricting a dense decomposition to a smaller context")
            return Decomposition(
                self.n,
                self.context,
                self.values[keep],
                codes=self._codes[keep],
                max_order=order,
                space=self.space,
                complete=complete,
                target=self.target,
            )
        return Decomposition(
            self.n,
            np.flatnonzero(mask),
            self.values[keep],
            members=self._members[keep],
            max_order=order,
            space=self.space,
            complete=complete,
            target=self.target,
        )

    def by_order(self) -> pd.Series:
        """Summed dividends per order ``|L|`` (order 0 is ``v(∅)``)."""
        return pd.Series(self.values).groupby(self.orders).sum().rename("dividend")

    # ------------------------------------------------------------- reports
    def _names(self, subset: tuple[int, ...]) -> str:
        if self.space is None:
            return "{" + ", ".join(f"#{i}" for i in subset) + "}"
        labels = self.space.display_names
        return "{" + ", ".join(labels[i] for i in subset) + "}"

    def _frame(self, rows: np.ndarray) -> pd.DataFrame:
        subsets = self.subsets(rows)
        return pd.DataFrame(
            {
                "subset": subsets,
                "names": [self._names(s) for s in subsets],
                "order": self.orders[rows],
                "dividend": self.values[rows],
            }
        )

    def to_pandas(self, min_order: int = 0) -> pd.DataFrame:
        """One row per coalition: ``subset`` (tuple), ``names`` (the features'
        :attr:`~symxai.FeatureSpace.display_names`: words for a sentence), ``order``,
        ``dividend``."""
        return self._frame(np.flatnonzero(self.orders >= min_order))

    def top(self, k: int = 10, *, by: str = "abs", min_order: int = 1) -> pd.DataFrame:
        """The ``k`` coalitions with the largest ``|mu|`` (``by="abs"``), ``mu`` (``"value"``)
        or most negative ``mu`` (``"negative"``), among orders ``>= min_order``."""
        rows = np.flatnonzero(self.orders >= min_order)
        score = {"abs": np.abs, "value": lambda x: x, "negative": lambda x: -x}.get(by)
        if score is None:
            raise ValueError(f"by must be 'abs', 'value' or 'negative', got {by!r}")
        keys = score(self.values[rows])
        return self._frame(rows[np.argsort(-keys, kind="stable")[: min(k, rows.size)]])

    def to_shapiq(self) -> Any:
        """The dividends as ``shapiq.InteractionValues`` with index ``"Moebius"``.

        Requires the optional dependency ``shapiq`` (``pip install symxai[shapiq]``).
        """
        try:
            import shapiq
        except ImportError as error:  # pragma: no cover - exercised only without shapiq
            raise ImportError("to_shapiq needs shapiq: pip install 'symxai[shapiq]'") from error
        subsets = self.subsets()
        return shapiq.InteractionValues(
            values=self.values.copy(),
            index="Moebius",
            max_order=int(self.orders.max()) if len(self) else 0,
            min_order=0,
            n_players=self.n,
            interaction_lookup={subset: row for row, subset in enumerate(subsets)},
            estimated=not self.complete,
            baseline_value=self.empty_value,
        )


def _context_indices(n: int, context: np.ndarray | None) -> np.ndarray:
    if context is None:
        return np.arange(n, dtype=np.int64)
    context = np.asarray(context)
    if context.dtype == bool:
        if context.shape != (n,):
            raise FeatureSpaceError(f"context mask of shape {context.shape}, expected ({n},)")
        return np.flatnonzero(context)
    return np.unique(context.astype(np.int64))


def _exact(set_function: SetFunction, context: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = context.size
    if m > MAX_EXACT_FEATURES:
        raise FeatureSpaceError(
            f"an exact decomposition of {m} features needs 2^{m} value calls; at most "
            f"{MAX_EXACT_FEATURES} features are supported: pass max_order=k (e.g. 3) or a "
            "smaller context"
        )
    codes = np.arange(1 << m, dtype=np.int64)
    if m == set_function.n:
        table = set_function.table().copy()
    else:
        size = set_function.batch_size or 65536
        table = np.empty(codes.size, dtype=np.float64)
        with set_function.progress(codes.size):
            for start in range(0, codes.size, size):
                local = masks_from_codes(codes[start : start + size], m)
                masks = np.zeros((local.shape[0], set_function.n), dtype=bool)
                masks[:, context] = local
                table[start : start + local.shape[0]] = set_function(masks)
    return codes, moebius_transform(table, inplace=True)


def _order_limited(
    set_function: SetFunction, context: np.ndarray, max_order: int
) -> tuple[np.ndarray, np.ndarray]:
    """Members ``[M, k]`` (padded with -1) and dividends of all ``L ⊆ C`` with ``|L| <= k``.

    ``mu(L) = sum_{K ⊆ L} (-1)^{|L|-|K|} v(K)``, vectorised per (order, sub-pattern): the
    sub-coalitions are looked up by their code ``sum_t (pos_t + 1) (m + 1)^t``.
    """
    m, k = context.size, min(max_order, context.size)
    if (m + 1) ** max(k, 1) >= 2**62:
        raise FeatureSpaceError(f"order {k} over {m} features is too large to enumerate")
    positions = np.full((sum(math.comb(m, j) for j in range(k + 1)), max(k, 1)), -1, np.int64)
    row = 1
    for order in range(1, k + 1):
        combos = np.asarray(list(itertools.combinations(range(m), order)), dtype=np.int64)
        positions[row : row + combos.shape[0], :order] = combos
        row += combos.shape[0]
    radix = (m + 1) ** np.arange(positions.shape[1], dtype=np.int64)
    codes = ((positions + 1) * radix).sum(axis=1)
    order_of_row = (positions >= 0).sum(axis=1)
    masks = np.zeros((positions.shape[0], set_function.n), dtype=bool)
    rows = np.repeat(np.arange(positions.shape[0]), order_of_row)
    masks[rows, context[positions[positions >= 0]]] = True
    values = set_function(masks)
    sorter = np.argsort(codes)
    dividends = values.copy()
    for order in range(1, k + 1):
        selected = np.flatnonzero(order_of_row == order)
        block = positions[selected, :order]
        for pattern in range(0, (1 << order) - 1):
            keep = [t for t in range(order) if pattern >> t & 1]
            sub = ((block[:, keep] + 1) * radix[: len(keep)]).sum(axis=1)
            found = sorter[np.searchsorted(codes, sub, sorter=sorter)]
            sign = -1.0 if (order - len(keep)) % 2 else 1.0
            dividends[selected] += sign * values[found]
    members = np.where(positions >= 0, context[np.maximum(positions, 0)], -1)
    return members, dividends


def harsanyi_dividends(
    set_function: SetFunction,
    *,
    max_order: int | None = None,
    context: np.ndarray | None = None,
    space: FeatureSpace | None = None,
) -> Decomposition:
    """Harsanyi dividends ``mu(L)`` of ``set_function`` for ``L ⊆ context``.

    ``max_order=None`` gives the exact, complete decomposition (``2^|C|`` value calls,
    ``|C| <= 24``); ``max_order=k`` enumerates ``|L| <= k`` from the values of all
    coalitions of at most ``k`` features.
    """
    context = _context_indices(set_function.n, context)
    if max_order is None or max_order >= context.size:
        codes, dividends = _exact(set_function, context)
        return Decomposition(
            set_function.n, context, dividends, codes=codes, max_order=context.size, space=space
        )
    if max_order < 0:
        raise ValueError(f"max_order must be >= 0, got {max_order}")
    members, dividends = _order_limited(set_function, context, max_order)
    return Decomposition(
        set_function.n, context, dividends, members=members, max_order=max_order, space=space
    )
