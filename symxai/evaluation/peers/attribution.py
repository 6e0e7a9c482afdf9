"""Peers of non-graph inputs (words, image patches): occlusion and Shapley values.

Both act on a *removal value function* ``value(masks) -> values``: ``masks`` a boolean
``[B, n]`` array (``True``: the feature is kept, ``False``: removed by the domain's
removal operation), ``values`` ``[B]`` the explained output. Any symxai set function, or
any callable of that shape, qualifies.

* **Occlusion** (Zeiler & Fergus, 2014; the prediction difference of Robnik-Sikonja &
  Kononenko, 2008): :math:`o_i = v(N) - v(N \\setminus \\{i\\})`, the full input and the
  ``n`` single removals in one batch of ``n + 1`` masks.
* **Shapley values** (Shapley, 1953; SHAP, Lundberg & Lee, 2017), from shapiq:

  .. math::  \\phi_i = \\sum_{S \\subseteq N \\setminus \\{i\\}}
             \\frac{|S|!\\,(n - |S| - 1)!}{n!}\\,\\bigl(v(S \\cup \\{i\\}) - v(S)\\bigr),

  exact (``shapiq.ExactComputer``, all :math:`2^n` coalitions in one call) for
  :math:`n \\le 12`, else KernelSHAP (``shapiq.KernelSHAP``) with a budget of value calls.
  Efficiency :math:`\\sum_i \\phi_i = v(N) - v(\\emptyset)` holds for both.

shapiq is given the removal value function itself (its approximators and exact computer
take a callable): :class:`symxai.integrations.shapiq.SymxaiGame` would spend one more
value call on ``v(∅)`` for centring, which the budget here does not allow for.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from symxai.evaluation.orderings import occlusion_scores

__all__ = ["EXACT_SHAPLEY_MAX_FEATURES", "occlusion", "shapley_values", "timed"]

EXACT_SHAPLEY_MAX_FEATURES = 12
"""Up to this many features, Shapley values are computed exactly."""

ValueFunction = Callable[[np.ndarray], np.ndarray]


def _values(value: ValueFunction, masks: np.ndarray) -> np.ndarray:
    result = np.asarray(value(masks), dtype=np.float64).reshape(-1)
    if result.shape != (len(masks),):
        raise ValueError(f"the value function returned {result.shape} for {len(masks)} masks")
    return result


def occlusion(value: ValueFunction, n: int) -> np.ndarray:
    """``[n]`` occlusion scores :math:`v(N) - v(N \\setminus \\{i\\})`, one batch
    (:func:`~symxai.evaluation.orderings.occlusion_scores` on a checked value function)."""
    if n < 1:
        raise ValueError(f"occlusion needs at least one feature, got n={n}")
    return occlusion_scores(lambda masks: _values(value, masks), n)


def shapley_values(
    value: ValueFunction, n: int, *, budget: int | None = None, seed: int = 0
) -> np.ndarray:
    """``[n]`` Shapley values of ``value`` over ``n`` features, from shapiq: exact for
    ``n <= 12`` (unless a ``budget`` below :math:`2^n` is given), else KernelSHAP with
    ``budget`` value calls (default ``min(2^n, 2048)``), seeded."""
    import shapiq

    if n < 1:
        raise ValueError(f"Shapley values need at least one feature, got n={n}")

    def game(coalitions: np.ndarray) -> np.ndarray:
        return _values(value, np.asarray(coalitions, dtype=bool))

    if n <= EXACT_SHAPLEY_MAX_FEATURES and (budget is None or budget >= 2**n):
        interaction_values = shapiq.ExactComputer(game, n_players=n)("SV")
    else:
        calls = min(2**n, 2048) if budget is None else int(budget)
        approximator = shapiq.KernelSHAP(n, random_state=seed)
        interaction_values = approximator.approximate(calls, game)
    return np.array([interaction_values[(i,)] for i in range(n)], dtype=np.float64)


def timed(compute: Callable[[], np.ndarray]) -> tuple[np.ndarray, float]:
    """``compute()`` and the CPU seconds (:func:`time.process_time`) it took."""
    start = time.process_time()
    scores = compute()
    return scores, time.process_time() - start
