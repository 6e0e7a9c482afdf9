"""Rank statistics for faithfulness checks on a cohort with planted ground truth:
Spearman correlation, partial Spearman correlation given a control, and the rank AUC.

**Spearman.** ``rho(x, y)`` is the Pearson correlation of the ranks of ``x`` and ``y``
(ties get their average rank).

**Partial Spearman given ``z``.** Rank all three, ``r_x, r_y, r_z``; regress ``r_x`` and
``r_y`` on ``r_z`` by least squares with an intercept; correlate the residuals:

.. math::  e_x = r_x - (a_x + b_x r_z), \\quad e_y = r_y - (a_y + b_y r_z), \\qquad
           \\rho_{xy \\cdot z} = \\frac{e_x \\cdot e_y}{\\lVert e_x \\rVert\\, \\lVert e_y \\rVert},

which equals the first-order formula
``(rho_xy - rho_xz rho_yz) / sqrt((1 - rho_xz^2)(1 - rho_yz^2))`` on the rank
correlations. It asks whether ``x`` follows ``y`` beyond what both share with ``z``
(for the planted motif S1: beyond the Treg fraction, which a model could use instead of
the motif).

**Rank AUC.** The chance that a random positive scores above a random negative (ties
count one half), by the Mann-Whitney formula on the average ranks ``r`` of all scores:

.. math::  \\mathrm{AUC} = \\frac{\\sum_{i \\in P} r_i - |P|(|P| + 1)/2}{|P|\\,|N|}.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata

__all__ = ["partial_spearman", "rank_auc", "spearman"]


def _vector(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def _same_length(**arrays: np.ndarray) -> None:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"the inputs differ in length: {lengths}")
    if next(iter(lengths.values())) < 3:
        raise ValueError("a rank correlation needs at least 3 observations")


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    scale = float(np.sqrt((a @ a) * (b @ b)))
    if scale == 0.0:
        raise ValueError("a rank correlation is undefined for a constant input")
    return float(a @ b) / scale


def spearman(x: Any, y: Any) -> float:
    """Spearman's ``rho`` of ``x`` and ``y``: the Pearson correlation of their ranks."""
    xs, ys = _vector(x, "x"), _vector(y, "y")
    _same_length(x=xs, y=ys)
    return _correlation(rankdata(xs), rankdata(ys))


def partial_spearman(x: Any, y: Any, control: Any) -> float:
    """Partial Spearman correlation of ``x`` and ``y`` given ``control`` (module text):
    the correlation of the residuals of the ranks of ``x`` and ``y`` after a linear
    regression on the ranks of ``control``."""
    xs, ys, zs = _vector(x, "x"), _vector(y, "y"), _vector(control, "control")
    _same_length(x=xs, y=ys, control=zs)
    design = np.column_stack([np.ones(len(zs)), rankdata(zs)])
    residuals = []
    for values in (xs, ys):
        ranks = rankdata(values)
        coefficients, *_ = np.linalg.lstsq(design, ranks, rcond=None)
        residuals.append(ranks - design @ coefficients)
    return _correlation(*residuals)


def rank_auc(scores: Any, positive: Any) -> float:
    """The AUC of ``scores`` for the boolean labels ``positive`` (module text): the chance
    that a positive outscores a negative, ties counting one half."""
    values = _vector(scores, "scores")
    labels = np.asarray(positive, dtype=bool).reshape(-1)
    if len(labels) != len(values):
        raise ValueError(f"{len(values)} scores but {len(labels)} labels")
    n_positive = int(labels.sum())
    n_negative = len(labels) - n_positive
    if n_positive == 0 or n_negative == 0:
        raise ValueError("the AUC needs at least one positive and one negative")
    ranks = rankdata(values)
    return float(ranks[labels].sum() - n_positive * (n_positive + 1) / 2) / (
        n_positive * n_negative
    )
