"""Orderings: the symbolic greedy ordering equals a plainly written brute-force greedy;
occlusion and first-order orderings on a real GNN explanation; exact Shapley values
equal brute force over permutations, and the walk-dividend route equals the closed form
on a real GNN-LRP molecule explanation."""

from __future__ import annotations

from itertools import permutations
from typing import Any

import numpy as np
import pytest

from symxai import SetFunction
from symxai.evaluation import (
    Ordering,
    first_order_ordering,
    greedy_ordering,
    occlusion_ordering,
    occlusion_scores,
    random_ordering,
    score_ordering,
    shapley_ordering,
    shapley_values,
)
from tests.conftest import NITROANILINE, random_set_function

NITROMETHANE = "C[N+](=O)[O-]"


def brute_force_greedy(table: np.ndarray, n: int, kind: str, step: int = 1) -> list[int]:
    """Greedy by loops: one value lookup per candidate feature."""

    def v(coalition: set[int]) -> float:
        return float(table[sum(1 << i for i in coalition)])

    current = set(range(n)) if kind == "deletion" else set()
    order: list[int] = []
    while len(order) < n:
        scored = []
        for i in range(n):
            if kind == "deletion" and i in current:
                scored.append((v(current - {i}), i))
            elif kind == "insertion" and i not in current:
                scored.append((-v(current | {i}), i))
        scored.sort()  # smallest value after removal / largest after addition; ties: index
        chosen = [i for _, i in scored[:step]]
        for i in chosen:
            if kind == "deletion":
                current.discard(i)
            else:
                current.add(i)
        order.extend(chosen)
    return order


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("step", [1, 3])
def test_greedy_ordering_equals_brute_force(seed: int, step: int) -> None:
    n = 7
    set_function, table = random_set_function(np.random.default_rng(seed), n)
    ordering = greedy_ordering(set_function, step=step)
    assert ordering.deletion.tolist() == [brute_force_greedy(table, n, "deletion", step)]
    assert ordering.insertion.tolist() == [brute_force_greedy(table, n, "insertion", step)]
    assert ordering.name == "greedy"


def test_greedy_ordering_costs_one_batch_per_step() -> None:
    n = 7
    _, table = random_set_function(np.random.default_rng(5), n)
    weights = 1 << np.arange(n)
    batches: list[int] = []

    def game(masks: np.ndarray) -> np.ndarray:
        batches.append(masks.shape[0])
        return table[masks.astype(np.int64) @ weights]

    uncached = SetFunction(game, n, cache=False)
    greedy_ordering(uncached)
    # deletion asks for 7, 6, ..., 1 coalitions, insertion again: n (n + 1) / 2 each
    assert batches == list(range(n, 0, -1)) * 2
    assert sum(batches) == n * (n + 1)
    batches.clear()
    greedy_ordering(uncached, step=3)
    assert batches == [7, 4, 1] * 2
    batches.clear()
    greedy_ordering(game, n=n)  # a bare callable is cached: repeated coalitions cost nothing
    assert len(batches) <= 2 * n and sum(batches) < n * (n + 1)


def test_greedy_on_an_additive_game_sorts_by_weight() -> None:
    weights = np.array([0.5, -2.0, 3.0, 1.0, 0.0])

    def additive(masks: np.ndarray) -> np.ndarray:
        return np.asarray(masks, dtype=bool) @ weights

    ordering = greedy_ordering(additive, n=5)
    assert ordering.deletion.tolist() == [[2, 3, 0, 4, 1]]
    assert ordering.insertion.tolist() == [[2, 3, 0, 4, 1]]


def test_score_and_random_orderings() -> None:
    ordering = score_ordering(np.array([1.0, 3.0, 1.0, -2.0, 3.0]), "scores")
    assert ordering.deletion.tolist() == [[1, 4, 0, 2, 3]]  # stable among ties
    assert np.array_equal(ordering.deletion, ordering.insertion)
    with pytest.raises(ValueError, match="NaN"):
        score_ordering(np.array([1.0, np.nan]), "broken")
    first, again = random_ordering(9, repeats=5, seed=4), random_ordering(9, repeats=5, seed=4)
    assert first.deletion.shape == (5, 9) and first.repeats == 5 and first.n == 9
    assert np.array_equal(first.deletion, again.deletion)
    assert all(sorted(row) == list(range(9)) for row in first.deletion.tolist())
    assert not np.array_equal(first.deletion, random_ordering(9, repeats=5, seed=5).deletion)
    with pytest.raises(ValueError, match="permutation"):
        Ordering("bad", np.array([[0, 1, 1]]), np.array([[0, 1, 2]]))


def brute_force_shapley(table: np.ndarray, n: int) -> np.ndarray:
    """Mean marginal contribution over all n! permutations."""
    phi = np.zeros(n)
    count = 0
    for order in permutations(range(n)):
        code = 0
        for i in order:
            phi[i] += table[code | (1 << i)] - table[code]
            code |= 1 << i
        count += 1
    return phi / count


@pytest.mark.parametrize("seed", [0, 1])
def test_shapley_values_equal_brute_force_over_permutations(seed: int) -> None:
    n = 6
    set_function, table = random_set_function(np.random.default_rng(seed), n)
    phi = shapley_values(set_function)
    np.testing.assert_allclose(phi, brute_force_shapley(table, n), atol=1e-12)
    assert phi.sum() == pytest.approx(table[-1] - table[0])  # efficiency
    ordering = shapley_ordering(set_function)
    assert ordering.deletion.tolist() == [np.argsort(-phi, kind="stable").tolist()]
    assert ordering.name == "shapley"


def test_shapley_values_beyond_the_exact_limit_point_to_an_approximator() -> None:
    big = SetFunction(lambda masks: masks.sum(axis=1).astype(float), 21)
    with pytest.raises(ValueError, match="shapiq"):
        shapley_values(big)


@pytest.fixture(scope="module")
def nitroaniline(mutagenicity_gin: Any) -> tuple[Any, Any]:
    from symxai.domains.molecules.explain import explain_molecule

    explanation = explain_molecule(NITROANILINE, mutagenicity_gin.model)
    removal = explain_molecule(NITROANILINE, mutagenicity_gin.model, backend="perturbation")
    return explanation, removal


def test_occlusion_ordering_on_a_real_gnn(nitroaniline: tuple[Any, Any]) -> None:
    _, removal = nitroaniline
    n = removal.n
    full = removal.value()
    expected = np.array([full - removal.value([j for j in range(n) if j != i]) for i in range(n)])
    scores = occlusion_scores(removal)
    np.testing.assert_allclose(scores, expected, rtol=1e-6, atol=1e-6)
    ordering = occlusion_ordering(removal)
    assert ordering.name == "occlusion"
    assert np.all(np.diff(expected[ordering.deletion[0]]) <= 1e-6)


def test_first_order_ordering_on_a_real_gnn(nitroaniline: tuple[Any, Any]) -> None:
    explanation, _ = nitroaniline
    relevance = explanation.feature_relevance()
    ordering = first_order_ordering(explanation)
    assert ordering.name == "first-order"
    assert sorted(ordering.deletion[0].tolist()) == list(range(explanation.n))
    assert np.all(np.diff(relevance[ordering.deletion[0]]) <= 0)
    # the nitro nitrogen and its oxygens lead for this mutagen
    assert explanation.space.names[ordering.deletion[0][0]].startswith(("N", "O"))


def test_shapley_from_walk_dividends_equals_the_closed_form(mutagenicity_gin: Any) -> None:
    from symxai.domains.molecules.explain import explain_molecule

    explanation = explain_molecule(NITROMETHANE, mutagenicity_gin.model)
    assert explanation.source.exact_dividends() is not None  # the walk route is taken
    from_dividends = shapley_values(explanation)
    closed_form = shapley_values(explanation.set_function)  # 2^n coalitions, no dividends
    np.testing.assert_allclose(from_dividends, closed_form, rtol=1e-5, atol=1e-6)
    singletons = [f"#{i}" for i in range(explanation.n)]
    np.testing.assert_allclose(
        from_dividends,
        explanation.relevances(singletons, mode="shapley").to_numpy(),
        rtol=1e-6,
        atol=1e-8,
    )
    assert shapley_ordering(explanation).deletion.shape == (1, explanation.n)
