"""The scoring engine: every candidate of a :class:`CandidateSet` scored on every input.

Candidates are scored in blocks of at most
:data:`~symxai.search.patterns.WORK_BLOCK_CELLS` truth entries: a block's truth rows
``[c, U]`` times the pattern sums ``[U, 3 N]`` give ``S_x, S_wmu, S_mu`` of each
candidate on each input (:mod:`symxai.search.patterns`). Functions of ``g`` groups are
scored through their ``2^g`` sub-patterns: the sums are aggregated per sub-pattern once,
so all functions are one ``[F, 2^g] @ [2^g, 3 N]`` product.

The population enters through ``q̄``, the fraction of ``P`` on which ``q`` is true, in
closed form from the atoms' feature sets (cells and inclusion-exclusion,
:class:`~symxai.population.CellTable`, no enumeration of ``P``): for a conjunction
directly, for ``c1 | c2`` as ``q̄(c1) + q̄(c2) - q̄(c1 & c2)``, for a function of groups
as the sum of the fractions of its true sub-patterns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from symxai.query.ast import Atom
from symxai.search.candidate_set import CandidateSet
from symxai.search.candidates import conjunction_truth, function_bits, sub_patterns
from symxai.search.options import signed
from symxai.search.patterns import Patterns

__all__ = ["Search"]


class Search(CandidateSet):
    """Scores every candidate on every input of ``patterns`` by ``by``; :attr:`stored`
    keeps the per-input ``sign``-transformed scores when :meth:`score` is asked to."""

    def __init__(
        self,
        patterns: Patterns,
        atoms: Sequence[Atom],
        *,
        by: str,
        sign: str,
        max_literals: int,
        disjunctions: bool,
        groups: Sequence[int],
        max_pairs: int | None,
        beam: int,
        distinct: str = "data",
    ) -> None:
        super().__init__(
            atoms,
            max_literals=max_literals,
            disjunctions=disjunctions,
            groups=groups,
            max_pairs=max_pairs,
            beam=beam,
        )
        self.patterns = patterns
        self.distinct = distinct
        self.by = by
        self.sign = sign
        self.sub_sums = np.zeros((1 << len(self.groups), 4, patterns.inputs))
        if self.groups:
            sub = sub_patterns(patterns.codes, self.groups)
            onehot = sub[None, :] == np.arange(1 << len(self.groups))[:, None]
            self.sub_sums = patterns.with_fractions(
                self._sub_pattern_fractions(), patterns.sums_of(onehot)
            )
        self.stored: np.ndarray | None = None

    # ---------------------------------------------------------- population
    def _sub_pattern_fractions(self) -> np.ndarray:
        """``[2^g, N]``: population fraction of each presence pattern of the groups."""
        sub = np.arange(1 << len(self.groups))
        pos = np.zeros(sub.size, dtype=np.uint64)
        for t, j in enumerate(self.groups):
            pos |= ((sub >> t) & 1).astype(np.uint64) << np.uint64(j)
        every = np.uint64(sum(1 << j for j in self.groups))
        return self.patterns.cells.conjunctions(pos, every & ~pos)

    def fractions(self, indices: np.ndarray) -> np.ndarray:
        """``[c, N]``: fraction ``q̄`` of each input's coalition population on which the
        candidates are true (module doc)."""
        indices = np.asarray(indices, dtype=np.int64)
        cells = self.patterns.cells
        out = np.zeros((indices.size, self.patterns.inputs))
        k, p, _ = self.counts
        conj = indices < k
        if conj.any():
            members = indices[conj]
            out[conj] = cells.conjunctions(self.pos[members], self.neg[members])
        pairs = (indices >= k) & (indices < k + p)
        if pairs.any():
            members = indices[pairs] - k
            a, b = self.first[members], self.second[members]
            both = cells.conjunctions(self.pos[a] | self.pos[b], self.neg[a] | self.neg[b])
            single = cells.conjunctions(self.pos[a], self.neg[a])
            out[pairs] = single + cells.conjunctions(self.pos[b], self.neg[b]) - both
        functions = indices >= k + p
        if functions.any():
            bits = function_bits(self.tables[indices[functions] - k - p], len(self.groups))
            out[functions] = bits.astype(np.float64) @ self.sub_sums[:, 0]
        return np.clip(out, 0.0, 1.0)

    def _scored(self, indices: np.ndarray, sums: np.ndarray) -> np.ndarray:
        """Sums of one block, with the population fractions first for correlation."""
        if self.by != "correlation":
            return sums
        return self.patterns.with_fractions(self.fractions(indices), sums)

    # ------------------------------------------------------------ scoring
    def _conjunction_sums(self) -> Iterator[np.ndarray]:
        step = self.patterns.block()
        for start in range(0, self.pos.size, step):
            stop = min(start + step, self.pos.size)
            truth = conjunction_truth(
                self.pos[start:stop], self.neg[start:stop], self.patterns.codes
            )
            yield self._scored(np.arange(start, stop), self.patterns.sums_of(truth, self.by))

    def _pair_sums(self) -> Iterator[np.ndarray]:
        if not self.first.size:
            return
        used = np.unique(np.concatenate([self.first, self.second]))
        local = np.searchsorted(used, self.first), np.searchsorted(used, self.second)
        rows = conjunction_truth(self.pos[used], self.neg[used], self.patterns.codes)
        step = self.patterns.block()
        offset = self.pos.size
        for start in range(0, self.first.size, step):
            stop = min(start + step, self.first.size)
            truth = rows[local[0][start:stop]] | rows[local[1][start:stop]]
            indices = np.arange(offset + start, offset + stop)
            yield self._scored(indices, self.patterns.sums_of(truth, self.by))

    def _function_sums(self) -> Iterator[np.ndarray]:
        g = len(self.groups)
        needed = slice(0, 3) if self.by == "correlation" else slice(3, 4)
        flat = np.ascontiguousarray(self.sub_sums[:, needed]).reshape(1 << g, -1)
        step = self.patterns.block()
        for start in range(0, self.tables.size, step):
            bits = function_bits(self.tables[start : start + step], g).astype(np.float64)
            yield (bits @ flat).reshape(bits.shape[0], -1, self.patterns.inputs)

    def all_sums(self) -> Iterator[np.ndarray]:
        """The score sums of every candidate, block by block in candidate order."""
        yield from self._conjunction_sums()
        yield from self._pair_sums()
        yield from self._function_sums()

    def score(self, keep: bool) -> np.ndarray:
        """The median over inputs of every candidate's score (the score itself for one
        input), choosing the disjunction pairs on the way. With ``keep``, the per-input
        ``sign``-transformed scores are kept (float32, ``[candidates, N]``) for ranks."""
        stored: list[np.ndarray] = []

        def medians(chunks: Iterator[np.ndarray]) -> np.ndarray:
            out = []
            for sums in chunks:
                values = self.patterns.metric(sums, self.by)
                out.append(np.median(values, axis=1))
                if keep:
                    stored.append(signed(values, self.sign).astype(np.float32))
            return np.concatenate(out) if out else np.zeros(0)

        conjunctions = medians(self._conjunction_sums())
        k = self.pos.size
        if self.disjunctions and k >= 2:
            if self.all_pairs():
                chosen = np.arange(k)
            else:
                order = np.argsort(-signed(conjunctions, self.sign), kind="stable")
                chosen = np.sort(order[: min(self.beam, k)])
            self.pair_up(chosen)
        rest = medians(itertools.chain(self._pair_sums(), self._function_sums()))
        if keep:
            self.stored = np.concatenate(stored) if stored else np.zeros((0, self.patterns.inputs))
            self.stored[~self.valid()] = -np.inf
        return np.concatenate([conjunctions, rest])

    def chosen_sums(self, chosen: Sequence[int]) -> np.ndarray:
        """``[t, 4, N]``: ``q̄, s_x, s_wmu, s_mu`` of the chosen candidates."""
        if not len(chosen):
            return np.zeros((0, 4, self.patterns.inputs))
        indices = np.asarray(chosen, dtype=np.int64)
        truth = self.truths(indices, self.patterns.codes)
        return self.patterns.with_fractions(self.fractions(indices), self.patterns.sums_of(truth))
