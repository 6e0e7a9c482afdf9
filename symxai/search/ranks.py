"""Per-input ranks of chosen candidates among all candidates of a search.

The rank of candidate ``q`` on input ``i`` is ``1 + |{q' valid : key_i(q') > key_i(q)}|``,
``key_i`` the ``sign``-transformed score on input ``i`` (ties share the best rank;
equivalent duplicates count). The per-input scores come from :attr:`Search.stored` when
:meth:`~symxai.search.engine.Search.score` kept them, else from a second scoring pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from symxai.search.engine import Search
from symxai.search.options import signed
from symxai.search.patterns import WORK_BLOCK_CELLS

__all__ = ["input_ranks"]


def input_ranks(search: Search, chosen: Sequence[int]) -> np.ndarray:
    """``[t, N]``: rank (1 = best, ties share the best rank) of each chosen candidate
    among all valid candidates of each input, by the ``sign``-transformed score."""
    if search.stored is not None:
        mine = search.stored[list(chosen)]
        blocks: Iterator[np.ndarray] = iter([search.stored])
    else:
        mine = signed(search.patterns.metric(search.chosen_sums(chosen), search.by), search.sign)
        blocks = _rank_blocks(search)
    better = np.zeros(mine.shape, dtype=np.int64)
    step = max(1, WORK_BLOCK_CELLS // max(1, mine.size))
    for values in blocks:
        for start in range(0, values.shape[0], step):
            block = values[start : start + step]
            better += (block[:, None, :] > mine[None, :, :]).sum(axis=0)
    return better + 1


def _rank_blocks(search: Search) -> Iterator[np.ndarray]:
    """The ``sign``-transformed per-input scores of all candidates, block by block
    (``-inf`` for invalid ones)."""
    valid, offset = search.valid(), 0
    for sums in search.all_sums():
        values = signed(search.patterns.metric(sums, search.by), search.sign)
        values[~valid[offset : offset + values.shape[0]]] = -np.inf
        offset += values.shape[0]
        yield values
