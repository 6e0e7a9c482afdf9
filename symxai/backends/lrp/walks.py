"""Relevant walks ``(i_0, ..., i_T)`` of an LRP backend and their relevance ``R_W``.

Shared by the graph (GNN-LRP) and SchNet backends: a walk visits feature ``i_t`` after
layer ``t``; the walks whose node set is ``L`` sum to the Harsanyi dividend ``mu(L)``.
Walks hold feature indices; an explanation names them by its features
(:class:`~symxai.walks.NamedWalks`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from symxai.backends.dividends import Dividends

__all__ = ["Walks"]


@dataclass
class Walks:
    """Relevant walks ``(i_0, ..., i_T)`` and their relevance ``R_W``.

    ``exact`` is True when every walk of the graph was enumerated (then the walk sums
    reproduce ``v``); beam-searched top walks are an approximation.
    """

    nodes: np.ndarray
    relevance: np.ndarray
    num_nodes: int
    exact: bool

    def __len__(self) -> int:
        return int(self.relevance.size)

    def _label(self, walk: np.ndarray) -> str:
        """The walk as text, ``#0 → #3 → #3`` (feature indices)."""
        return " → ".join(f"#{i}" for i in walk)

    def to_pandas(self) -> pd.DataFrame:
        """One row per walk: ``walk`` (tuple of nodes), ``names``, ``relevance``."""
        return pd.DataFrame(
            {
                "walk": [tuple(int(i) for i in w) for w in self.nodes],
                "names": [self._label(w) for w in self.nodes],
                "relevance": self.relevance,
            }
        )

    def top(self, k: int = 10, *, by: str = "abs") -> pd.DataFrame:
        """The ``k`` walks with the largest ``|R_W|`` (``by="abs"``) or ``R_W`` (``"value"``)."""
        if by not in ("abs", "value"):
            raise ValueError(f"by must be 'abs' or 'value', got {by!r}")
        keys = np.abs(self.relevance) if by == "abs" else self.relevance
        order = np.argsort(-keys, kind="stable")[:k]
        frame = self.to_pandas().iloc[order].reset_index(drop=True)
        return frame

    def dividends(self) -> Dividends:
        """Harsanyi dividends from walks: ``mu(L) = sum_{W : set(W) = L} R_W`` (complete when
        ``exact``; every coalition visited by no walk has dividend 0, ``mu(∅) = 0``)."""
        ordered = np.sort(self.nodes, axis=1)
        repeated = np.zeros_like(ordered, dtype=bool)
        repeated[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
        members = np.where(repeated, np.iinfo(np.int64).max, ordered)
        members = np.sort(members, axis=1)
        members[members == np.iinfo(np.int64).max] = -1
        sets, inverse = np.unique(members, axis=0, return_inverse=True)
        dividends = np.bincount(inverse.reshape(-1), weights=self.relevance, minlength=len(sets))
        empty = np.full((1, sets.shape[1]), -1, dtype=np.int64)
        return Dividends(
            self.num_nodes,
            np.concatenate([empty, sets]),
            np.concatenate([[0.0], dividends]),
            complete=self.exact,
        )

    def edge_relevance(self, edge_index: np.ndarray) -> np.ndarray:
        """Per directed edge ``(i, j)``: summed ``R_W`` of the walks stepping across the bond
        ``{i, j}`` in either direction (a walk counts once per bond it uses)."""
        edge_index = np.asarray(edge_index)
        n = self.num_nodes
        steps_from, steps_to = self.nodes[:, :-1], self.nodes[:, 1:]
        moving = steps_from != steps_to
        low = np.minimum(steps_from, steps_to)
        high = np.maximum(steps_from, steps_to)
        bond_codes = np.where(moving, low * n + high, -1)
        walk_rows = np.repeat(np.arange(len(self)), bond_codes.shape[1])
        pairs = np.unique(np.stack([walk_rows, bond_codes.reshape(-1)], axis=1), axis=0)
        pairs = pairs[pairs[:, 1] >= 0]
        per_bond = np.bincount(pairs[:, 1], weights=self.relevance[pairs[:, 0]], minlength=n * n)
        keys = np.minimum(edge_index[0], edge_index[1]) * n + np.maximum(*edge_index)
        return per_bond[keys]
