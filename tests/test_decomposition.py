"""Harsanyi dividends: fast transform vs brute force, order-limited vs exact, shapiq export."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapiq
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from symxai import (
    FeatureSpace,
    FeatureSpaceError,
    SetFunction,
    harsanyi_dividends,
    moebius_transform,
    zeta_transform,
)
from tests.conftest import bruteforce_dividends, random_set_function

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@given(st.integers(0, 7).flatmap(lambda n: arrays(np.float64, 1 << n, elements=finite)))
@settings(max_examples=60, deadline=None)
def test_fast_moebius_equals_bruteforce(table: np.ndarray) -> None:
    np.testing.assert_allclose(moebius_transform(table), bruteforce_dividends(table), atol=1e-6)


@given(st.integers(0, 9).flatmap(lambda n: arrays(np.float64, 1 << n, elements=finite)))
@settings(max_examples=40, deadline=None)
def test_zeta_inverts_moebius(table: np.ndarray) -> None:
    np.testing.assert_allclose(zeta_transform(moebius_transform(table)), table, atol=1e-6)


def test_moebius_matches_shapiq_exact_computer(rng: np.random.Generator) -> None:
    n = 6
    set_function, _ = random_set_function(rng, n)
    ours = harsanyi_dividends(set_function)
    reference = shapiq.ExactComputer(game=lambda masks: set_function(masks), n_players=n)(
        "Moebius", order=n
    )
    for subset, row in reference.interaction_lookup.items():
        assert ours[subset] == pytest.approx(reference.values[row], abs=1e-9)


def test_planted_dividends_are_recovered(rng: np.random.Generator) -> None:
    n = 7
    planted = {(): 0.5, (1,): 2.0, (0, 3): -1.5, (2, 4, 6): 3.0, (0, 1, 2, 3, 4, 5, 6): 0.25}

    def value(masks: np.ndarray) -> np.ndarray:
        return sum(w * masks[:, list(s)].all(axis=1) for s, w in planted.items())

    decomposition = harsanyi_dividends(SetFunction(value, n))
    for L in itertools.chain.from_iterable(
        itertools.combinations(range(n), k) for k in range(n + 1)
    ):
        assert decomposition[L] == pytest.approx(planted.get(L, 0.0), abs=1e-12)
    assert decomposition.empty_value == pytest.approx(0.5)


@pytest.mark.parametrize("max_order", [0, 1, 2, 3])
def test_order_limited_equals_exact_low_orders(rng: np.random.Generator, max_order: int) -> None:
    n = 8
    set_function, _ = random_set_function(rng, n)
    exact = harsanyi_dividends(set_function)
    limited = harsanyi_dividends(set_function, max_order=max_order)
    assert not limited.complete and exact.complete
    assert len(limited) == sum(
        len(list(itertools.combinations(range(n), j))) for j in range(max_order + 1)
    )
    for subset, value in zip(limited.subsets(), limited.values, strict=True):
        assert value == pytest.approx(exact[subset], abs=1e-9)


def test_context_restriction_is_the_decomposition_of_the_restricted_game(
    rng: np.random.Generator,
) -> None:
    n = 8
    set_function, table = random_set_function(rng, n)
    context = np.array([1, 2, 5, 7])
    restricted = harsanyi_dividends(set_function, context=context)
    weights = 1 << context
    sub_table = np.array(
        [table[sum(int(w) for j, w in enumerate(weights) if c >> j & 1)] for c in range(16)]
    )
    expected = bruteforce_dividends(sub_table)
    for c in range(16):
        subset = tuple(int(context[j]) for j in range(4) if c >> j & 1)
        assert restricted[subset] == pytest.approx(expected[c], abs=1e-9)
    assert restricted[(0, 1)] == 0.0  # feature 0 is outside the context
    limited = harsanyi_dividends(set_function, context=context, max_order=2)
    assert limited[(2, 7)] == pytest.approx(restricted[(2, 7)], abs=1e-9)


def test_decomposition_views(rng: np.random.Generator) -> None:
    n = 5
    set_function, table = random_set_function(rng, n)
    space = FeatureSpace(["a", "b", "c", "d", "e"])
    decomposition = harsanyi_dividends(set_function, space=space)
    assert decomposition.value(["a", "c", "d"]) == pytest.approx(table[0b01101])
    assert decomposition.value(range(n)) == pytest.approx(table[-1])
    assert decomposition.by_order().sum() == pytest.approx(table[-1])
    assert decomposition[["b", "d"]] == pytest.approx(decomposition[(1, 3)])
    frame = decomposition.to_pandas(min_order=1)
    assert len(frame) == 2**n - 1 and set(frame.columns) == {"subset", "names", "order", "dividend"}
    top = decomposition.top(4)
    assert list(top["dividend"].abs()) == sorted(frame["dividend"].abs(), reverse=True)[:4]
    assert top["names"].iloc[0].startswith("{")
    negative = decomposition.top(1, by="negative")
    assert negative["dividend"].iloc[0] == pytest.approx(frame["dividend"].min())


def test_shapiq_export_round_trips(rng: np.random.Generator) -> None:
    set_function, table = random_set_function(rng, 4)
    decomposition = harsanyi_dividends(set_function)
    values = decomposition.to_shapiq()
    assert isinstance(values, shapiq.InteractionValues)
    assert values.index == "Moebius" and values.n_players == 4 and not values.estimated
    assert values.baseline_value == pytest.approx(table[0])
    for subset in [(), (0,), (1, 3), (0, 1, 2, 3)]:
        assert values[subset] == pytest.approx(decomposition[subset])


def test_too_many_features_for_exact_decomposition_is_a_clear_error() -> None:
    set_function = SetFunction(lambda masks: masks.sum(axis=1), 40)
    with pytest.raises(FeatureSpaceError, match="max_order"):
        harsanyi_dividends(set_function)
    limited = harsanyi_dividends(set_function, max_order=2)
    assert limited[(3,)] == pytest.approx(1.0) and limited[(3, 9)] == pytest.approx(0.0)
    with pytest.raises(KeyError, match="max_order"):
        limited[(1, 2, 3)]


def test_set_function_batches_and_caches() -> None:
    seen: list[int] = []

    def value(masks: np.ndarray) -> np.ndarray:
        seen.append(masks.shape[0])
        return masks.sum(axis=1).astype(float)

    set_function = SetFunction(value, 6, batch_size=4)
    masks = np.random.default_rng(0).random((30, 6)) < 0.5
    first = set_function(masks)
    np.testing.assert_array_equal(first, masks.sum(axis=1))
    distinct = len(np.unique(masks, axis=0))
    assert set_function.calls == distinct and max(seen) <= 4
    set_function(masks)
    assert set_function.calls == distinct
    with pytest.raises(FeatureSpaceError, match=r"\[B, 6\]"):
        set_function(np.ones((2, 5), bool))
