"""The Kaplan-Meier estimator and the log-rank test, written out.

For distinct event times ``t_1 < t_2 < ...`` with ``d_j`` deaths at ``t_j`` and ``n_j``
patients still at risk just before ``t_j`` (time ``>= t_j``),

.. math::  \\hat S(t) = \\prod_{t_j \\le t} \\Bigl(1 - \\frac{d_j}{n_j}\\Bigr).

The log-rank test of ``G`` groups compares the observed deaths ``O_g`` per group with
their expectation under one common hazard, ``E_g = sum_j d_j n_gj / n_j``:
``chi2 = (O - E)' V^- (O - E)`` over ``G - 1`` groups, with the hypergeometric covariance
``V_gh = sum_j d_j (n_j - d_j) / (n_j - 1) (n_gj / n_j) (delta_gh - n_hj / n_j)``, and
``p = P(chi2_{G-1} >= chi2)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["kaplan_meier", "log_rank_test"]


def _arrays(time: Sequence[float], event: Sequence[bool]) -> tuple[np.ndarray, np.ndarray]:
    time_a = np.asarray(time, dtype=np.float64).reshape(-1)
    event_a = np.asarray(event).astype(bool).reshape(-1)
    if time_a.shape != event_a.shape:
        raise ValueError(f"time and event differ in length: {time_a.size}, {event_a.size}")
    if time_a.size == 0:
        raise ValueError("no patients given")
    if not np.isfinite(time_a).all() or (time_a < 0).any():
        raise ValueError("survival times must be finite and non-negative")
    return time_a, event_a


def kaplan_meier(time: Sequence[float], event: Sequence[bool]) -> pd.DataFrame:
    """The Kaplan-Meier curve: one row per distinct time at which a death or a censoring
    happened, with ``time``, ``at_risk`` (``n_j``), ``events`` (``d_j``), ``censored`` and
    ``survival`` (``S(t)`` just after that time)."""
    time_a, event_a = _arrays(time, event)
    times = np.unique(time_a)
    at_risk = np.array([(time_a >= t).sum() for t in times])
    events = np.array([(event_a & (time_a == t)).sum() for t in times])
    censored = np.array([(~event_a & (time_a == t)).sum() for t in times])
    survival = np.cumprod(1.0 - events / at_risk)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": events,
            "censored": censored,
            "survival": survival,
        }
    )


def log_rank_test(
    time: Sequence[float], event: Sequence[bool], groups: Sequence[object]
) -> tuple[float, float]:
    """``(chi2, p)`` of the log-rank test that the groups share one survival curve."""
    from scipy.stats import chi2

    time_a, event_a = _arrays(time, event)
    labels = np.asarray(groups, dtype=object).reshape(-1)
    names = list(dict.fromkeys(labels))
    if len(names) < 2:
        raise ValueError("the log-rank test needs at least two groups")
    member = np.stack([labels == name for name in names])
    observed = np.zeros(len(names))
    expected = np.zeros(len(names))
    covariance = np.zeros((len(names), len(names)))
    for t in np.unique(time_a[event_a]):
        risk = time_a >= t
        n = risk.sum()
        d = (event_a & (time_a == t)).sum()
        n_g = (member & risk).sum(axis=1)
        observed += (member & event_a & (time_a == t)).sum(axis=1)
        expected += d * n_g / n
        if n > 1:
            share = n_g / n
            covariance += d * (n - d) / (n - 1) * (np.diag(share) - np.outer(share, share))
    difference = (observed - expected)[:-1]
    statistic = float(difference @ np.linalg.pinv(covariance[:-1, :-1]) @ difference)
    return statistic, float(chi2.sf(statistic, len(names) - 1))
