"""Closed-form query relevance against brute-force sums over all coalitions.

The brute force enumerates every non-empty L ⊆ C, computes mu(L) by the explicit
Möbius sum and evaluates the query on the presence pattern of L with sympy (an
evaluator independent of symxai's own).
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
import shapiq
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symxai import (
    And,
    Atom,
    Constant,
    Explanation,
    FeatureSpace,
    Implies,
    Not,
    Or,
    Query,
    SetFunction,
    Xor,
    correlation_scores,
    dividend_relevance,
    harsanyi_dividends,
    query_relevances,
)
from tests.conftest import bruteforce_dividends

ATOMS = [Atom("name", f"a{j}") for j in range(4)]


def formulas(atoms: list[Atom]) -> st.SearchStrategy[Query]:
    leaves = st.sampled_from(atoms) | st.builds(Constant, st.booleans())
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.builds(Not, children),
            st.builds(lambda a, b: And((a, b)), children, children),
            st.builds(lambda a, b: Or((a, b)), children, children),
            st.builds(lambda a, b: Xor((a, b)), children, children),
            st.builds(Implies, children, children),
        ),
        max_leaves=8,
    )


@st.composite
def problems(draw: st.DrawFn) -> tuple:
    n = draw(st.integers(1, 6))
    table = np.asarray(draw(st.lists(st.floats(-10, 10), min_size=1 << n, max_size=1 << n)))
    k = draw(st.integers(1, 4))
    atoms = ATOMS[:k]
    subsets = st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)
    atom_sets = {atom: np.asarray(sorted(draw(subsets))) for atom in atoms}
    context = np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    query = draw(formulas(atoms))
    return table, atom_sets, context, query


def bruteforce_relevance(table, atom_sets, context, query, eta=lambda L: 1.0) -> float:
    n = int(np.log2(table.size))
    mu = bruteforce_dividends(table)
    symbols = {atom: sympy.Symbol(str(atom)) for atom in atom_sets}
    expression = query.to_sympy(symbols)
    context_code = sum(1 << i for i in range(n) if context[i])
    total = 0.0
    for L in range(1, table.size):
        if L & ~context_code:
            continue
        members = {i for i in range(n) if L >> i & 1}
        truth = {symbols[a]: bool(members & set(s.tolist())) for a, s in atom_sets.items()}
        if bool(expression.subs(truth)):
            total += eta(members) * mu[L]
    return total


@given(problems())
@settings(max_examples=300, deadline=None)
def test_closed_form_equals_bruteforce(problem) -> None:
    table, atom_sets, context, query = problem
    closed = query_relevances(SetFunction.from_table(table), [query], atom_sets, context=context)[0]
    assert closed == pytest.approx(bruteforce_relevance(table, atom_sets, context, query), abs=1e-9)


@given(problems())
@settings(max_examples=100, deadline=None)
def test_identities(problem) -> None:
    table, atom_sets, context, _ = problem
    set_function = SetFunction.from_table(table)
    a, b = ATOMS[0], ATOMS[min(1, len(atom_sets) - 1)]
    queries = [a, b, Or((a, b)), And((a, b)), Not(a)]
    r_a, r_b, r_or, r_and, r_not_a = query_relevances(
        set_function, queries, atom_sets, context=context
    )
    n = set_function.n
    full = context.copy()
    without_a = context.copy()
    without_a[atom_sets[a]] = False
    v = set_function
    assert r_a == pytest.approx(v.value(full) - v.value(without_a), abs=1e-9)
    assert r_or == pytest.approx(r_a + r_b - r_and, abs=1e-9)
    assert r_a + r_not_a == pytest.approx(v.value(full) - v.value(np.zeros(n, bool)), abs=1e-9)


def test_three_atom_query_needs_at_most_eight_value_calls() -> None:
    calls = []
    set_function = SetFunction(lambda masks: calls.append(len(masks)) or masks.sum(1) ** 2, 30)
    atom_sets = {ATOMS[0]: np.array([0, 1]), ATOMS[1]: np.array([5]), ATOMS[2]: np.array([7, 9])}
    query = Or((And((ATOMS[0], ATOMS[1])), Not(ATOMS[2])))  # q(∅) is true: v(∅) is needed too
    query_relevances(set_function, [And((ATOMS[0], ATOMS[1], ATOMS[2]))], atom_sets)
    assert set_function.calls <= 8 and len(calls) == 1
    fresh = SetFunction(lambda masks: masks.sum(1) ** 2, 30)
    query_relevances(fresh, [query], atom_sets)
    assert fresh.calls == 9  # 2^3 patterns plus v(∅), one batch


def exact_shapley(table: np.ndarray) -> np.ndarray:
    n = int(np.log2(table.size))
    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for S in combinations(others, size):
                code = sum(1 << j for j in S)
                phi[i] += weight * (table[code | 1 << i] - table[code])
    return phi


@given(
    st.integers(1, 6).flatmap(
        lambda n: st.lists(st.floats(-5, 5), min_size=1 << n, max_size=1 << n)
    )
)
@settings(max_examples=40, deadline=None)
def test_shapley_mode_with_singletons_is_the_shapley_value(values) -> None:
    table = np.asarray(values)
    n = int(np.log2(table.size))
    space = FeatureSpace.indexed(n)
    explanation = Explanation(space, SetFunction.from_table(table))
    singletons = [f"#{i}" for i in range(n)]
    ours = explanation.relevances(singletons, mode="shapley").to_numpy()
    np.testing.assert_allclose(ours, exact_shapley(table), atol=1e-9)
    default_q = [explanation.relevance(f"#{i}", mode="shapley") for i in range(n)]
    np.testing.assert_allclose(default_q, ours, atol=1e-9)


def test_shapley_mode_matches_shapiq_and_brute_force_sharing(rng: np.random.Generator) -> None:
    n = 6
    table = rng.normal(size=1 << n)
    set_function = SetFunction.from_table(table)
    reference = shapiq.ExactComputer(game=lambda m: set_function(m), n_players=n)("SV", order=1)
    explanation = Explanation(FeatureSpace.indexed(n), set_function)
    for i in range(n):
        assert explanation.relevance(f"#{i}", mode="shapley") == pytest.approx(
            reference[(i,)], abs=1e-9
        )
    # A general query set: each dividend shared among the queries true on it.
    atom_sets = {ATOMS[0]: np.array([0, 1]), ATOMS[1]: np.array([1, 2, 3]), ATOMS[2]: np.array([5])}
    q_set = [ATOMS[0], And((ATOMS[1], Not(ATOMS[2]))), Or((ATOMS[2], ATOMS[0]))]
    ours = query_relevances(set_function, q_set, atom_sets, mode="shapley")
    symbols = {atom: sympy.Symbol(str(atom)) for atom in atom_sets}

    def count(members: set[int]) -> int:
        truth = {symbols[a]: bool(members & set(s.tolist())) for a, s in atom_sets.items()}
        return sum(bool(q.to_sympy(symbols).subs(truth)) for q in q_set)

    everything = np.ones(n, bool)
    for value, query in zip(ours, q_set, strict=True):
        expected = bruteforce_relevance(table, atom_sets, everything, query, lambda L: 1 / count(L))
        assert value == pytest.approx(expected, abs=1e-9)


def test_dividend_relevance_and_correlation(rng: np.random.Generator) -> None:
    n = 7
    table = rng.normal(size=1 << n)
    set_function = SetFunction.from_table(table)
    decomposition = harsanyi_dividends(set_function)
    atom_sets = {ATOMS[0]: np.array([0]), ATOMS[1]: np.array([2, 3]), ATOMS[2]: np.array([6])}
    queries = [And((ATOMS[0], ATOMS[1])), Or((ATOMS[1], Not(ATOMS[2]))), ATOMS[2]]
    np.testing.assert_allclose(
        dividend_relevance(decomposition, queries, atom_sets),
        query_relevances(set_function, queries, atom_sets),
        atol=1e-9,
    )
    # Uniform weights: the plain Pearson correlation over the non-empty coalitions.
    subsets = decomposition.subsets()
    nonempty = [r for r, s in enumerate(subsets) if s]
    truth = np.array(
        [
            [bool(set(subsets[r]) & {0}) and bool(set(subsets[r]) & {2, 3}) for r in nonempty],
            [bool(set(subsets[r]) & {2, 3}) or not set(subsets[r]) & {6} for r in nonempty],
            [bool(set(subsets[r]) & {6}) for r in nonempty],
        ]
    )
    mu = decomposition.values[nonempty]
    expected = [np.corrcoef(row.astype(float), mu)[0, 1] for row in truth]
    np.testing.assert_allclose(correlation_scores(decomposition, queries, atom_sets), expected)
    # Weighted: duplicating a coalition equals weight 2 on it.
    weights = np.ones(len(decomposition))
    weights[nonempty[:10]] = 2.0
    x = np.concatenate([truth[0], truth[0][:10]]).astype(float)
    y = np.concatenate([mu, mu[:10]])
    weighted = correlation_scores(decomposition, queries[:1], atom_sets, weights)[0]
    assert weighted == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert correlation_scores(decomposition, [Constant(True)], {})[0] == 0.0


def test_shapley_query_set_counts_equivalent_queries_once(rng: np.random.Generator) -> None:
    """``a | b`` with ``B ⊆ A`` is true on exactly the coalitions where ``a`` is: one query."""
    table = rng.normal(size=1 << 5)
    set_function = SetFunction.from_table(table)
    a, b, c = ATOMS[:3]
    atom_sets = {a: np.array([1, 2]), b: np.array([2]), c: np.array([4])}
    reference = query_relevances(set_function, [a, c], atom_sets, mode="shapley")
    with_duplicate = query_relevances(
        set_function, [a, c], atom_sets, mode="shapley", query_set=[a, Or((a, b)), c]
    )
    np.testing.assert_allclose(with_duplicate, reference, atol=1e-12)
    constant_only = query_relevances(set_function, [Constant(True)], {}, mode="shapley")
    assert constant_only[0] == pytest.approx(table[-1] - table[0])
