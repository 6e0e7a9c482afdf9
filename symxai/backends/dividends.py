"""Exact Harsanyi dividends as a backend computes them: plain arrays.

A backend with a shortcut to the complete decomposition (LRP walks: ``mu(L)`` is the
summed relevance of the walks whose visited node set is ``L``) returns
:class:`Dividends`; the explanation turns them into a
:class:`~symxai.Decomposition` over its named features
(:meth:`~symxai.Decomposition.from_dividends`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dividends"]


@dataclass(frozen=True)
class Dividends:
    """Dividends ``mu(L_r)`` ``[m]`` of the coalitions ``L_r`` listed in ``members``.

    ``members`` is an int array ``[m, k]``: row ``r`` holds the features of ``L_r`` in
    increasing order, padded with ``-1`` (a row of ``-1`` is the empty set). ``complete``
    is True when every coalition not listed has dividend 0, so that
    ``v(S) = sum_{L_r ⊆ S} mu(L_r)`` for every ``S`` over the ``n`` features.
    """

    n: int
    members: np.ndarray
    values: np.ndarray
    complete: bool

    @property
    def max_order(self) -> int:
        """The largest coalition size the rows can hold (``k``)."""
        return int(self.members.shape[1])
