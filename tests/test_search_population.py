"""Query search scores over the coalition population, not over the listed dividends.

The same dividends listed densely (zeros included) and sparsely (only the non-zero
ones, as walk dividends are) give the same correlations and the same search result;
the correlations equal a brute-force Pearson correlation over every coalition of the
population; planted formulas are found with either sign, reported with their sign."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from symxai import Atom, correlation_scores, parse_query, search_over_inputs, search_queries
from symxai.decomposition import Decomposition
from symxai.population import population_fractions

NAMES = list("abcdef")
PLANTED = ["a ^ b", "(a -> b) & c", "~a & ~b & c", "(a | b) & ~c", "(a & b) | (c & d)", "a & ~e"]


def truth_on_codes(formula: str, atom_sets: dict[str, list[int]], codes: np.ndarray) -> np.ndarray:
    """Truth of ``formula`` on the coalitions with bitmask ``codes`` (atom = feature set)."""
    query = parse_query(formula)
    present = {
        Atom("name", name): (codes[:, None] >> np.asarray(indices)[None, :] & 1).any(axis=1)
        for name, indices in atom_sets.items()
    }
    value = query.evaluate({atom: present[atom] for atom in query.atoms()})
    return np.broadcast_to(np.asarray(value, dtype=bool), codes.shape)


def dense(mu: np.ndarray, n: int) -> Decomposition:
    """Every coalition listed, zeros included (bitmask-indexed table)."""
    return Decomposition(n, np.arange(n), mu, codes=np.arange(1 << n), max_order=n)


def sparse(mu: np.ndarray, n: int, max_order: int | None = None) -> Decomposition:
    """Only the non-zero dividends listed, as members (the form of walk dividends)."""
    listed = np.flatnonzero(mu)
    listed = listed[listed > 0]
    members = np.full((listed.size + 1, n), -1, dtype=np.int64)
    for row, code in enumerate(listed, start=1):
        indices = [i for i in range(n) if code >> i & 1]
        members[row, : len(indices)] = indices
    values = np.concatenate([[0.0], mu[listed]])
    order = n if max_order is None else max_order
    return Decomposition(n, np.arange(n), values, members=members, max_order=order, complete=True)


def planted_dividends(formula: str, sign: float, seed: int = 0) -> np.ndarray:
    codes = np.arange(1 << len(NAMES))
    rng = np.random.default_rng(seed)
    singletons = {name: [i] for i, name in enumerate(NAMES)}
    holds = truth_on_codes(formula, singletons, codes) & (codes > 0)
    return np.where(holds, sign * rng.uniform(0.5, 1.5, codes.size), 0.0)


def singleton_sets() -> dict[str, list[int]]:
    return {name: [i] for i, name in enumerate(NAMES)}


# ------------------------------------------------------------------ planted
@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("formula", PLANTED)
def test_planted_formula_is_found_on_dense_and_sparse_listings(formula: str, sign: float) -> None:
    mu = planted_dividends(formula, sign)
    n = len(NAMES)
    results = [search_queries(d, singleton_sets(), top=8) for d in (dense(mu, n), sparse(mu, n))]
    for result in results:
        assert result.queries[0].equivalent(parse_query(formula)), str(result.queries[0])
        assert np.sign(result.table["score"].iloc[0]) == sign
        assert np.sign(result.table["relevance"].iloc[0]) == sign
    full, listed = results
    assert [str(q) for q in full.queries] == [str(q) for q in listed.queries]
    np.testing.assert_allclose(full.table["score"], listed.table["score"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("formula", PLANTED)
def test_asking_for_the_sign_returns_the_planted_formula_or_its_complement(formula: str) -> None:
    mu = planted_dividends(formula, -1.0, seed=1)
    decomposition = sparse(mu, len(NAMES))
    planted = parse_query(formula)
    negative = search_queries(decomposition, singleton_sets(), sign="negative", top=5)
    assert negative.queries[0].equivalent(planted) and negative.table["score"].iloc[0] < 0
    assert negative.sign == "negative"
    default = search_queries(decomposition, singleton_sets(), top=20)
    assert default.sign == "abs"
    # the complement has the same |correlation|; it is not listed beside the planted one
    assert not any(q.equivalent(~planted) for q in default.queries)
    positive = search_queries(decomposition, singleton_sets(), sign="positive", top=5)
    if any(q.equivalent(~planted) for q in positive.queries):
        first = next(i for i, q in enumerate(positive.queries) if q.equivalent(~planted))
        score = positive.table["score"].iloc[first]
        assert score == pytest.approx(-negative.table["score"].iloc[0], abs=1e-12)


def test_data_set_search_is_the_same_for_dense_and_sparse_listings() -> None:
    n = len(NAMES)
    inputs = [planted_dividends("a & ~b", 1.0, seed) for seed in range(3)]
    inputs.append(planted_dividends("c & d", 1.0, 9))
    sets = singleton_sets()
    full = search_over_inputs([(dense(mu, n), sets) for mu in inputs], top=6, max_literals=2)
    listed = search_over_inputs([(sparse(mu, n), sets) for mu in inputs], top=6, max_literals=2)
    assert full.queries[0].equivalent(parse_query("a & ~b"))
    assert [str(q) for q in full.queries] == [str(q) for q in listed.queries]
    for column in ("score", "correlation", "relevance", "rank_median"):
        np.testing.assert_allclose(full.table[column], listed.table[column], rtol=0, atol=1e-12)


# -------------------------------------------------------------- brute force
def brute_force_correlation(
    formula: str,
    atom_sets: dict[str, list[int]],
    mu: np.ndarray,
    n: int,
    max_order: int,
    weights: np.ndarray | None = None,
) -> float:
    """Weighted Pearson correlation over every non-empty L with |L| <= max_order."""
    codes = np.asarray(
        [
            sum(1 << i for i in c)
            for r in range(1, max_order + 1)
            for c in itertools.combinations(range(n), r)
        ]
    )
    q = truth_on_codes(formula, atom_sets, codes).astype(np.float64)
    values = mu[codes]
    w = np.ones(codes.size) if weights is None else weights[codes]
    w = w / w.sum()
    q_centred, mu_centred = q - w @ q, values - w @ values
    denominator = np.sqrt((w @ q_centred**2) * (w @ mu_centred**2))
    return float(w @ (q_centred * mu_centred) / denominator) if denominator > 0 else 0.0


OVERLAPPING = {"a": [0, 1], "b": [1, 2, 3], "c": [3, 4], "d": [6]}  # feature 5, 7: no atom


@pytest.mark.parametrize("max_order", [8, 3])
def test_correlations_equal_brute_force_over_the_population(max_order: int) -> None:
    n = 8
    rng = np.random.default_rng(4)
    codes = np.arange(1 << n)
    orders = np.asarray([bin(c).count("1") for c in codes])
    mu = np.where(
        (rng.random(codes.size) < 0.15) & (orders >= 1) & (orders <= max_order),
        rng.normal(size=codes.size),
        0.0,
    )
    decomposition = sparse(mu, n, max_order)
    atom_sets = {parse_query(k): np.asarray(v) for k, v in OVERLAPPING.items()}
    result = search_queries(decomposition, OVERLAPPING, groups=["a", "b", "c"], top=30)
    expected = [
        brute_force_correlation(str(q), OVERLAPPING, mu, n, max_order) for q in result.queries
    ]
    np.testing.assert_allclose(result.table["correlation"], expected, rtol=0, atol=1e-10)
    reference = correlation_scores(decomposition, result.queries, atom_sets)
    np.testing.assert_allclose(reference, expected, rtol=0, atol=1e-10)


def test_weighted_correlations_count_unlisted_coalitions_with_weight_one() -> None:
    n = 6
    mu = planted_dividends("a & b", 1.0, seed=2)
    mu[0b000111] = -0.7
    decomposition = sparse(mu, n)
    listed_weights = np.random.default_rng(5).uniform(0.2, 3.0, len(decomposition))
    weights = np.ones(1 << n)
    listed = np.concatenate([[0], np.flatnonzero(mu[1:]) + 1])  # the rows of sparse()
    weights[listed] = listed_weights
    result = search_queries(decomposition, singleton_sets(), weights=listed_weights, top=15)
    expected = [
        brute_force_correlation(str(q), singleton_sets(), mu, n, n, weights) for q in result.queries
    ]
    np.testing.assert_allclose(result.table["correlation"], expected, rtol=0, atol=1e-10)


def test_population_fractions_are_exact_for_large_feature_sets() -> None:
    count, table = population_fractions(126, 126)
    assert count == float(2**126 - 1)
    assert table[0] == 0.0 and table[-1] == 1.0
    assert table[125] == pytest.approx(0.5, rel=1e-15)
    limited, small = population_fractions(126, 3)
    assert limited == sum(math.comb(126, r) for r in (1, 2, 3))
    assert small[3] == pytest.approx(7 / limited, rel=1e-15)
