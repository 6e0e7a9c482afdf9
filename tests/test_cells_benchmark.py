"""The rank statistics of the cell-graph faithfulness benchmark (``benchmarks/cells.py``):
:mod:`symxai.domains.cells.faithfulness` against hand computations, scipy and the
first-order partial-correlation formula, with clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from symxai.domains.cells.faithfulness import partial_spearman, rank_auc, spearman

# ranks: x -> [1, 2, 3, 4], y -> [1, 3, 2, 4], control -> [2, 1, 4, 3]
X = [10.0, 20.0, 30.0, 40.0]
Y = [0.1, 5.0, 2.0, 7.0]
CONTROL = [3.0, -1.0, 9.0, 4.0]


def test_spearman_by_hand() -> None:
    # centred ranks of x (-1.5, -0.5, 0.5, 1.5) and y (-1.5, 0.5, -0.5, 1.5): 4 / 5
    assert spearman(X, Y) == pytest.approx(0.8)


def test_partial_spearman_by_hand() -> None:
    # centred control ranks c = (-0.5, -1.5, 1.5, 0.5), c.c = 5; x on c: slope 3/5, residual
    # (-1.2, 0.4, -0.4, 1.2); y on c: slope 0, residual (-1.5, 0.5, -0.5, 1.5);
    # correlation 4 / sqrt(3.2 * 5) = 1
    assert partial_spearman(X, Y, CONTROL) == pytest.approx(1.0)


def test_partial_spearman_matches_the_first_order_formula() -> None:
    rng = np.random.default_rng(0)
    control = rng.normal(size=60)
    x = control + rng.normal(size=60)
    y = np.round(control + x + rng.normal(size=60), 1)  # ties in y
    r_xy, r_xz, r_yz = spearman(x, y), spearman(x, control), spearman(y, control)
    expected = (r_xy - r_xz * r_yz) / np.sqrt((1 - r_xz**2) * (1 - r_yz**2))
    assert partial_spearman(x, y, control) == pytest.approx(expected, abs=1e-12)
    assert r_xy == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)


def test_a_control_that_explains_everything_leaves_no_partial_correlation() -> None:
    rng = np.random.default_rng(1)
    control = rng.normal(size=200)
    x = np.exp(control) + 0.01 * rng.normal(size=200)
    y = control**3 + rng.normal(size=200)
    assert spearman(x, y) > 0.5
    assert abs(partial_spearman(x, y, control)) < 0.2


def test_rank_auc_by_hand() -> None:
    # positive 0.35 beats 0.1, loses to 0.4; positive 0.8 beats both: 3 of 4 pairs
    assert rank_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)
    # a tie counts one half: (0.5 + 0) / 2
    assert rank_auc([1.0, 1.0, 2.0], [True, False, False]) == pytest.approx(0.25)
    assert rank_auc([3.0, 2.0, 1.0], [True, True, False]) == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: spearman([1, 2, 3], [1, 2]), "differ in length"),
        (lambda: spearman([1, 2], [1, 2]), "at least 3"),
        (lambda: spearman([1, 1, 1], [1, 2, 3]), "constant"),
        (lambda: partial_spearman([1, 2, np.nan], [1, 2, 3], [1, 2, 3]), "NaN"),
        (lambda: rank_auc([1.0, 2.0], [True, True]), "one positive and one negative"),
        (lambda: rank_auc([1.0, 2.0], [True]), "labels"),
    ],
)
def test_clear_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
