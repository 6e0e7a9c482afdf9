"""Relevance of logical queries, in closed form over the atoms (no dividend enumeration).

Notation (Schnake et al., Information Fusion 2025, Sec. 3): a query ``q`` is a
Boolean formula over atoms, atom ``i`` denotes the feature set ``A_i``, and ``i`` is
*present* in a coalition ``L`` iff ``L ∩ A_i ≠ ∅``. With context ``C`` (features
outside ``C`` held absent) and dividends ``mu`` of ``v``, the relevance of ``q`` is

.. math::  R(q) = \\sum_{\\emptyset \\ne L \\subseteq C} \\eta(L)\\, \\mu(L)\\, q(L).

Closed form. Group the coalitions by their presence pattern ``P(L) ⊆ {1..k}``. With

.. math::  F(B) = v\\bigl(C \\setminus \\textstyle\\bigcup_{i \\notin B} A_i\\bigr)
                = \\sum_{L \\subseteq C,\\ P(L) \\subseteq B} \\mu(L),

the Möbius transform of ``F`` over the ``k`` atoms gives
``G(B) = sum_{L ⊆ C, P(L) = B} mu(L)`` (also for overlapping atoms), so

* ``harsanyi`` (PreDiff, ``eta = 1``): ``R(q) = sum_{B: q(B)} G(B) - q(∅) v(∅)``,
* ``shapley`` (``eta(L) = 1 / #{q' ∈ Q : q'(L)}``): ``eta`` depends on ``L`` only through
  ``P(L)``, so ``R(q) = sum_{B: q(B)} G(B) / c(B) - q(∅) v(∅) / c(∅)`` with ``c(B)`` the
  number of queries of ``Q`` true on ``B``, computed over the union of the atoms of ``Q``.
  ``Q`` is a set of functions on coalitions: queries that are true on exactly the same
  coalitions (``"not"`` and ``#2`` when word 2 is the only *not*) count once. With
  singleton queries ``{i}`` over all features this is the Shapley value.

Cost: ``2^k`` value calls in one batch (plus ``v(∅)`` only if ``q(∅)`` is true),
whatever ``n`` is. Identities: ``R(a) = v(C) - v(C \\ A)``,
``R(a | b) = R(a) + R(b) - R(a & b)``, ``R(q) + R(~q) = v(C) - v(∅)``.

The correlation score of query search is the weighted Pearson correlation of the
vectors ``q(L)`` and ``mu(L)`` over the population of :mod:`symxai.population` (every
non-empty coalition of the context up to the decomposition's order, implicit zeros
included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from symxai.decomposition import Decomposition, moebius_transform
from symxai.errors import QueryError
from symxai.population import population_fractions, weighted_correlation
from symxai.query.ast import Atom, Query
from symxai.setfunction import SetFunction, masks_from_codes

__all__ = [
    "MAX_QUERY_ATOMS",
    "MODES",
    "Mode",
    "RelevancePlan",
    "correlation_scores",
    "dividend_relevance",
    "feature_shapley_relevance",
    "query_relevances",
    "shared_dividend_relevance",
]

MAX_QUERY_ATOMS = 20
"""Largest number of distinct atom sets in one closed form (``2^20`` value calls)."""

Mode = Literal["harsanyi", "shapley"]
"""How dividends are weighted: ``eta = 1`` (harsanyi) or shared among ``Q`` (shapley)."""

MODES: tuple[str, ...] = get_args(Mode)


@dataclass
class _AtomLattice:
    """The ``2^k`` coalitions ``C \\ ∪_{i∉B} A_i`` of ``k`` distinct atom sets.

    ``keys`` identify the atom sets; ``masks[B]`` is the coalition of pattern ``B``.
    """

    keys: list[bytes]
    masks: np.ndarray

    @classmethod
    def build(cls, atom_masks: list[np.ndarray], context: np.ndarray) -> _AtomLattice:
        distinct: dict[bytes, np.ndarray] = {}
        for mask in atom_masks:
            distinct.setdefault(np.packbits(mask).tobytes(), mask)
        k = len(distinct)
        if k > MAX_QUERY_ATOMS:
            raise QueryError(
                f"{k} distinct atoms need 2^{k} value calls; at most {MAX_QUERY_ATOMS} atoms "
                "are supported in one closed form"
            )
        atoms = np.stack(list(distinct.values())) if k else np.zeros((0, context.size), bool)
        patterns = masks_from_codes(np.arange(1 << k), k)
        removed = (~patterns).astype(np.int32) @ atoms.astype(np.int32) > 0
        return cls(keys=list(distinct), masks=context[None, :] & ~removed)

    @property
    def k(self) -> int:
        return len(self.keys)

    def pattern_bits(self) -> np.ndarray:
        """``[2^k, k]``: whether atom set ``j`` is present in pattern ``B``."""
        return masks_from_codes(np.arange(1 << self.k), self.k)

    def realisable(self, context: np.ndarray) -> np.ndarray:
        """Bool ``[2^k]``: patterns ``B = P(L)`` of some ``L ⊆ C`` (unions of the patterns of
        single features; with overlapping atoms some patterns cannot occur)."""
        if self.k == 0:
            return np.ones(1, dtype=bool)
        codes = np.arange(1 << self.k)
        atoms = np.stack([np.unpackbits(np.frombuffer(key, np.uint8)) for key in self.keys])
        weights = 1 << np.arange(self.k)
        reachable = np.zeros(1 << self.k, dtype=bool)
        reachable[0] = True
        for pattern in np.unique(weights @ atoms[:, : context.size][:, context]):
            reachable[codes[reachable] | pattern] = True
        return reachable

    def truth(self, query: Query, atom_masks: Mapping[Atom, np.ndarray]) -> np.ndarray:
        """``q(B)`` for every pattern ``B`` (bool ``[2^k]``)."""
        bits = self.pattern_bits()
        position = {key: j for j, key in enumerate(self.keys)}
        assignment = {
            atom: bits[:, position[np.packbits(mask).tobytes()]]
            for atom, mask in atom_masks.items()
            if atom in query.atoms()
        }
        return np.broadcast_to(np.asarray(query.evaluate(assignment), dtype=bool), (1 << self.k,))


@dataclass
class RelevancePlan:
    """The closed-form harsanyi relevance of several queries as one batch of coalitions.

    ``masks`` are the coalitions whose values the queries need (``2^k`` per query, plus
    ``v(∅)`` where ``q(∅)`` is true); :meth:`relevances` turns their values into
    ``R(q)``. Evaluating ``masks`` for many inputs with the same features (the frames of
    a trajectory) in one pass and applying :meth:`relevances` to each row is how batch
    runs share the work.
    """

    masks: np.ndarray
    truths: list[np.ndarray]
    sizes: list[int]

    @classmethod
    def build(
        cls,
        queries: Sequence[Query],
        atom_sets: Mapping[Atom, np.ndarray],
        n: int,
        context: np.ndarray | None = None,
    ) -> RelevancePlan:
        context = np.ones(n, dtype=bool) if context is None else np.asarray(context, dtype=bool)
        batches, truths, sizes = [], [], []
        for query in queries:
            masks = _atom_masks(query, atom_sets, n)
            lattice = _AtomLattice.build(list(masks.values()), context)
            truth = lattice.truth(query, masks)
            batches.append(lattice.masks)
            if truth[0]:
                batches.append(np.zeros((1, n), dtype=bool))
            truths.append(truth)
            sizes.append(lattice.masks.shape[0])
        masks = np.concatenate(batches) if batches else np.zeros((0, n), dtype=bool)
        return cls(masks=masks, truths=truths, sizes=sizes)

    def relevances(self, values: np.ndarray) -> np.ndarray:
        """``R(q)`` of every query from the values of :attr:`masks` (in that order)."""
        out, offset = np.empty(len(self.truths)), 0
        for index, (truth, size) in enumerate(zip(self.truths, self.sizes, strict=True)):
            dividends = moebius_transform(values[offset : offset + size])
            offset += size
            out[index] = dividends[truth].sum()
            if truth[0]:
                out[index] -= values[offset]
                offset += 1
        return out


def _atom_masks(
    query: Query, atom_sets: Mapping[Atom, np.ndarray], n: int
) -> dict[Atom, np.ndarray]:
    out = {}
    for atom in query.atoms():
        if atom not in atom_sets:
            raise QueryError(f"atom {atom} was not resolved to a feature set")
        mask = np.zeros(n, dtype=bool)
        mask[np.asarray(atom_sets[atom], dtype=np.int64)] = True
        out[atom] = mask
    return out


def query_relevances(
    set_function: SetFunction,
    queries: Sequence[Query],
    atom_sets: Mapping[Atom, np.ndarray],
    *,
    context: np.ndarray | None = None,
    mode: Mode = "harsanyi",
    query_set: Sequence[Query] | None = None,
) -> np.ndarray:
    """Relevance ``R(q)`` of every query, with all value calls in one batch.

    Parameters
    ----------
    set_function:
        The value function ``v``.
    queries:
        The queries to score.
    atom_sets:
        Feature indices of every atom occurring in ``queries`` (and ``query_set``).
    context:
        Bool mask of the context ``C`` (default: all features).
    mode:
        ``"harsanyi"`` (``eta = 1``) or ``"shapley"`` (dividends shared among the
        queries of ``query_set`` that are true on them).
    query_set:
        ``Q`` for shapley mode; defaults to ``queries``. Every scored query joins ``Q``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    n = set_function.n
    context = np.ones(n, dtype=bool) if context is None else np.asarray(context, dtype=bool)
    empty = np.zeros((1, n), dtype=bool)
    if mode == "harsanyi":
        plan = RelevancePlan.build(queries, atom_sets, n, context)
        return plan.relevances(set_function(plan.masks) if len(plan.masks) else np.empty(0))
    members, _ = _query_set(queries, query_set)
    masks: dict[Atom, np.ndarray] = {}
    for query in members:
        masks.update(_atom_masks(query, atom_sets, n))
    lattice = _AtomLattice.build(list(masks.values()), context)
    truth_of = {query: lattice.truth(query, masks) for query in members}
    possible = lattice.realisable(context)
    distinct = {truth[possible].tobytes(): truth for truth in truth_of.values()}
    counts = np.sum(list(distinct.values()), axis=0)
    values = set_function(np.concatenate([lattice.masks, empty]))
    dividends = moebius_transform(values[:-1])
    dividends[0] -= values[-1]
    share = np.divide(dividends, counts, out=np.zeros_like(dividends), where=counts > 0)
    return np.asarray([share[truth_of[query]].sum() for query in queries])


def _query_set(
    queries: Sequence[Query], query_set: Sequence[Query] | None
) -> tuple[list[Query], list[int]]:
    """``Q`` of shapley mode (``query_set``, default ``queries``, joined by every scored
    query) and the position of each scored query in it."""
    members: list[Query] = list(query_set or queries)
    positions = []
    for query in queries:
        found = next((j for j, member in enumerate(members) if query == member), None)
        if found is None:
            members.append(query)
            found = len(members) - 1
        positions.append(found)
    return members, positions


def _same_function(
    first: Query, second: Query, atom_sets: Mapping[Atom, np.ndarray], context: np.ndarray
) -> bool:
    """Whether two queries are true on exactly the same coalitions ``L ⊆ C``: equal truth
    on every presence pattern of their atoms that some ``L ⊆ C`` realises."""
    if first == second:
        return True
    n = context.size
    if isinstance(first, Atom) and isinstance(second, Atom):
        first_mask = _atom_masks(first, atom_sets, n)[first] & context
        return bool(np.array_equal(first_mask, _atom_masks(second, atom_sets, n)[second] & context))
    masks = {**_atom_masks(first, atom_sets, n), **_atom_masks(second, atom_sets, n)}
    lattice = _AtomLattice.build(list(masks.values()), context)
    possible = lattice.realisable(context)
    first_truth, second_truth = lattice.truth(first, masks), lattice.truth(second, masks)
    return bool(np.array_equal(first_truth[possible], second_truth[possible]))


def _distinct_functions(
    members: Sequence[Query],
    atom_sets: Mapping[Atom, np.ndarray],
    column_keys: Sequence[bytes],
    context: np.ndarray,
) -> np.ndarray:
    """Bool over ``members``: one representative of every distinct function on coalitions.

    Queries with different truth columns on the enumerated coalitions differ; within a
    group of equal columns, :func:`_same_function` decides (a complete decomposition may
    leave out coalitions whose dividend is 0, on which two queries can still differ).
    """
    groups: dict[bytes, list[int]] = {}
    for index, key in enumerate(column_keys):
        groups.setdefault(key, []).append(index)
    keep = np.zeros(len(members), dtype=bool)
    for group in groups.values():
        representatives: list[int] = []
        for index in group:
            if not any(
                _same_function(members[index], members[other], atom_sets, context)
                for other in representatives
            ):
                representatives.append(index)
        keep[representatives] = True
    return keep


def shared_dividend_relevance(
    decomposition: Decomposition,
    queries: Sequence[Query],
    atom_sets: Mapping[Atom, np.ndarray],
    query_set: Sequence[Query] | None = None,
    *,
    max_cells: int = 1 << 22,
) -> np.ndarray:
    """Shapley-mode relevance computed on a complete decomposition.

    .. math:: R(q) = \\sum_{\\emptyset \\ne L \\subseteq C}
              \\frac{\\mu(L)\\, q(L)}{\\#\\{q' \\in Q : q'(L)\\}}

    (a dividend on which no query of ``Q`` is true is shared by none). ``Q`` is
    ``query_set`` (default ``queries``) joined by every scored query; queries true on
    the same coalitions count once, as in the closed form of :func:`query_relevances`,
    which this equals. Unlike the closed form it needs no value calls: the cost is one
    pass of boolean matrix arithmetic over the enumerated dividends, so ``Q`` may hold
    any number of atoms (singletons of a 100-atom molecule give its Shapley values from
    the walk dividends). The truth matrix ``[M, |Q|]`` is built in row blocks of at most
    ``max_cells`` entries.
    """
    if not decomposition.complete:
        raise ValueError(
            "shapley relevance on dividends needs a complete decomposition (max_order=None)"
        )
    members, positions = _query_set(queries, query_set)
    total = len(decomposition)
    step = max(8, (max_cells // max(1, len(members))) // 8 * 8)
    blocks = [slice(start, min(total, start + step)) for start in range(0, total, step)]

    def truth_of(rows: slice) -> np.ndarray:
        return _truth_on_rows(decomposition, members, atom_sets, rows)

    first = truth_of(blocks[0]) if len(blocks) == 1 else None
    packed = [
        np.packbits(first if first is not None else truth_of(rows), axis=0) for rows in blocks
    ]
    columns = np.concatenate(packed, axis=0) if packed else np.zeros((0, len(members)), np.uint8)
    context = np.zeros(decomposition.n, dtype=bool)
    context[decomposition.context] = True
    counted = _distinct_functions(
        members, atom_sets, [columns[:, j].tobytes() for j in range(len(members))], context
    )
    orders = decomposition.orders
    out = np.zeros(len(members))
    for rows in blocks:
        truth = first if first is not None else truth_of(rows)
        counts = truth[:, counted].sum(axis=1)
        values = decomposition.values[rows]
        share = np.divide(
            values, counts, out=np.zeros_like(values), where=(counts > 0) & (orders[rows] > 0)
        )
        out += share @ truth
    return out[positions]


def feature_shapley_relevance(
    decomposition: Decomposition,
    queries: Sequence[Query],
    atom_sets: Mapping[Atom, np.ndarray],
) -> np.ndarray:
    """Shapley-mode relevance with the default query set, from a complete decomposition.

    The default ``Q`` is the singletons ``{i}`` of the context ``C`` joined by the scored
    queries. On a coalition ``∅ ≠ L ⊆ C`` exactly ``|L|`` singletons are true, so with
    ``E`` the scored queries that are not the same function as a singleton (counted once
    per distinct function, as in :func:`query_relevances`)

    .. math:: \\eta(L) = \\frac{1}{|L| + \\#\\{e \\in E : e(L)\\}},
              \\qquad R(q) = \\sum_{\\emptyset \\ne L \\subseteq C} \\mu(L)\\, q(L)\\, \\eta(L).

    One query ``q`` that is not a singleton: ``R(q) = sum_{L: q(L)} mu(L) / (|L| + 1)``;
    ``q = {i}`` (``#i``, or an atom whose only feature in ``C`` is ``i``):
    ``R(q) = sum_{L ∋ i} mu(L) / |L|``, the Shapley value of ``i``. The cost is the truth
    table of the scored queries on the listed dividends (``[M, m]``), not of the ``|C|``
    singletons, so it equals :func:`shared_dividend_relevance` with ``Q`` the singletons
    at a fraction of its cost. Scored queries with ``MAX_QUERY_ATOMS`` atoms or more take
    that general route.
    """
    if not decomposition.complete:
        raise ValueError(
            "shapley relevance on dividends needs a complete decomposition (max_order=None)"
        )
    context = np.zeros(decomposition.n, dtype=bool)
    context[decomposition.context] = True
    members, positions = _query_set(queries, None)
    widths = [len(_atom_masks(query, atom_sets, context.size)) for query in members]
    if max(widths, default=0) >= MAX_QUERY_ATOMS:
        singletons: list[Query] = [Atom("index", int(i)) for i in decomposition.context]
        sets = {**atom_sets, **{atom: np.asarray([atom.value]) for atom in singletons}}
        return shared_dividend_relevance(decomposition, queries, sets, singletons)
    truth = _truth_on_rows(decomposition, members, atom_sets)
    extra = np.asarray(
        [_singleton_feature(query, atom_sets, context) is None for query in members], dtype=bool
    )
    counted = np.zeros(len(members), dtype=bool)
    if extra.any():
        extra_members = [member for member, keep in zip(members, extra, strict=True) if keep]
        columns = np.packbits(truth[:, extra], axis=0)
        counted[extra] = _distinct_functions(
            extra_members,
            atom_sets,
            [columns[:, j].tobytes() for j in range(len(extra_members))],
            context,
        )
    orders = decomposition.orders
    counts = orders + truth[:, counted].sum(axis=1)
    values = decomposition.values
    share = np.divide(values, counts, out=np.zeros_like(values), where=(counts > 0) & (orders > 0))
    return (share @ truth)[positions]


def _singleton_feature(
    query: Query, atom_sets: Mapping[Atom, np.ndarray], context: np.ndarray
) -> int | None:
    """The feature ``i ∈ C`` when ``query`` is true on exactly the coalitions ``L ⊆ C``
    that contain ``i``, else ``None``.

    Only ``i`` with ``q({i})`` true, ``q({j})`` false for the other ``j ∈ C`` and
    ``q(∅)`` false can qualify; :func:`_same_function` decides that candidate (a closed
    form over the query's atoms and ``{i}``, fewer than ``MAX_QUERY_ATOMS`` of them).
    """
    members = np.flatnonzero(context)
    masks = _atom_masks(query, atom_sets, context.size)
    assignment = {atom: np.append(mask[members], False) for atom, mask in masks.items()}
    value = np.broadcast_to(np.asarray(query.evaluate(assignment), dtype=bool), (members.size + 1,))
    if value[-1] or value[:-1].sum() != 1:
        return None
    feature = int(members[np.argmax(value[:-1])])
    singleton = Atom("index", feature)
    sets = {**atom_sets, singleton: np.asarray([feature])}
    return feature if _same_function(query, singleton, sets, context) else None


def _truth_on_rows(
    decomposition: Decomposition,
    queries: Sequence[Query],
    atom_sets: Mapping[Atom, np.ndarray],
    rows: slice | None = None,
) -> np.ndarray:
    """``[M, Q]`` bools ``q(L)`` for the enumerated coalitions (of ``rows``) and queries."""
    atoms = list(dict.fromkeys(atom for query in queries for atom in query.atoms()))
    presence = decomposition.presence([np.asarray(atom_sets[a]) for a in atoms], rows)
    count = len(range(*(rows or slice(None)).indices(len(decomposition))))
    assignment = {atom: presence[:, j] for j, atom in enumerate(atoms)}
    columns = []
    for query in queries:
        value = query.evaluate({a: assignment[a] for a in query.atoms()})
        columns.append(np.broadcast_to(np.asarray(value, dtype=bool), (count,)))
    return np.stack(columns, axis=1) if columns else np.zeros((count, 0), bool)


def _truth_on_dividends(
    decomposition: Decomposition, queries: Sequence[Query], atom_sets: Mapping[Atom, np.ndarray]
) -> np.ndarray:
    """``[M, Q]`` bools ``q(L)`` for every enumerated coalition and query."""
    return _truth_on_rows(decomposition, queries, atom_sets)


def dividend_relevance(
    decomposition: Decomposition,
    queries: Sequence[Query],
    atom_sets: Mapping[Atom, np.ndarray],
) -> np.ndarray:
    """``R(q) = sum_{L ≠ ∅} mu(L) q(L)`` summed over the enumerated dividends.

    Equals the closed form when the decomposition is complete; for an order-limited
    decomposition it is the order-``k`` truncation of ``R(q)``.
    """
    truth = _truth_on_dividends(decomposition, queries, atom_sets)
    nonempty = decomposition.orders > 0
    return (decomposition.values[nonempty, None] * truth[nonempty]).sum(axis=0)


def correlation_scores(
    decomposition: Decomposition,
    queries: Sequence[Query],
    atom_sets: Mapping[Atom, np.ndarray],
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted Pearson correlation between ``q(L)`` and ``mu(L)`` over the population ``P``.

    .. math:: \\rho_w(q) = \\frac{\\sum_L w_L (q_L - \\bar q)(\\mu_L - \\bar\\mu)}
              {\\sqrt{\\sum_L w_L (q_L - \\bar q)^2 \\sum_L w_L (\\mu_L - \\bar\\mu)^2}},
              \\quad \\bar x = \\sum_L w_L x_L / \\sum_L w_L,

    sums over ``P`` = every non-empty ``L ⊆ C`` with ``|L| <= max_order`` of the
    decomposition (:mod:`symxai.population`): coalitions the decomposition does not list
    have dividend 0, so listing zeros or not gives the same score. ``weights`` (one per
    listed coalition; unlisted ones weigh 1) may emphasise some coalitions, for example
    by order. The fraction of ``P`` on which ``q`` is true is the Möbius transform of
    ``B -> f(|C minus the atoms outside B|) / |P|`` over the query's atoms, summed over
    the patterns ``B`` where ``q`` holds. A query true on no coalition of ``P`` or on all
    of them has score 0.
    """
    nonempty = decomposition.orders > 0
    truth = _truth_on_dividends(decomposition, queries, atom_sets)[nonempty].astype(np.float64)
    mu = decomposition.values[nonempty]
    w = np.ones(mu.size) if weights is None else np.asarray(weights, np.float64)[nonempty]
    context = np.zeros(decomposition.n, dtype=bool)
    context[decomposition.context] = True
    count, table = population_fractions(int(context.sum()), decomposition.max_order)
    extra_total = float((w - 1.0).sum())
    if count + extra_total <= 0:
        raise ValueError("correlation weights must have a positive sum")
    fractions = np.empty(len(queries))
    for number, query in enumerate(queries):
        masks = _atom_masks(query, atom_sets, decomposition.n)
        lattice = _AtomLattice.build(list(masks.values()), context)
        exact = moebius_transform(table[lattice.masks.sum(axis=1)])
        fractions[number] = min(1.0, max(0.0, exact[lattice.truth(query, masks)].sum()))
    return weighted_correlation(
        fractions,
        (w - 1.0) @ truth,
        (w * mu) @ truth,
        count=np.float64(count),
        extra_total=np.float64(extra_total),
        mu_total=np.float64(w @ mu),
        mu_square_total=np.float64(w @ mu**2),
    )
