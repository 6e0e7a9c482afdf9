"""One way in for every evaluation: anything that answers coalition masks with values.

The evaluation works on the set-function contract only (``masks [B, n] bool -> values
[B]``), so it applies to every backend and domain alike. :func:`as_value_function`
accepts

* an :class:`~symxai.Explanation` (its cached set function, ``explanation.values``),
* a :class:`~symxai.SetFunction`,
* a :class:`~symxai.backends.base.Backend` (a fresh cached set function over it),
* any callable ``masks -> values`` (wrapped in a :class:`~symxai.SetFunction`, so that
  repeated coalitions in one request are evaluated once; ``n`` must then be given).

Every consumer asks for all the coalitions of one curve, one greedy step or one
occlusion in a single call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symxai.backends.base import Backend
from symxai.explanation import Explanation
from symxai.setfunction import SetFunction

__all__ = ["ValueFunction", "as_value_function", "evaluate"]

ValueFunction = Callable[[np.ndarray], np.ndarray]
"""``masks`` (bool ``[B, n]``) ``-> values`` (float ``[B]``)."""


def as_value_function(obj: Any, n: int | None = None) -> tuple[ValueFunction, int]:
    """``(value_function, n)`` of an explanation, set function, backend or callable.

    ``n`` is read from the object where it has one; for a bare callable it is required.
    A given ``n`` that disagrees with the object's is an error.
    """
    if isinstance(obj, Explanation):
        function, size = obj.values, obj.n
    elif isinstance(obj, SetFunction):
        function, size = obj, obj.n
    elif isinstance(obj, Backend):
        set_function = obj.set_function()
        function, size = set_function, set_function.n
    elif callable(obj):
        if n is None:
            raise TypeError(
                "a bare callable masks -> values needs the number of features: "
                "as_value_function(fn, n=...)"
            )
        set_function = SetFunction(obj, int(n))
        function, size = set_function, set_function.n
    else:
        raise TypeError(
            "a value function is an Explanation, a SetFunction, a Backend or a callable "
            f"masks [B, n] -> values [B], got {type(obj).__name__}"
        )
    if n is not None and int(n) != size:
        raise ValueError(f"n={n} was given but the value function has {size} features")
    return function, int(size)


def evaluate(function: ValueFunction, masks: np.ndarray) -> np.ndarray:
    """``function(masks)`` as a float array ``[B]`` (one call), with a clear error for
    a value function that returns another number of values."""
    masks = np.asarray(masks, dtype=bool)
    values = function(masks)
    if hasattr(values, "detach"):
        values = values.detach().cpu().double().numpy()
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.shape != (masks.shape[0],):
        raise ValueError(
            f"the value function returned {values.size} values for {masks.shape[0]} coalitions"
        )
    return values
