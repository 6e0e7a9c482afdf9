"""One numbering of all candidates of a search, their truth, canonical form and name.

Candidates are numbered family by family (:mod:`symxai.search.candidates`): the ``K``
conjunctions first (``index < K``), then the chosen disjunction pairs, then the
Boolean functions of the groups. The *canonical* form of a candidate is the list of
atoms it depends on and its truth table over them; two candidates are logically
equivalent iff their canonical forms are equal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from symxai.query.ast import And, Atom, Not, Or, Query
from symxai.search.candidates import (
    conjunction_truth,
    conjunctions,
    essential,
    essential_counts,
    function_bits,
    sub_patterns,
)
from symxai.search.naming import FunctionNamer

__all__ = ["CandidateSet"]


class CandidateSet:
    """Conjunctions (``pos``, ``neg`` bitmasks, ``size`` literals), disjunction pairs
    (``first``, ``second`` conjunction numbers, set by :meth:`pair_up`) and function
    tables of the groups over ``atoms``."""

    def __init__(
        self,
        atoms: Sequence[Atom],
        *,
        max_literals: int,
        disjunctions: bool,
        groups: Sequence[int],
        max_pairs: int | None,
        beam: int,
    ) -> None:
        self.atoms = list(atoms)
        self.groups = list(groups)
        self.namer = FunctionNamer(self.atoms)
        self.pos, self.neg, self.size = conjunctions(len(atoms), max_literals)
        self.first = np.zeros(0, dtype=np.int64)
        self.second = np.zeros(0, dtype=np.int64)
        self.tables = np.zeros(0, dtype=np.int64)
        if self.groups:
            self.tables = np.arange(1, (1 << (1 << len(self.groups))) - 1, dtype=np.int64)
        self.disjunctions = disjunctions
        self.max_pairs = max_pairs
        self.beam = beam

    # counts and offsets of the families in the global candidate numbering
    @property
    def counts(self) -> tuple[int, int, int]:
        return self.pos.size, self.first.size, self.tables.size

    @property
    def total(self) -> int:
        return sum(self.counts)

    def all_pairs(self) -> bool:
        """Every pair of conjunctions is a disjunction (``C(K, 2) <= max_pairs``)."""
        k = self.pos.size
        return self.max_pairs is not None and math.comb(k, 2) <= self.max_pairs

    def planned_total(self) -> int:
        """Candidates a search will score (pairs from the beam)."""
        k = self.pos.size
        pairs = math.comb(min(self.beam, k), 2) if self.disjunctions else 0
        if self.disjunctions and self.all_pairs():
            pairs = math.comb(k, 2)
        return k + pairs + self.tables.size

    def pair_up(self, chosen: np.ndarray) -> None:
        """The disjunctions: every pair ``i < j`` of the conjunctions ``chosen`` (sorted)."""
        first, second = np.triu_indices(chosen.size, 1)
        self.first, self.second = chosen[first], chosen[second]

    def family(self, index: int) -> tuple[int, int]:
        """Family (0 conjunction, 1 disjunction, 2 function) and number within it."""
        k, p, _ = self.counts
        if index < k:
            return 0, index
        if index < k + p:
            return 1, index - k
        return 2, index - k - p

    # ------------------------------------------------------------- truth
    def truth(self, index: int, codes: np.ndarray) -> np.ndarray:
        """Truth of candidate ``index`` on the patterns ``codes``."""
        family, member = self.family(index)
        if family == 0:
            return conjunction_truth(self.pos[[member]], self.neg[[member]], codes)[0]
        if family == 1:
            pair = [self.first[member], self.second[member]]
            return conjunction_truth(self.pos[pair], self.neg[pair], codes).any(axis=0)
        bits = function_bits(self.tables[[member]], len(self.groups))[0]
        return bits[sub_patterns(codes, self.groups)]

    def truths(self, indices: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """``[len(indices), U]``: :meth:`truth` of many candidates, one array operation
        per family."""
        indices = np.asarray(indices, dtype=np.int64)
        out = np.zeros((indices.size, codes.size), dtype=bool)
        k, p, _ = self.counts
        conj = indices < k
        if conj.any():
            members = indices[conj]
            out[conj] = conjunction_truth(self.pos[members], self.neg[members], codes)
        pairs = (indices >= k) & (indices < k + p)
        if pairs.any():
            members = indices[pairs] - k
            first, second = self.first[members], self.second[members]
            out[pairs] = conjunction_truth(self.pos[first], self.neg[first], codes) | (
                conjunction_truth(self.pos[second], self.neg[second], codes)
            )
        functions = indices >= k + p
        if functions.any():
            bits = function_bits(self.tables[indices[functions] - k - p], len(self.groups))
            out[functions] = bits[:, sub_patterns(codes, self.groups)]
        return out

    def support_mask(self, index: int) -> int:
        """Bitmask of the atoms candidate ``index`` is written with."""
        family, member = self.family(index)
        if family == 0:
            return int(self.pos[member] | self.neg[member])
        if family == 1:
            pair = [self.first[member], self.second[member]]
            return int(np.bitwise_or.reduce(self.pos[pair] | self.neg[pair]))
        return sum(1 << j for j in self.groups)

    def canonical(self, index: int) -> tuple[tuple[int, ...], np.ndarray]:
        """The atoms the candidate depends on and its truth table over them (row bit
        ``t`` = ``t``-th of those atoms): equal for exactly the equivalent candidates."""
        mask = self.support_mask(index)
        variables = [j for j in range(len(self.atoms)) if mask >> j & 1]
        rows = np.arange(1 << len(variables), dtype=np.uint64)
        codes = np.zeros(rows.size, dtype=np.uint64)
        for t, j in enumerate(variables):
            codes |= ((rows >> np.uint64(t)) & np.uint64(1)) << np.uint64(j)
        return essential(variables, self.truth(index, codes))

    def query(self, index: int, canonical: tuple[tuple[int, ...], np.ndarray]) -> Query:
        """The formula of candidate ``index`` (a function is named from ``canonical``)."""
        family, member = self.family(index)
        if family == 0:
            return self._conjunction(member)
        if family == 1:
            first = self._conjunction(int(self.first[member]))
            return Or(first, self._conjunction(int(self.second[member])))
        return self.namer(*canonical)

    def _conjunction(self, member: int) -> Query:
        literals: list[Query] = []
        pos, neg = int(self.pos[member]), int(self.neg[member])
        for j, atom in enumerate(self.atoms):
            if pos >> j & 1:
                literals.append(atom)
            elif neg >> j & 1:
                literals.append(Not(atom))
        return And.of(*literals)

    def valid(self) -> np.ndarray:
        """False for the tautologies ``x | ~x`` among the disjunctions."""
        out = np.ones(self.total, dtype=bool)
        a, b = self.first, self.second
        tautology = (
            (self.size[a] == 1)
            & (self.size[b] == 1)
            & (self.pos[a] == self.neg[b])
            & (self.neg[a] == self.pos[b])
        )
        out[self.pos.size : self.pos.size + a.size] = ~tautology
        return out

    def estimates(self) -> np.ndarray:
        """A lower bound on the literals of each candidate's best equivalent in its
        family: literal counts for conjunctions and disjunctions, and the number of
        groups a function depends on."""
        functions = essential_counts(function_bits(self.tables, len(self.groups)), len(self.groups))
        return np.concatenate(
            [self.size, self.size[self.first] + self.size[self.second], functions]
        )
