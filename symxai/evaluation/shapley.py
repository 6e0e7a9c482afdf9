"""Exact Shapley values of a set function, for the Shapley ordering.

.. math:: \\phi_i = \\sum_{L \\ni i} \\frac{\\mu(L)}{|L|}
          = \\sum_{S \\subseteq N \\setminus \\{i\\}}
            \\frac{|S|!\\,(n - |S| - 1)!}{n!}\\,\\big(v(S \\cup \\{i\\}) - v(S)\\big)

(each Harsanyi dividend shared equally among its members). Two exact routes:

* from the backend's complete dividends (``explanation.source.exact_dividends()``,
  GNN-LRP walks): no value calls, any ``n``;
* from all ``2^n`` coalitions, one batched request, for ``n <=``
  :data:`MAX_SHAPLEY_FEATURES`.

Beyond that no exact value is affordable: approximate the Shapley values with shapiq
(``symxai.integrations.shapiq``) and order by them with
:func:`~symxai.evaluation.orderings.score_ordering`.
"""

from __future__ import annotations

from math import factorial
from typing import Any

import numpy as np

from symxai.backends.dividends import Dividends
from symxai.evaluation.value_function import as_value_function, evaluate
from symxai.explanation import Explanation
from symxai.setfunction import masks_from_codes

__all__ = ["MAX_SHAPLEY_FEATURES", "shapley_from_dividends", "shapley_values"]

MAX_SHAPLEY_FEATURES = 20
"""Largest ``n`` for which the closed form over all ``2^n`` coalitions is evaluated."""


def shapley_from_dividends(dividends: Dividends) -> np.ndarray:
    """``phi_i = sum_{L ∋ i} mu(L) / |L|`` ``[n]`` from complete dividends."""
    if not dividends.complete:
        raise ValueError("Shapley values from dividends need the complete decomposition")
    members = np.asarray(dividends.members, dtype=np.int64)
    present = members >= 0
    orders = present.sum(axis=1)
    nonempty = orders > 0
    shares = np.zeros(orders.shape, dtype=np.float64)
    shares[nonempty] = np.asarray(dividends.values, dtype=np.float64)[nonempty] / orders[nonempty]
    phi = np.zeros(dividends.n, dtype=np.float64)
    rows, columns = np.nonzero(present)
    np.add.at(phi, members[rows, columns], shares[rows])
    return phi


def _shapley_closed_form(table: np.ndarray, n: int) -> np.ndarray:
    codes = np.arange(1 << n, dtype=np.int64)
    sizes = masks_from_codes(codes, n).sum(axis=1)
    weights = np.array(
        [factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)], dtype=np.float64
    )
    phi = np.zeros(n, dtype=np.float64)
    for i in range(n):
        without = codes[(codes >> i) & 1 == 0]
        marginal = table[without | (1 << i)] - table[without]
        phi[i] = float(weights[sizes[without]] @ marginal)
    return phi


def _exact_dividends(obj: Any) -> Dividends | None:
    source = obj.source if isinstance(obj, Explanation) else obj
    exact = getattr(source, "exact_dividends", None)
    if exact is None:
        return None
    dividends = exact()
    return dividends if dividends is not None and dividends.complete else None


def shapley_values(obj: Any, n: int | None = None) -> np.ndarray:
    """Exact Shapley values ``[n]`` of an explanation's (backend's, set function's,
    callable's) value function: from the complete exact dividends when the backend has
    them, else from all ``2^n`` coalitions in one batch (``n <= 20``), else an error
    that points to an approximator."""
    dividends = _exact_dividends(obj)
    if dividends is not None:
        return shapley_from_dividends(dividends)
    function, size = as_value_function(obj, n)
    if size > MAX_SHAPLEY_FEATURES:
        raise ValueError(
            f"exact Shapley values of {size} features need 2^{size} coalitions (at most "
            f"{MAX_SHAPLEY_FEATURES} features without exact dividends): approximate them "
            "with shapiq (symxai.integrations.shapiq) and order by them with "
            "score_ordering(values, 'shapley')"
        )
    codes = np.arange(1 << size, dtype=np.int64)
    table = evaluate(function, masks_from_codes(codes, size))
    return _shapley_closed_form(table, size)
