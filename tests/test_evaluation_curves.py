"""Deletion / insertion curves: exact against hand-derived curves of a planted game,
resampling, the degenerate case, averaging over random repeats, one batched call."""

from __future__ import annotations

import numpy as np
import pytest

from symxai import SetFunction
from symxai.evaluation import (
    Curve,
    Ordering,
    as_value_function,
    curve_steps,
    mean_area,
    perturbation_curve,
    perturbation_curves,
    random_ordering,
)

WEIGHTS = np.array([3.0, -1.0, 2.0, 0.5, 1.5])
PAIR = (0, 2)
PAIR_WEIGHT = 2.0
BIAS = 0.25


def planted(masks: np.ndarray) -> np.ndarray:
    """v(S) = 0.25 + sum_{i in S} w_i + 2 [0 in S and 2 in S]."""
    masks = np.asarray(masks, dtype=bool)
    return BIAS + masks @ WEIGHTS + PAIR_WEIGHT * (masks[:, PAIR[0]] & masks[:, PAIR[1]])


def by_hand(kept: list[set[int]]) -> np.ndarray:
    out = []
    for coalition in kept:
        value = BIAS + sum(WEIGHTS[i] for i in coalition)
        if set(PAIR) <= coalition:
            value += PAIR_WEIGHT
        out.append(value)
    return np.array(out)


class CountingGame:
    """The planted game, counting how often it is called and how many rows it sees."""

    def __init__(self) -> None:
        self.calls = 0
        self.rows = 0

    def __call__(self, masks: np.ndarray) -> np.ndarray:
        self.calls += 1
        self.rows += masks.shape[0]
        return planted(masks)


ORDER = np.array([2, 0, 4, 3, 1])


def test_deletion_curve_equals_the_hand_derived_one() -> None:
    n = WEIGHTS.size
    # deletion keeps N minus the first k of the ordering
    kept = [set(range(n)) - set(ORDER[:k].tolist()) for k in range(n + 1)]
    raw = by_hand(kept)  # [8.25, 4.25, 1.25, -0.25, -0.75, 0.25]
    np.testing.assert_allclose(raw, [8.25, 4.25, 1.25, -0.25, -0.75, 0.25])
    full, empty = raw[0], raw[-1]
    normalised = (raw - empty) / (full - empty)

    curve = perturbation_curve(planted_function(), ORDER, "deletion", points=n + 1)
    np.testing.assert_allclose(curve.raw, raw[None, :])
    assert (curve.full, curve.empty) == (8.25, 0.25)
    np.testing.assert_allclose(curve.fractions, np.arange(n + 1) / n)
    np.testing.assert_allclose(curve.values, normalised)
    assert curve.values[0] == pytest.approx(1.0) and curve.values[-1] == pytest.approx(0.0)
    trapezoid = sum((normalised[k] + normalised[k + 1]) / 2 / n for k in range(n))
    assert curve.area == pytest.approx(trapezoid)
    assert curve.kind == "deletion" and curve.ordering == "given"


def test_insertion_curve_equals_the_hand_derived_one() -> None:
    n = WEIGHTS.size
    kept = [set(ORDER[:k].tolist()) for k in range(n + 1)]
    raw = by_hand(kept)  # [0.25, 2.25, 7.25, 8.75, 9.25, 8.25]
    np.testing.assert_allclose(raw, [0.25, 2.25, 7.25, 8.75, 9.25, 8.25])
    normalised = (raw - 0.25) / 8.0
    curve = perturbation_curve(planted_function(), ORDER, "insertion", points=n + 1)
    np.testing.assert_allclose(curve.values, normalised)
    assert curve.values[0] == pytest.approx(0.0) and curve.values[-1] == pytest.approx(1.0)
    trapezoid = sum((normalised[k] + normalised[k + 1]) / 2 / n for k in range(n))
    assert curve.area == pytest.approx(trapezoid)


def planted_function() -> SetFunction:
    return SetFunction(planted, WEIGHTS.size)


def test_resampling_is_linear_interpolation_between_steps() -> None:
    n = WEIGHTS.size
    kept = [set(range(n)) - set(ORDER[:k].tolist()) for k in range(n + 1)]
    raw = by_hand(kept)
    normalised = (raw - raw[-1]) / (raw[0] - raw[-1])
    curve = perturbation_curve(planted_function(), ORDER, "deletion", points=11)
    assert curve.fractions.shape == (11,)
    np.testing.assert_allclose(curve.fractions, np.linspace(0, 1, 11))
    # fraction 0.1 lies half way between step 0 (0.0) and step 1 (0.2)
    assert curve.values[1] == pytest.approx((normalised[0] + normalised[1]) / 2)
    # fraction 0.4 is step 2 exactly
    assert curve.values[4] == pytest.approx(normalised[2])
    assert curve.values[3] == pytest.approx(0.5 * normalised[1] + 0.5 * normalised[2])


def test_both_curves_come_from_one_batched_call() -> None:
    game = CountingGame()
    ordering = random_ordering(WEIGHTS.size, repeats=4, seed=3)
    deletion, insertion = perturbation_curves(game, ordering, n=WEIGHTS.size)
    assert game.calls == 1
    assert game.rows <= 2 * 4 * (WEIGHTS.size + 1)
    assert (deletion.kind, insertion.kind) == ("deletion", "insertion")
    assert deletion.raw.shape == insertion.raw.shape == (4, WEIGHTS.size + 1)
    single = CountingGame()
    perturbation_curve(single, ORDER, "insertion", points=5, n=WEIGHTS.size)
    assert single.calls == 1
    function, size = as_value_function(CountingGame(), n=WEIGHTS.size)
    assert size == WEIGHTS.size and isinstance(function, SetFunction)


def test_random_ordering_is_averaged_over_repeats() -> None:
    ordering = random_ordering(WEIGHTS.size, repeats=6, seed=11)
    curve = perturbation_curve(planted_function(), ordering, "deletion", points=WEIGHTS.size + 1)
    expected = []
    for row in ordering.deletion:
        kept = [set(range(WEIGHTS.size)) - set(row[:k].tolist()) for k in range(WEIGHTS.size + 1)]
        expected.append((by_hand(kept) - 0.25) / 8.0)
    np.testing.assert_allclose(curve.values, np.mean(expected, axis=0))
    assert curve.raw.shape == (6, WEIGHTS.size + 1)
    assert curve.ordering == "random"
    # repeats differ, so averaging matters
    assert not np.allclose(expected[0], expected[1])


def test_degenerate_output_gives_nan_values_and_area() -> None:
    def flat(masks: np.ndarray) -> np.ndarray:
        # f(N) = f(empty) = 1 but the curve moves in between
        masks = np.asarray(masks, dtype=bool)
        return 1.0 + masks.sum(axis=1) * (masks.sum(axis=1) < masks.shape[1])

    curve = perturbation_curve(SetFunction(flat, 4), np.arange(4), "deletion")
    assert np.isnan(curve.values).all()
    assert np.isnan(curve.area)
    good = perturbation_curve(planted_function(), ORDER, "deletion")
    assert mean_area([curve, good]) == pytest.approx(good.area)
    assert np.isnan(mean_area([curve]))


def test_a_faithful_ordering_beats_the_reverse_one() -> None:
    best = np.argsort(-WEIGHTS, kind="stable")
    ordering = Ordering("weights", best, best)
    reverse = Ordering("reverse", best[::-1], best[::-1])
    good_deletion, good_insertion = perturbation_curves(planted_function(), ordering)
    bad_deletion, bad_insertion = perturbation_curves(planted_function(), reverse)
    assert good_deletion.area < bad_deletion.area
    assert good_insertion.area > bad_insertion.area
    assert isinstance(good_deletion, Curve)


def test_clear_errors() -> None:
    with pytest.raises(ValueError, match="deletion' or 'insertion"):
        perturbation_curve(planted_function(), ORDER, "sideways")
    with pytest.raises(ValueError, match="permutation"):
        perturbation_curve(planted_function(), np.array([0, 0, 1, 2, 3]), "deletion")
    with pytest.raises(ValueError, match="covers 3 features"):
        perturbation_curve(planted_function(), np.arange(3), "deletion")
    with pytest.raises(TypeError, match="needs the number of features"):
        perturbation_curve(planted, ORDER, "deletion")


def test_curves_above_max_steps_are_measured_on_a_grid_of_the_exact_curve() -> None:
    """Above ``max_steps`` features the curve is measured at evenly spaced step counts
    (0 and n included) that are points of the every-step curve, in one batched call."""
    n = 50
    weights = np.random.default_rng(3).normal(size=n)
    calls: list[int] = []

    def additive(masks: np.ndarray) -> np.ndarray:
        calls.append(len(masks))
        return masks.astype(float) @ weights

    order = np.argsort(-weights)
    exact = perturbation_curve(additive, order, "deletion", n=n, max_steps=None)
    grid = perturbation_curve(additive, order, "deletion", n=n, max_steps=10)
    steps = curve_steps(n, 10)
    assert steps[0] == 0 and steps[-1] == n and len(steps) == 11
    assert np.array_equal(grid.steps, steps)
    np.testing.assert_allclose(grid.raw[0], exact.raw[0, steps], atol=1e-12)
    assert calls[-1] == len(steps)
    # an additive output is linear between the grid points only if the order is, so the
    # grid area is the trapezoid of the exact curve at those step counts
    normalised = (exact.raw[0, steps] - exact.empty) / (exact.full - exact.empty)
    expected = np.interp(grid.fractions, steps / n, normalised)
    np.testing.assert_allclose(grid.values, expected, atol=1e-12)
    assert np.array_equal(curve_steps(n, 50), np.arange(n + 1))
