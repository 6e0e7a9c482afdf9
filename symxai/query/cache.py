"""What stays the same between queries on one explanation: resolved atoms and plans.

A user exploring one input asks many queries of one :class:`~symxai.Explanation`.
Query texts are parsed once each (:func:`~symxai.query.parse_query` keeps its ASTs);
this cache keeps, per explanation,

* the feature indices of every atom, ``(atom, missing) -> A_i`` (resolution depends
  only on the feature space: a name, a label, a group or a SMARTS match in RDKit);
* the number ``k_q`` of distinct atom sets of every query (the closed form costs
  ``2^{k_q}`` value calls), ``(query, missing) -> k_q``;
* the closed-form :class:`~symxai.relevance.RelevancePlan` of every tuple of queries,
  ``(queries, context C, missing) -> plan``: the ``2^k`` coalitions
  ``C \\ ∪_{i∉B} A_i`` and the truth tables ``q(B)``.

Each entry is exactly what the uncached computation returns (the same functions are
called on a miss), so cached and uncached relevances are equal. Arrays handed out are
read-only: callers share them. Atoms that fail to resolve are not cached, so their error
points at the atom in the query text every time. The feature space must not change
after the first query (resolution is not recomputed). Each table holds at most
``max_entries`` keys; the oldest are dropped first.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from symxai.features import FeatureSpace
from symxai.query.ast import Atom, Query
from symxai.relevance import RelevancePlan

__all__ = ["QueryCache"]

MAX_ENTRIES = 4096
"""Default size of each table (atoms, atom-set counts, plans)."""


class QueryCache:
    """Resolved atoms, atom-set counts and closed-form plans of one feature space."""

    def __init__(self, space: FeatureSpace, max_entries: int = MAX_ENTRIES) -> None:
        self.space = space
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._atoms: dict[tuple[Atom, str], np.ndarray] = {}
        self._counts: dict[tuple[Query, str], int] = {}
        self._plans: dict[tuple[tuple[Query, ...], bytes, str], RelevancePlan] = {}

    def _store(self, table: dict, key: object, value: object) -> None:
        with self._lock:
            while len(table) >= self.max_entries:
                table.pop(next(iter(table)))
            table[key] = value

    def resolve(self, query: Query, source: str, missing: str) -> dict[Atom, np.ndarray]:
        """Index set of every atom of ``query`` (as
        :meth:`~symxai.features.FeatureSpace.resolve_query`), read-only."""
        out = {}
        for atom in query.atoms():
            indices = self._atoms.get((atom, missing))
            if indices is None:
                indices = self.space.resolve(atom, source, missing)
                indices.setflags(write=False)
                self._store(self._atoms, (atom, missing), indices)
            out[atom] = indices
        return out

    def atom_set_count(self, query: Query, atom_sets: dict[Atom, np.ndarray], missing: str) -> int:
        """``k_q``: the number of distinct feature sets among the atoms of ``query``
        (atoms resolving to the same features count once)."""
        key = (query, missing)
        count = self._counts.get(key)
        if count is None:
            count = len(
                {np.packbits(self.space.mask(atom_sets[atom])).tobytes() for atom in query.atoms()}
            )
            self._store(self._counts, key, count)
        return count

    def harsanyi_plan(
        self,
        queries: Sequence[Query],
        atom_sets: dict[Atom, np.ndarray],
        context: np.ndarray,
        missing: str,
    ) -> RelevancePlan:
        """The closed-form plan of ``queries`` in ``context``
        (:meth:`RelevancePlan.build <symxai.relevance.RelevancePlan.build>`)."""
        key = (tuple(queries), np.packbits(context).tobytes(), missing)
        plan = self._plans.get(key)
        if plan is None:
            plan = RelevancePlan.build(queries, atom_sets, self.space.n, context)
            plan.masks.setflags(write=False)
            self._store(self._plans, key, plan)
        return plan
