"""Query search: the Boolean formulas over named atoms that best describe the dividends.

Setting (Schnake et al., Information Fusion 2025, Sec. 4). A
:class:`~symxai.decomposition.Decomposition` lists coalitions ``L`` with their Harsanyi
dividends ``mu(L)``; ``m`` named atoms denote feature sets ``A_0 .. A_{m-1}``. The
*pattern* of a coalition is the bitmask

.. math::  p(L) = \\sum_j [L \\cap A_j \\ne \\emptyset]\\, 2^j \\qquad (m \\le 63),

and a query ``q`` is true on ``L`` iff it is true under the assignment "atom ``j`` is
true iff bit ``j`` of ``p(L)`` is set". Two scores:

* relevance (harsanyi, PreDiff): ``R(q) = sum_{L ≠ ∅} mu(L) q(L)``
  (:func:`symxai.relevance.dividend_relevance`);
* correlation: the weighted Pearson correlation of ``q(L)`` and ``mu(L)`` over the
  *population* ``P`` of the decomposition: every non-empty ``L ⊆ C`` (its context) with
  ``|L| <= max_order``, unlisted coalitions having dividend 0 and weight 1
  (:mod:`symxai.population`, :func:`symxai.relevance.correlation_scores`). The score
  is therefore the same whether a decomposition lists its zero dividends (a dense
  table) or not (walk dividends); a query true on no coalition of ``P`` or on all of
  them scores 0.

The listed coalitions that add to a score (``mu ≠ 0`` or ``w ≠ 1``) are aggregated
once into their ``U`` distinct patterns, with per pattern ``s_x(p) = sum (w_L - 1)``,
``s_wmu(p) = sum w_L mu(L)`` and ``s_mu(p) = sum mu(L)``. For a candidate ``q`` let
``S(q) = sum_{p : q(p)} s(p)`` (one matrix-vector product of its truth row over the
patterns); ``R(q) = S_mu(q)``. The population enters through ``q̄``, the fraction of
``P`` on which ``q`` is true, in closed form from the atoms' feature sets (cells and
inclusion-exclusion, no enumeration of ``P``; for ``c1 | c2``:
``q̄(c1) + q̄(c2) - q̄(c1 & c2)``; for a function of groups: the sum over its true
sub-patterns), and :func:`symxai.population.weighted_correlation` turns
``q̄, S_x, S_wmu`` into ``rho``.

Candidate families, all scored with numpy bit arithmetic over ``uint64`` pattern codes:

1. *conjunctions* of 1..k (``max_literals``) literals over distinct atoms, each positive
   or negated (all-negative conjunctions included): ``sum_{r=1}^{k} C(m, r) 2^r`` of
   them. With bitmasks ``pos`` and ``neg`` of the positive and negated atoms, the
   conjunction is true on ``p`` iff ``p & pos == pos`` and ``p & neg == 0``.
2. *disjunctions* ``c1 | c2`` of two distinct conjunctions: every pair when there are at
   most ``max_pairs`` pairs, otherwise every pair among the ``beam`` best conjunctions by
   the search score (in :func:`search_over_inputs`: always the beam, over the median
   conjunction scores). The truth row of ``c1 | c2`` is the elementwise or of both rows,
   so ``S(c1 | c2) = S(c1) + S(c2) - S(c1 & c2)`` is what the product computes.
   ``x | ~x`` (a tautology) is scored but never returned.
3. *Boolean functions of groups*: for ``g <= 4`` named atoms (``groups``), every
   non-constant function of their presence, ``2^(2^g) - 2`` truth tables over the ``2^g``
   sub-patterns; the sums are aggregated per sub-pattern, so all functions are scored by
   one ``[F, 2^g] @ [2^g]`` product. Only the returned functions are named, by the
   formula with the fewest literals among the sum of products and product of sums
   (``sympy.SOPform`` / ``POSform``) and the decompositions ``x & f``, ``x | f``,
   ``~x & f``, ``~x | f`` and ``x ^ f`` (so ``(a ^ b) & c`` prints as ``c & (a ^ b)``).

Ranking and deduplication. Candidates are ranked by the ``sign``-transformed score
(``"abs"``: magnitude, the default; ``"positive"``: signed score, largest first;
``"negative"``: most negative first); the reported score keeps its sign. Over the
population ``rho(~q) = -rho(q)``, so with ``"abs"`` a query and its complement tie; of
such a tie the candidates whose correlation has the sign of their relevance come first
and the complement of a returned query is not returned again (a planted formula with
negative dividends is returned as itself with a negative score, not as its complement
with a positive one).
Logically equivalent candidates have equal scores, so the ranked list is cut into runs
of equal score (``np.isclose``); inside a run every candidate gets an exact canonical
key, the truth table over the atoms it depends on (candidates are logically equivalent
iff their keys are equal), and each class is kept once, as its member with the fewest
literals (then the shorter text, then the family order conjunction, disjunction,
function). With ``distinct="logic"`` candidates that tie in score but differ logically
are all kept, simpler first. With ``distinct="data"`` (the default) the key is the
candidate's truth on the atom patterns of the coalitions with a non-zero dividend (or a
weight other than 1: the same for a dense and a sparse listing), so tied candidates the
dividends cannot tell apart (``~C & N & O`` and ``~C & N & O | O & H``
when no coalition with dividend holds both O and H) are also returned once, simplest
first; logically equivalent candidates always share this key.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import pandas as pd
import scipy.sparse as sparse
import sympy
from sympy.logic import boolalg

from symxai.decomposition import Decomposition
from symxai.errors import UnknownAtomError
from symxai.population import CellTable, weighted_correlation
from symxai.query.ast import And, Atom, Constant, Not, Or, Query, Xor
from symxai.query.parser import parse_query

__all__ = [
    "FAMILIES",
    "MAX_GROUPS",
    "MAX_SEARCH_ATOMS",
    "SearchResult",
    "SearchScore",
    "Sign",
    "candidate_count",
    "literal_count",
    "rank_over_inputs",
    "search_over_inputs",
    "search_queries",
]

FAMILIES: tuple[str, ...] = ("conjunction", "disjunction", "function")
SearchScore = Literal["correlation", "relevance"]
"""What search ranks by."""
Sign = Literal["positive", "negative", "abs"]
"""Which sign of the score search prefers (``abs``: magnitude)."""
SCORES: tuple[str, ...] = get_args(SearchScore)
SIGNS: tuple[str, ...] = get_args(Sign)
MAX_SEARCH_ATOMS = 63
"""Most atoms of one search: a pattern is one ``uint64`` bitmask."""
MAX_GROUPS = 4
"""Most groups of the Boolean-function family (``2^16 - 2`` functions)."""

_CELLS = 1 << 21  # entries of one [candidates, patterns] work block
_DENSE_CELLS = 1 << 23  # largest dense [patterns, 3 * inputs] sum table
_STORED_CELLS = 1 << 25  # most per-input scores kept (float32) for median ranks

AtomSets = Mapping[Atom | str, Sequence[int] | np.ndarray]


@dataclass(frozen=True)
class SearchResult:
    """One ranked list of queries.

    ``table`` has one row per query, best first: ``query`` (text), ``score`` (the score
    named by ``by``, signed), ``relevance``, ``correlation``, ``literals``, ``family``
    (``"conjunction"``, ``"disjunction"`` or ``"function"``) and ``rank`` (from 1). A
    search over inputs reports medians in ``score``, ``relevance`` and ``correlation``
    and adds ``mean`` (mean score), ``inputs`` (inputs on which the query is true on
    some coalition) and ``rank_median`` (median over inputs of the query's rank among
    all scored candidates of that input). ``queries`` are the parsed queries in the
    same order, ``candidates`` the number of candidates scored before deduplication,
    ``inputs`` the number of inputs searched and ``sign`` how ``score`` ranked
    (``"positive"``, ``"negative"`` or ``"abs"``).
    """

    table: pd.DataFrame
    queries: list[Query]
    candidates: int
    by: str
    inputs: int = 1
    sign: str = "abs"

    def top(self, k: int = 10) -> pd.DataFrame:
        """The ``k`` best rows of :attr:`table`."""
        return self.table.head(k)

    def __len__(self) -> int:
        return len(self.queries)


# ----------------------------------------------------------------- counting
def _conjunction_count(m: int, max_literals: int) -> int:
    return sum(math.comb(m, r) * 2**r for r in range(1, min(max_literals, m) + 1))


def _function_count(groups: int) -> int:
    return 2 ** (2**groups) - 2 if groups else 0


def candidate_count(
    m: int,
    max_literals: int = 3,
    groups: int = 0,
    *,
    disjunctions: bool = False,
    max_pairs: int = 200_000,
    beam: int = 300,
) -> int:
    """Number of candidates :func:`search_queries` scores over ``m`` atoms.

    ``K = sum_{r=1}^{min(k, m)} C(m, r) 2^r`` conjunctions, plus ``2^(2^g) - 2`` functions
    of ``g`` groups, plus with ``disjunctions`` the pairs: ``C(K, 2)`` when that is at
    most ``max_pairs``, else ``C(min(beam, K), 2)``.
    """
    conjunctions = _conjunction_count(m, max_literals)
    total = conjunctions + _function_count(groups)
    if disjunctions:
        pairs = math.comb(conjunctions, 2)
        total += pairs if pairs <= max_pairs else math.comb(min(beam, conjunctions), 2)
    return total


# ---------------------------------------------------------------- arguments
def _as_atom(key: Atom | str) -> Atom:
    if isinstance(key, Atom):
        return key
    if not isinstance(key, str):
        raise TypeError(f"an atom is an Atom or its text, got {type(key).__name__}")
    parsed = parse_query(key)
    if not isinstance(parsed, Atom):
        raise ValueError(f"search atoms must be single atoms; {key!r} is the query {parsed}")
    return parsed


def _check_options(by: str, sign: str | None, max_literals: int, top: int) -> str:
    if by not in SCORES:
        raise ValueError(f"by must be one of {SCORES}, got {by!r}")
    if sign is None:
        sign = "abs"
    if sign not in SIGNS:
        raise ValueError(f"sign must be one of {SIGNS}, got {sign!r}")
    if max_literals < 1:
        raise ValueError(f"max_literals must be at least 1, got {max_literals}")
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    return sign


DISTINCT = ("data", "logic")


def _check_distinct(distinct: str) -> None:
    if distinct not in DISTINCT:
        raise ValueError(f"distinct must be one of {DISTINCT}, got {distinct!r}")


def _check_atom_count(m: int) -> None:
    if m > MAX_SEARCH_ATOMS:
        raise ValueError(
            f"query search supports at most {MAX_SEARCH_ATOMS} atoms (one uint64 bitmask "
            f"per coalition), got {m}; pass fewer atoms"
        )


def _group_indices(groups: Sequence[Atom | str], atoms: Sequence[Atom]) -> list[int]:
    if len(groups) > MAX_GROUPS:
        raise ValueError(
            f"at most {MAX_GROUPS} groups are supported (2^(2^g) - 2 Boolean functions: "
            f"65,534 for g = 4), got {len(groups)}"
        )
    position = {atom: j for j, atom in enumerate(atoms)}
    out: list[int] = []
    for group in groups:
        atom = _as_atom(group)
        if atom not in position:
            names = [str(a) for a in atoms]
            raise UnknownAtomError(
                f"group {atom} is not one of the search atoms ({', '.join(names[:10])})",
                suggestions=difflib.get_close_matches(str(atom), names, n=3),
            )
        if position[atom] in out:
            raise ValueError(f"group {atom} is given twice")
        out.append(position[atom])
    return out


def _signed(values: np.ndarray, sign: str) -> np.ndarray:
    if sign == "positive":
        return values
    if sign == "negative":
        return -values
    return np.abs(values)


# ----------------------------------------------------------------- patterns
@dataclass
class _Listing:
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


def _coalition_patterns(
    decomposition: Decomposition,
    positions: Sequence[int],
    index_sets: Sequence[np.ndarray],
    weights: np.ndarray | None,
) -> _Listing:
    """The :class:`_Listing` of one decomposition over atoms at ``positions``."""
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
    return _Listing(
        codes=codes[adds],
        w=w[adds],
        mu=mu[adds],
        context=decomposition.context,
        positions=list(positions),
        index_sets=list(index_sets),
        max_order=decomposition.max_order,
    )


@dataclass
class _Patterns:
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
    def build(cls, parts: Sequence[_Listing], *, strict: bool) -> _Patterns:
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
        """``[c, N]`` correlations from ``q̄, s_x, s_wmu`` (:mod:`symxai.population`)."""
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
        return max(1, _CELLS // max(1, self.codes.size, 3 * self.inputs))


# ----------------------------------------------------------------- families
def _conjunctions(m: int, max_literals: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``pos``, ``neg`` (uint64 bitmasks) and literal counts of every conjunction of
    1..k literals over distinct atoms, by size, then atoms, then negations."""
    pos, neg, size = [], [], []
    for r in range(1, min(max_literals, m) + 1):
        combos = np.asarray(list(itertools.combinations(range(m), r)), dtype=np.uint64)
        bits = np.left_shift(np.uint64(1), combos)
        negated = ((np.arange(1 << r)[:, None] >> np.arange(r)) & 1).astype(bool)
        zero = np.uint64(0)
        pos_r = np.bitwise_or.reduce(np.where(negated[None], zero, bits[:, None]), axis=2)
        neg_r = np.bitwise_or.reduce(np.where(negated[None], bits[:, None], zero), axis=2)
        pos.append(pos_r.reshape(-1))
        neg.append(neg_r.reshape(-1))
        size.append(np.full(pos_r.size, r, dtype=np.int64))
    if not pos:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty, np.zeros(0, dtype=np.int64)
    return np.concatenate(pos), np.concatenate(neg), np.concatenate(size)


def _conjunction_truth(pos: np.ndarray, neg: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``[c, U]``: conjunction ``(pos, neg)`` true on pattern ``p``."""
    hits = codes[None, :] & pos[:, None]
    return (hits == pos[:, None]) & ((codes[None, :] & neg[:, None]) == 0)


def _sub_patterns(codes: np.ndarray, groups: Sequence[int]) -> np.ndarray:
    """Index ``sum_t [bit g_t of p] 2^t`` of every pattern over the groups."""
    sub = np.zeros(codes.size, dtype=np.int64)
    for t, j in enumerate(groups):
        sub |= ((codes >> np.uint64(j)) & np.uint64(1)).astype(np.int64) << t
    return sub


def _function_bits(tables: np.ndarray, g: int) -> np.ndarray:
    """``[F, 2^g]`` truth tables of functions numbered by their bits."""
    return ((tables[:, None] >> np.arange(1 << g, dtype=np.int64)) & 1).astype(bool)


def _essential_counts(bits: np.ndarray, g: int) -> np.ndarray:
    """Number of groups each function of ``bits`` ``[F, 2^g]`` depends on."""
    count = np.zeros(bits.shape[0], dtype=np.int64)
    for t in range(g):
        shaped = bits.reshape(bits.shape[0], -1, 2, 1 << t)
        count += (shaped[:, :, 0] != shaped[:, :, 1]).any(axis=(1, 2))
    return count


def _essential(variables: list[int], table: np.ndarray) -> tuple[tuple[int, ...], np.ndarray]:
    """Drop the variables ``table`` (bit ``t`` of the row = ``variables[t]``) ignores."""
    keep = []
    for t in reversed(range(len(variables))):
        shaped = table.reshape(-1, 2, 1 << t)
        if np.array_equal(shaped[:, 0], shaped[:, 1]):
            table = np.ascontiguousarray(shaped[:, 0]).reshape(-1)
        else:
            keep.append(variables[t])
    return tuple(reversed(keep)), table


def literal_count(query: Query) -> int:
    """Number of atom occurrences (literals) in ``query``."""
    if isinstance(query, Atom):
        return 1
    return sum(literal_count(child) for child in query.children)


def _simplicity(query: Query) -> tuple[int, int, str]:
    text = str(query)
    return literal_count(query), len(text), text


class _FunctionNamer:
    """A formula with few literals for a truth table over atoms (see the module doc)."""

    def __init__(self, atoms: Sequence[Atom]) -> None:
        self.atoms = atoms
        self.memo: dict[tuple[tuple[int, ...], bytes], Query] = {}

    def __call__(self, variables: Sequence[int], table: np.ndarray) -> Query:
        variables, table = _essential(list(variables), np.asarray(table, dtype=bool))
        key = (variables, table.tobytes())
        if key not in self.memo:
            self.memo[key] = self._solve(variables, table)
        return self.memo[key]

    def _solve(self, variables: tuple[int, ...], table: np.ndarray) -> Query:
        if not variables:
            return Constant(bool(table[0]))
        if len(variables) == 1:
            atom = self.atoms[variables[0]]
            return atom if table[1] else Not(atom)
        options: list[Query] = []
        if len(variables) >= 3:
            options.extend(self._sympy_forms(variables, table))
        for t, variable in enumerate(variables):
            shaped = table.reshape(-1, 2, 1 << t)
            low = np.ascontiguousarray(shaped[:, 0]).reshape(-1)
            high = np.ascontiguousarray(shaped[:, 1]).reshape(-1)
            rest = variables[:t] + variables[t + 1 :]
            atom = self.atoms[variable]
            if not low.any():
                options.append(And.of(atom, self(rest, high)))
            if not high.any():
                options.append(And.of(Not(atom), self(rest, low)))
            if high.all():
                options.append(Or.of(atom, self(rest, low)))
            if low.all():
                options.append(Or.of(Not(atom), self(rest, high)))
            if np.array_equal(high, ~low):
                options.append(Xor(atom, self(rest, low)))
        return min(options, key=_simplicity)

    def _sympy_forms(self, variables: tuple[int, ...], table: np.ndarray) -> list[Query]:
        symbols = [sympy.Symbol(f"x{v}") for v in variables]
        rows = np.flatnonzero(table)
        minterms = [[int(row >> t) & 1 for t in range(len(variables))] for row in rows]
        by_symbol = {s: self.atoms[v] for s, v in zip(symbols, variables, strict=True)}
        forms = [boolalg.SOPform(symbols, minterms), boolalg.POSform(symbols, minterms)]
        return [Query.from_sympy(form, by_symbol) for form in forms]


# ------------------------------------------------------------------- engine
class _Search:
    """Scores every candidate on every input (see the module doc) and selects the best."""

    def __init__(
        self,
        patterns: _Patterns,
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
        self.patterns = patterns
        self.distinct = distinct
        self.atoms = list(atoms)
        self.by = by
        self.sign = sign
        self.groups = list(groups)
        self.namer = _FunctionNamer(self.atoms)
        self.pos, self.neg, self.size = _conjunctions(len(atoms), max_literals)
        self.first = np.zeros(0, dtype=np.int64)
        self.second = np.zeros(0, dtype=np.int64)
        self.tables = np.zeros(0, dtype=np.int64)
        self.sub_sums = np.zeros((1 << len(self.groups), 4, patterns.inputs))
        if self.groups:
            self.tables = np.arange(1, (1 << (1 << len(self.groups))) - 1, dtype=np.int64)
            sub = _sub_patterns(patterns.codes, self.groups)
            onehot = sub[None, :] == np.arange(1 << len(self.groups))[:, None]
            self.sub_sums = patterns.with_fractions(
                self._sub_pattern_fractions(), patterns.sums_of(onehot)
            )
        self.disjunctions = disjunctions
        self.max_pairs = max_pairs
        self.beam = beam
        self.stored: np.ndarray | None = None

    # counts and offsets of the families in the global candidate numbering
    @property
    def counts(self) -> tuple[int, int, int]:
        return self.pos.size, self.first.size, self.tables.size

    @property
    def total(self) -> int:
        return sum(self.counts)

    def planned_total(self) -> int:
        """Candidates :meth:`score` will score (pairs from the beam)."""
        k = self.pos.size
        pairs = math.comb(min(self.beam, k), 2) if self.disjunctions else 0
        if self.disjunctions and self.max_pairs is not None and math.comb(k, 2) <= self.max_pairs:
            pairs = math.comb(k, 2)
        return k + pairs + self.tables.size

    def family(self, index: int) -> tuple[int, int]:
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
            return _conjunction_truth(self.pos[[member]], self.neg[[member]], codes)[0]
        if family == 1:
            pair = [self.first[member], self.second[member]]
            return _conjunction_truth(self.pos[pair], self.neg[pair], codes).any(axis=0)
        bits = _function_bits(self.tables[[member]], len(self.groups))[0]
        return bits[_sub_patterns(codes, self.groups)]

    def truths(self, indices: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """``[len(indices), U]``: :meth:`truth` of many candidates, one array operation
        per family."""
        indices = np.asarray(indices, dtype=np.int64)
        out = np.zeros((indices.size, codes.size), dtype=bool)
        k, p, _ = self.counts
        conj = indices < k
        if conj.any():
            members = indices[conj]
            out[conj] = _conjunction_truth(self.pos[members], self.neg[members], codes)
        pairs = (indices >= k) & (indices < k + p)
        if pairs.any():
            members = indices[pairs] - k
            first, second = self.first[members], self.second[members]
            out[pairs] = _conjunction_truth(self.pos[first], self.neg[first], codes) | (
                _conjunction_truth(self.pos[second], self.neg[second], codes)
            )
        functions = indices >= k + p
        if functions.any():
            bits = _function_bits(self.tables[indices[functions] - k - p], len(self.groups))
            out[functions] = bits[:, _sub_patterns(codes, self.groups)]
        return out

    def support_mask(self, index: int) -> int:
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
        return _essential(variables, self.truth(index, codes))

    def query(self, index: int, canonical: tuple[tuple[int, ...], np.ndarray]) -> Query:
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
        """``[c, N]``: fraction of each input's coalition population on which the
        candidates are true (:mod:`symxai.population`; ``q̄(c1 | c2) = q̄(c1) + q̄(c2)
        - q̄(c1 & c2)``, a function sums its groups' pattern fractions)."""
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
            bits = _function_bits(self.tables[indices[functions] - k - p], len(self.groups))
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
            truth = _conjunction_truth(
                self.pos[start:stop], self.neg[start:stop], self.patterns.codes
            )
            yield self._scored(np.arange(start, stop), self.patterns.sums_of(truth, self.by))

    def _pair_sums(self) -> Iterator[np.ndarray]:
        if not self.first.size:
            return
        used = np.unique(np.concatenate([self.first, self.second]))
        local = np.searchsorted(used, self.first), np.searchsorted(used, self.second)
        rows = _conjunction_truth(self.pos[used], self.neg[used], self.patterns.codes)
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
            bits = _function_bits(self.tables[start : start + step], g).astype(np.float64)
            yield (bits @ flat).reshape(bits.shape[0], -1, self.patterns.inputs)

    def _all_sums(self) -> Iterator[np.ndarray]:
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
                    stored.append(_signed(values, self.sign).astype(np.float32))
            return np.concatenate(out) if out else np.zeros(0)

        conjunctions = medians(self._conjunction_sums())
        k = self.pos.size
        if self.disjunctions and k >= 2:
            if self.max_pairs is not None and math.comb(k, 2) <= self.max_pairs:
                chosen = np.arange(k)
            else:
                order = np.argsort(-_signed(conjunctions, self.sign), kind="stable")
                chosen = np.sort(order[: min(self.beam, k)])
            first, second = np.triu_indices(chosen.size, 1)
            self.first, self.second = chosen[first], chosen[second]
        rest = medians(itertools.chain(self._pair_sums(), self._function_sums()))
        if keep:
            self.stored = np.concatenate(stored) if stored else np.zeros((0, self.patterns.inputs))
            self.stored[~self.valid()] = -np.inf
        return np.concatenate([conjunctions, rest])

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
        functions = _essential_counts(
            _function_bits(self.tables, len(self.groups)), len(self.groups)
        )
        return np.concatenate(
            [self.size, self.size[self.first] + self.size[self.second], functions]
        )

    # ---------------------------------------------------------- selection
    def select(self, rank: np.ndarray, top: int) -> list[tuple[int, Query]]:
        """The ``top`` best candidates by ``rank``, one per equivalence class (module doc)."""
        valid = self.valid() & np.isfinite(rank)
        candidates = np.flatnonzero(valid)
        order = candidates[np.argsort(-rank[candidates], kind="stable")]
        if not order.size:
            return []
        ranked = rank[order]
        scale = float(np.abs(ranked).max()) or 1.0
        breaks = ~np.isclose(ranked[1:], ranked[:-1], rtol=1e-9, atol=1e-12 * scale)
        starts = np.concatenate([[0], np.flatnonzero(breaks) + 1, [order.size]])
        estimates = self.estimates()
        kept: list[tuple[int, Query]] = []
        seen: set[tuple[tuple[int, ...], bytes]] = set()
        for start, stop in itertools.pairwise(starts):
            if len(kept) >= top:
                break
            for run in self._agreeing_first(order[start:stop]):
                best = self._best_of_run(run, estimates, seen, top - len(kept))
                for _, index, query, key in best[: top - len(kept)]:
                    kept.append((index, query))
                    seen.add(key)
                    if self.by == "correlation" and self.sign == "abs":
                        seen.add(self._complement_key(index, key))
        return kept

    def _complement_key(
        self, index: int, key: tuple[tuple[int, ...], bytes]
    ) -> tuple[tuple[int, ...], bytes]:
        """The deduplication key of ``~candidate`` (same ``|correlation|``, opposite sign:
        with ``sign="abs"`` one of the two is returned)."""
        if key[0] == (-1,):
            truth = self.truths(np.asarray([index]), self.patterns.codes)[0]
            return key[0], np.packbits(~truth).tobytes()
        variables, table = self.canonical(index)
        return variables, (~table).tobytes()

    def _agreeing_first(self, run: np.ndarray) -> list[np.ndarray]:
        """A run of equal ``|correlation|`` split into the candidates whose correlation
        has the sign of their relevance, then the others (``sign="abs"`` only).

        ``q`` and ``~q`` have opposite correlations of equal magnitude over the
        population; the one that carries the dividends (``R(q)`` of the correlation's
        sign) is the answer, the other its complement."""
        if self.by != "correlation" or self.sign != "abs" or run.size < 2:
            return [run]
        sums = self.chosen_sums(run)
        correlation = np.median(self.patterns.correlation(sums), axis=1)
        relevance = np.median(sums[:, 3], axis=1)
        agree = correlation * relevance > 0
        return [part for part in (run[agree], run[~agree]) if part.size]

    def _best_of_run(
        self,
        run: np.ndarray,
        estimates: np.ndarray,
        seen: set[tuple[tuple[int, ...], bytes]],
        wanted: int,
    ) -> list[tuple[tuple[int, int, int, str, int], int, Query, tuple[tuple[int, ...], bytes]]]:
        run = run[np.lexsort((run, estimates[run]))]
        levels = estimates[run]
        best: dict[tuple[tuple[int, ...], bytes], tuple] = {}
        data_keys: dict[int, bytes] = {}
        if self.distinct == "data":
            packed = np.packbits(self.truths(run, self.patterns.codes), axis=1)
            data_keys = {int(i): row.tobytes() for i, row in zip(run, packed, strict=True)}
        for level in np.unique(levels):
            for index in run[levels == level]:
                index = int(index)
                if self.distinct == "data":
                    key = ((-1,), data_keys[index])
                    if key in seen or (key in best and best[key][0][0] < level):
                        continue
                    variables, table = self.canonical(index)
                else:
                    variables, table = self.canonical(index)
                    key = (variables, table.tobytes())
                    if key in seen:
                        continue
                query = self.query(index, (variables, table))
                literals, length, text = _simplicity(query)
                order = (literals, length, self.family(index)[0], text, index)
                if key not in best or order < best[key][0]:
                    best[key] = (order, index, query, key)
            settled = sum(1 for entry in best.values() if entry[0][0] <= level)
            if settled >= wanted:
                break
        return sorted(best.values(), key=lambda entry: entry[0])

    # ------------------------------------------------------------ ranks
    def chosen_sums(self, chosen: Sequence[int]) -> np.ndarray:
        """``[t, 4, N]``: ``q̄, s_x, s_wmu, s_mu`` of the chosen candidates."""
        if not len(chosen):
            return np.zeros((0, 4, self.patterns.inputs))
        indices = np.asarray(chosen, dtype=np.int64)
        truth = self.truths(indices, self.patterns.codes)
        return self.patterns.with_fractions(self.fractions(indices), self.patterns.sums_of(truth))

    def input_ranks(self, chosen: Sequence[int]) -> np.ndarray:
        """``[t, N]``: rank (1 = best, ties share the best rank) of each chosen candidate
        among all valid candidates of each input, by the ``sign``-transformed score."""
        if self.stored is not None:
            mine = self.stored[list(chosen)]
            blocks: Iterator[np.ndarray] = iter([self.stored])
        else:
            mine = _signed(self.patterns.metric(self.chosen_sums(chosen), self.by), self.sign)
            blocks = self._rank_blocks()
        better = np.zeros(mine.shape, dtype=np.int64)
        step = max(1, _CELLS // max(1, mine.size))
        for values in blocks:
            for start in range(0, values.shape[0], step):
                block = values[start : start + step]
                better += (block[:, None, :] > mine[None, :, :]).sum(axis=0)
        return better + 1

    def _rank_blocks(self) -> Iterator[np.ndarray]:
        valid, offset = self.valid(), 0
        for sums in self._all_sums():
            values = _signed(self.patterns.metric(sums, self.by), self.sign)
            values[~valid[offset : offset + values.shape[0]]] = -np.inf
            offset += values.shape[0]
            yield values


def _result(
    search: _Search, chosen: list[tuple[int, Query]], *, ranks: bool | None
) -> SearchResult:
    """The table of the chosen candidates; medians over inputs, and with ``ranks`` (over
    several inputs) the mean, support and median rank columns."""
    indices = [index for index, _ in chosen]
    queries = [query for _, query in chosen]
    sums = search.chosen_sums(indices)
    correlation = search.patterns.correlation(sums)
    relevance = sums[:, 3]
    score = correlation if search.by == "correlation" else relevance
    columns: dict[str, object] = {
        "query": [str(q) for q in queries],
        "score": np.median(score, axis=1),
        "relevance": np.median(relevance, axis=1),
        "correlation": np.median(correlation, axis=1),
    }
    if ranks is not None:
        columns["mean"] = score.mean(axis=1)
        columns["inputs"] = (sums[:, 0] > 0).sum(axis=1)
        if ranks:
            columns["rank_median"] = np.median(search.input_ranks(indices), axis=1)
        else:
            columns["rank_median"] = np.full(len(indices), np.nan)
    columns["literals"] = [literal_count(q) for q in queries]
    columns["family"] = [FAMILIES[search.family(i)[0]] for i in indices]
    columns["rank"] = np.arange(1, len(indices) + 1)
    return SearchResult(
        table=pd.DataFrame(columns),
        queries=queries,
        candidates=search.total,
        by=search.by,
        inputs=search.patterns.inputs,
        sign=search.sign,
    )


# ---------------------------------------------------------------------- api
def search_queries(
    decomposition: Decomposition,
    atom_sets: AtomSets,
    *,
    by: SearchScore = "correlation",
    max_literals: int = 3,
    disjunctions: bool = True,
    groups: Sequence[Atom | str] = (),
    top: int = 10,
    weights: np.ndarray | None = None,
    max_pairs: int = 200_000,
    beam: int = 300,
    sign: Sign | None = None,
    distinct: str = "data",
) -> SearchResult:
    """The ``top`` queries over the named atoms that best describe ``decomposition``.

    Scores every candidate of the three families of the module doc (conjunctions of up
    to ``max_literals`` literals; with ``disjunctions``, disjunctions of two of them, all
    ``C(K, 2)`` pairs when at most ``max_pairs``, else the pairs among the ``beam`` best
    conjunctions by the search score; with ``groups``, every non-constant Boolean
    function of those atoms) against the dividends, removes logically equivalent
    duplicates and returns the best.

    Parameters
    ----------
    decomposition:
        The dividends ``mu(L)``; unlisted coalitions of its population (non-empty
        subsets of its context up to its ``max_order``) have dividend 0.
    atom_sets:
        Feature indices of each atom, in the order the atoms should appear in formulas.
        Keys are atoms or their text (``"N"``, ``'smarts"[N+](=O)[O-]"'``). At most 63.
    by:
        ``"correlation"`` (weighted Pearson correlation of ``q(L)`` and ``mu(L)``) or
        ``"relevance"`` (``R(q) = sum_{L ≠ ∅} mu(L) q(L)``).
    groups:
        Up to 4 of the atoms for the Boolean-function family.
    weights:
        One weight per listed coalition (correlation only; default uniform; unlisted
        coalitions of the population weigh 1).
    sign:
        How the score ranks: ``"abs"`` (largest magnitude first, the default; of a query
        and its complement, the one whose correlation has its relevance's sign),
        ``"positive"`` (largest first) or ``"negative"`` (most negative first).
    distinct:
        ``"data"`` (default): of the tied candidates that are true on exactly the same
        coalitions with a non-zero dividend (so indistinguishable by these dividends,
        logically equivalent ones included) only the simplest is returned. ``"logic"``: only
        logically equivalent candidates are merged; candidates that differ on
        coalitions with zero dividend, or on atom patterns that never occur, are all
        returned (simpler first).
    """
    sign = _check_options(by, sign, max_literals, top)
    _check_distinct(distinct)
    atoms = [_as_atom(key) for key in atom_sets]
    if len(set(atoms)) != len(atoms):
        raise ValueError("an atom is given twice in atom_sets")
    _check_atom_count(len(atoms))
    group_index = _group_indices(groups, atoms)
    index_sets = [np.asarray(atom_sets[key], dtype=np.int64).reshape(-1) for key in atom_sets]
    part = _coalition_patterns(decomposition, range(len(atoms)), index_sets, weights)
    patterns = _Patterns.build([part], strict=True)
    search = _Search(
        patterns,
        atoms,
        by=by,
        sign=sign,
        max_literals=max_literals,
        disjunctions=disjunctions,
        groups=group_index,
        max_pairs=max_pairs,
        beam=beam,
        distinct=distinct,
    )
    chosen = search.select(_signed(search.score(keep=False), sign), top)
    return _result(search, chosen, ranks=None)


def search_over_inputs(
    inputs: Iterable[tuple[Decomposition, AtomSets]],
    *,
    by: SearchScore = "correlation",
    max_literals: int = 3,
    disjunctions: bool = True,
    groups: Sequence[Atom | str] = (),
    top: int = 10,
    weights: Sequence[np.ndarray | None] | None = None,
    beam: int = 100,
    sign: Sign | None = None,
    ranks: bool | None = None,
    distinct: str = "data",
) -> SearchResult:
    """The queries that rank best over many inputs (median score), e.g. a data set of
    molecules (Schnake et al., Information Fusion 2025, Mutagenicity).

    One common candidate set is built over the union of the atoms of all inputs (in
    order of first appearance); an atom missing from an input is false on all its
    coalitions (empty feature set). Every candidate is scored on every input at once
    (the patterns of all inputs share one ``[patterns, 3 N]`` table of sums), and
    candidates are ranked by the ``sign``-transformed median over inputs of the score
    named by ``by``. Disjunctions are the pairs among the ``beam`` best conjunctions by
    median score (``C(beam, 2)`` pairs). The table adds ``mean`` (mean score over
    inputs), ``inputs`` (inputs on which the query is true on some coalition of their
    population) and
    ``rank_median`` (median over inputs of the query's rank among all valid candidates
    of that input, equivalent duplicates included; 1 is best). Inputs without non-empty
    coalitions score 0.

    ``weights`` is ``None`` or one array (or ``None``) per input, with one weight per
    listed coalition of that input. ``ranks``: compute ``rank_median`` (``None``:
    only when the per-input scores of all candidates fit in about 128 MB of float32,
    ``True``: always, with a second scoring pass when they do not fit, ``False``: never;
    the column is NaN when not computed). ``distinct``: as for :func:`search_queries`,
    over the coalitions of all inputs.
    """
    sign = _check_options(by, sign, max_literals, top)
    _check_distinct(distinct)
    atoms: list[Atom] = []
    position: dict[Atom, int] = {}
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    weight_list = None if weights is None else list(weights)
    for number, (decomposition, atom_sets) in enumerate(inputs):
        positions, index_sets = [], []
        for key, indices in atom_sets.items():
            atom = _as_atom(key)
            if atom not in position:
                position[atom] = len(atoms)
                atoms.append(atom)
                _check_atom_count(len(atoms))
            positions.append(position[atom])
            index_sets.append(np.asarray(indices, dtype=np.int64).reshape(-1))
        weight = None
        if weight_list is not None:
            if number >= len(weight_list):
                raise ValueError(f"weights has {len(weight_list)} entries for more inputs")
            weight = weight_list[number]
        parts.append(_coalition_patterns(decomposition, positions, index_sets, weight))
    if not parts:
        raise ValueError("search_over_inputs needs at least one input")
    if weight_list is not None and len(weight_list) != len(parts):
        raise ValueError(f"weights has {len(weight_list)} entries for {len(parts)} inputs")
    group_index = _group_indices(groups, atoms)
    patterns = _Patterns.build(parts, strict=False)
    search = _Search(
        patterns,
        atoms,
        by=by,
        sign=sign,
        max_literals=max_literals,
        disjunctions=disjunctions,
        groups=group_index,
        max_pairs=None,
        beam=beam,
        distinct=distinct,
    )
    fits = search.planned_total() * patterns.inputs <= _STORED_CELLS
    ranks = fits if ranks is None else ranks
    chosen = search.select(_signed(search.score(keep=ranks and fits), sign), top)
    return _result(search, chosen, ranks=ranks)


def rank_over_inputs(
    score_tables: Iterable[pd.DataFrame | pd.Series | SearchResult],
    *,
    score: str = "score",
    key: str = "query",
    sign: Sign = "positive",
) -> pd.DataFrame:
    """Combine per-input score tables into one ranking by median score.

    Each table is a :class:`SearchResult`, a DataFrame with columns ``key`` and
    ``score``, or a Series indexed by query text (as :meth:`Explanation.correlations`
    returns). Within each table a query's rank is ``1 +`` the number of rows with a
    larger ``sign``-transformed score. The result has one row per query: ``query``,
    ``score`` (median over the tables that contain it), ``mean``, ``inputs`` (how many
    tables contain it), ``rank_median`` and ``rank``, sorted by the transformed median
    (then by ``rank_median``). Queries absent from a table are not counted for it.
    """
    if sign not in SIGNS:
        raise ValueError(f"sign must be one of {SIGNS}, got {sign!r}")
    frames = []
    for number, table in enumerate(score_tables):
        if isinstance(table, SearchResult):
            table = table.table
        if isinstance(table, pd.Series):
            frame = pd.DataFrame({"query": table.index.astype(str), "score": table.to_numpy()})
        else:
            frame = pd.DataFrame({"query": table[key].astype(str), "score": table[score]})
        transformed = _signed(frame["score"].to_numpy(dtype=np.float64), sign)
        frame["rank"] = pd.Series(transformed).rank(method="min", ascending=False).to_numpy()
        frame["input"] = number
        frames.append(frame)
    columns = ["query", "score", "mean", "inputs", "rank_median", "rank"]
    if not frames:
        return pd.DataFrame(columns=columns)
    long = pd.concat(frames, ignore_index=True)
    grouped = long.groupby("query", sort=False)
    out = pd.DataFrame(
        {
            "score": grouped["score"].median(),
            "mean": grouped["score"].mean(),
            "inputs": grouped["input"].nunique(),
            "rank_median": grouped["rank"].median(),
        }
    ).reset_index()
    out["_key"] = _signed(out["score"].to_numpy(dtype=np.float64), sign)
    out = out.sort_values(["_key", "rank_median"], ascending=[False, True], kind="stable")
    out = out.drop(columns="_key").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out[columns]
