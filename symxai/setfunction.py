"""Batched, cached set functions ``v : 2^N -> R``.

A backend turns one model input into a set function over its ``n`` features: the
relevance (or the model output) of a coalition ``S``. Every consumer in symxai asks
for many coalitions at once, as a boolean mask matrix ``[B, n]``, and the backend
answers with ``[B]`` values from batched passes. :class:`SetFunction` adds what
every backend needs on top: de-duplication of the requested coalitions, a cache, a
batch-size limit, a count of the value calls made, and the full table of ``2^n``
values for exact decompositions.

Coalitions are identified with bitmask codes where it helps: ``S`` has code
``sum(2**i for i in S)``, so feature 0 is bit 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from symxai.errors import FeatureSpaceError
from symxai.progress import PROGRESS_THRESHOLD
from symxai.progress import progress as announced_progress

__all__ = ["MAX_EXACT_FEATURES", "SetFunction", "masks_from_codes"]

MAX_EXACT_FEATURES = 24
"""Largest ``n`` for which a full table of ``2^n`` values is built (16.7 M coalitions)."""

BatchFn = Callable[[np.ndarray], Any]


def masks_from_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """Bool masks ``[len(codes), n]`` of the coalitions with the given bitmask codes."""
    codes = np.asarray(codes, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(bool)


def _distinct_rows(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """The distinct rows of bool ``masks`` ``[B, n]`` in lexicographic order (as
    ``np.unique(masks, axis=0)``), the index of each row's distinct row, and each distinct
    row's packed bytes (the cache key).

    Rows are compared as their packed bytes (``np.packbits``, first feature in the highest
    bit), whose byte-wise order is the lexicographic order of the rows: one sort of ``B``
    short byte strings instead of a sort over ``n`` boolean fields.
    """
    if masks.shape[1] == 0:
        return masks[:1], np.zeros(masks.shape[0], dtype=np.intp), [b""]
    packed = np.packbits(masks, axis=1)
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    distinct, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    return masks[first], inverse.reshape(-1), [row.tobytes() for row in distinct]


def _to_float_array(values: Any, expected: int) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().double().numpy()
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.shape != (expected,):
        raise ValueError(
            f"set function returned {array.size} values for a batch of {expected} coalitions"
        )
    return array


class SetFunction:
    """A set function over ``n`` features, evaluated in batches and cached.

    Parameters
    ----------
    fn:
        ``fn(masks) -> values``: ``masks`` is a numpy bool array ``[B, n]`` (row ``b`` is
        coalition ``S_b``), the result has ``B`` numbers (numpy array, list or torch
        tensor). ``fn`` must compute all rows in batched passes.
    n:
        Number of features.
    batch_size:
        Largest ``B`` handed to ``fn`` at once (``None``: everything in one call).
    cache:
        Keep every computed value, so that repeated coalitions cost nothing.
    progress_threshold:
        From this many coalitions in one request on, the count is announced up front
        and a progress bar drawn (:mod:`symxai.progress`); below it nothing is shown.
        Progress is reported per chunk: ``batch_size``, else a multiple of the batch
        size of ``fn`` when ``fn`` has a ``batch_size`` attribute (the backends).

    Attributes
    ----------
    calls:
        Number of distinct coalitions evaluated by ``fn`` so far (value calls).
    batches:
        Number of times ``fn`` was invoked.
    """

    def __init__(
        self,
        fn: BatchFn,
        n: int,
        *,
        batch_size: int | None = None,
        cache: bool = True,
        progress_threshold: int = PROGRESS_THRESHOLD,
    ) -> None:
        if int(n) < 0:
            raise FeatureSpaceError(f"a set function needs n >= 0 features, got {n}")
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.fn = fn
        self.n = int(n)
        self.batch_size = batch_size
        self.cache_enabled = cache
        self._cache: dict[bytes, float] = {}
        self._table: np.ndarray | None = None
        self.calls = 0
        self.batches = 0
        self.progress_threshold = progress_threshold
        self._advance: Callable[[int], None] | None = None

    @classmethod
    def from_table(cls, table: np.ndarray) -> SetFunction:
        """The set function whose value on the coalition with code ``c`` is ``table[c]``."""
        table = np.asarray(table, dtype=np.float64)
        n = int(np.log2(table.size)) if table.size else -1
        if table.ndim != 1 or table.size != 2**n:
            raise ValueError(f"a value table needs 2^n entries, got shape {table.shape}")
        weights = 1 << np.arange(n, dtype=np.int64)

        def lookup(masks: np.ndarray) -> np.ndarray:
            return table[masks.astype(np.int64) @ weights]

        return cls(lookup, n)

    def __repr__(self) -> str:
        return f"SetFunction(n={self.n}, calls={self.calls}, batches={self.batches})"

    # ------------------------------------------------------------ evaluation
    def _check(self, masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks)
        if masks.ndim == 1:
            masks = masks[None, :]
        if masks.ndim != 2 or masks.shape[1] != self.n:
            raise FeatureSpaceError(
                f"coalition masks must have shape [B, {self.n}], got {tuple(masks.shape)}"
            )
        if masks.dtype != bool:
            if not np.isin(masks, (0, 1)).all():
                raise FeatureSpaceError("coalition masks must be boolean (or 0/1)")
            masks = masks.astype(bool)
        return masks

    @contextmanager
    def progress(self, total: int) -> Iterator[None]:
        """Report the evaluation of ``total`` coalitions made inside this context: a
        message up front and a bar (:mod:`symxai.progress`) when ``total`` reaches
        ``progress_threshold``; silent below it and inside an outer report."""
        if self._advance is not None or total < self.progress_threshold:
            yield
            return
        message = (
            f"symxai: evaluating {total:,} coalitions of {self.n} features "
            f"(value calls of {type(self.fn).__name__}); this may take a while"
        )
        with announced_progress(total, message) as advance:
            self._advance = advance
            try:
                yield
            finally:
                self._advance = None

    def _chunk_size(self, total: int) -> int:
        if self.batch_size:
            return self.batch_size
        if self._advance is None:
            return max(1, total)
        inner = int(getattr(self.fn, "batch_size", None) or 1)
        return inner * max(1, total // (100 * inner))

    def _evaluate(self, masks: np.ndarray) -> np.ndarray:
        """Call ``fn`` on distinct coalitions, in chunks of ``batch_size`` (or, while
        progress is shown, in about a hundred chunks aligned with ``fn``'s batches)."""
        size = self._chunk_size(masks.shape[0])
        out = np.empty(masks.shape[0], dtype=np.float64)
        for start in range(0, masks.shape[0], size):
            chunk = masks[start : start + size]
            out[start : start + size] = _to_float_array(self.fn(chunk), chunk.shape[0])
            self.batches += 1
            if self._advance is not None:
                self._advance(chunk.shape[0])
        self.calls += masks.shape[0]
        return out

    def __call__(self, masks: np.ndarray) -> np.ndarray:
        """Values ``[B]`` of the coalitions ``masks`` (bool ``[B, n]`` or one mask ``[n]``)."""
        masks = self._check(masks)
        if masks.shape[0] == 0:
            return np.empty(0, dtype=np.float64)
        if self._table is not None:
            return self._table[masks.astype(np.int64) @ (1 << np.arange(self.n, dtype=np.int64))]
        unique, inverse, keys = _distinct_rows(masks)
        values = np.empty(unique.shape[0], dtype=np.float64)
        missing = []
        for row, key in enumerate(keys):
            cached = self._cache.get(key)
            if cached is None:
                missing.append(row)
            else:
                values[row] = cached
        if missing:
            with self.progress(len(missing)):
                computed = self._evaluate(unique[missing])
            values[missing] = computed
            if self.cache_enabled:
                self._cache.update(zip((keys[r] for r in missing), computed.tolist(), strict=True))
        return values[inverse]

    def value(self, mask: np.ndarray) -> float:
        """Value of one coalition given as a bool mask of length ``n``."""
        return float(self(np.asarray(mask)[None, :])[0])

    def table(self) -> np.ndarray:
        """All ``2^n`` values, entry ``c`` being ``v`` of the coalition with code ``c``.

        Evaluated in batches of ``batch_size`` (default 65,536) and kept.
        """
        if self._table is not None:
            return self._table
        if self.n > MAX_EXACT_FEATURES:
            raise FeatureSpaceError(
                f"{self.n} features are too many for the full table of 2^{self.n} coalitions "
                f"(at most {MAX_EXACT_FEATURES}); restrict to a context or limit the order"
            )
        total = 1 << self.n
        size = self.batch_size or 65536
        table = np.empty(total, dtype=np.float64)
        with self.progress(total):
            for start in range(0, total, size):
                codes = np.arange(start, min(total, start + size), dtype=np.int64)
                masks = masks_from_codes(codes, self.n)
                table[start : start + codes.size] = self._evaluate(masks)
        self._table = table
        return table

    def clear_cache(self) -> None:
        """Forget every cached value (the call counters are kept)."""
        self._cache.clear()
        self._table = None
