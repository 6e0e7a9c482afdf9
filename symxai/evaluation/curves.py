"""Deletion and insertion curves (the perturbation evaluation of the Symbolic XAI paper
and of the insertion/deletion literature) and their areas.

Given an ordering ``pi`` of the ``n`` features of one input (most relevant first) and
the *removal* value function ``f`` (the model's output with the features outside ``S``
removed, e.g. ``backend="perturbation"``):

* deletion after ``k`` steps keeps ``S_k = N \\ {pi_1, ..., pi_k}`` (from ``N`` to ``∅``);
* insertion after ``k`` steps keeps ``S_k = {pi_1, ..., pi_k}`` (from ``∅`` to ``N``).

The output is normalised so that inputs become comparable,

.. math:: \\hat f(S) = \\frac{f(S) - f(\\emptyset)}{f(N) - f(\\emptyset)},

so deletion runs from 1 to 0 and insertion from 0 to 1. Step ``k`` sits at fraction
``k / n``; the curve (averaged over the ordering's repeats) is resampled by linear
interpolation onto ``points`` evenly spaced fractions of ``[0, 1]``, and its area is
the trapezoid rule over them. Above ``max_steps`` features (default
:data:`MAX_STEPS`) the output is measured after ``max_steps + 1`` evenly spaced step
counts ``k`` only (rounded to integers; cell graphs with thousands of cells) and
interpolated linearly between them. A faithful ordering gives a *small* deletion area (the
output drops fast) and a *large* insertion area.

When ``|f(N) - f(∅)|`` is at most :data:`DEGENERATE_TOLERANCE` times
``max(1, |f(N)|, |f(∅)|)`` the normalisation is undefined: the values and the area are
NaN (and :func:`mean_area` skips that input).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from symxai.evaluation.orderings import Ordering
from symxai.evaluation.value_function import as_value_function, evaluate

__all__ = [
    "DEGENERATE_TOLERANCE",
    "KINDS",
    "MAX_STEPS",
    "Curve",
    "curve_steps",
    "mean_area",
    "perturbation_curve",
    "perturbation_curves",
]

KINDS = ("deletion", "insertion")
DEGENERATE_TOLERANCE = 1e-9
"""Relative size of ``|f(N) - f(∅)|`` below which a curve is not normalisable (NaN)."""
MAX_STEPS = 200
"""Step counts measured per curve by default; larger inputs are measured on a grid."""


@dataclass(frozen=True)
class Curve:
    """One deletion or insertion curve of one input.

    Attributes
    ----------
    kind:
        ``"deletion"`` or ``"insertion"``.
    ordering:
        The ordering's name.
    fractions:
        ``[points]`` evenly spaced fractions of the features removed/added, ``0 .. 1``.
    values:
        ``[points]`` normalised output, mean over the ordering's repeats (NaN when
        ``f(N) = f(∅)`` within the tolerance).
    raw:
        ``[R, K]`` model outputs ``f(S_k)`` after the ``k`` of :attr:`steps`, per repeat.
    full, empty:
        ``f(N)`` and ``f(∅)``.
    steps:
        ``[K]`` the step counts measured: ``0 .. n`` (``K = n + 1``) up to ``max_steps``
        features, else a grid of ``max_steps + 1`` of them from ``0`` to ``n``.
    """

    kind: str
    ordering: str
    fractions: np.ndarray
    values: np.ndarray
    raw: np.ndarray
    full: float
    empty: float
    steps: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.steps is None:
            object.__setattr__(self, "steps", np.arange(self.raw.shape[1]))

    @property
    def area(self) -> float:
        """Trapezoid area of ``values`` over ``fractions`` (NaN if undefined). Deletion:
        lower is better; insertion: higher is better."""
        if np.isnan(self.values).any():
            return float("nan")
        widths = np.diff(self.fractions)
        return float(np.sum(widths * (self.values[1:] + self.values[:-1]) / 2))


def _orders(ordering: Ordering | np.ndarray, kind: str) -> tuple[np.ndarray, str]:
    if kind not in KINDS:
        raise ValueError(f"kind must be 'deletion' or 'insertion', got {kind!r}")
    if isinstance(ordering, Ordering):
        return ordering.for_kind(kind), ordering.name
    given = Ordering("given", np.asarray(ordering), np.asarray(ordering))
    return given.deletion, given.name


def curve_steps(n: int, max_steps: int | None = MAX_STEPS) -> np.ndarray:
    """The step counts ``k`` a curve over ``n`` features measures: every ``k = 0 .. n``
    up to ``max_steps`` features (``None``: always), else ``max_steps + 1`` evenly
    spaced ones rounded to integers (always ``0`` and ``n``)."""
    if max_steps is None or n <= max_steps:
        return np.arange(n + 1)
    if max_steps < 1:
        raise ValueError(f"max_steps must be positive, got {max_steps}")
    return np.unique(np.round(np.linspace(0, n, max_steps + 1)).astype(np.int64))


def _curve_masks(orders: np.ndarray, kind: str, steps: np.ndarray) -> np.ndarray:
    """``[R * K, n]`` masks: row ``r * K + j`` is ``S_k`` of repeat ``r`` for ``k = steps[j]``."""
    repeats, n = orders.shape
    ranks = np.empty_like(orders)
    ranks[np.arange(repeats)[:, None], orders] = np.arange(n)
    taken = ranks[:, None, :] < steps[None, :, None]  # [R, K, n]: in the first k
    masks = ~taken if kind == "deletion" else taken
    return masks.reshape(repeats * len(steps), n)


def _build(kind: str, name: str, raw: np.ndarray, points: int, steps: np.ndarray) -> Curve:
    n = int(steps[-1])
    full = float(raw[0, 0] if kind == "deletion" else raw[0, -1])
    empty = float(raw[0, -1] if kind == "deletion" else raw[0, 0])
    fractions = np.linspace(0.0, 1.0, points)
    scale = full - empty
    if abs(scale) <= DEGENERATE_TOLERANCE * max(1.0, abs(full), abs(empty)):
        values = np.full(points, np.nan)
    else:
        mean = ((raw - empty) / scale).mean(axis=0)
        values = np.interp(fractions, steps / n, mean)
    return Curve(kind, name, fractions, values, raw, full, empty, steps)


def _check(n: int, orders: list[np.ndarray], points: int) -> None:
    if points < 2:
        raise ValueError(f"a curve needs at least 2 points, got {points}")
    if n < 1:
        raise ValueError("a perturbation curve needs at least one feature")
    for order in orders:
        if order.shape[1] != n:
            raise ValueError(
                f"the ordering covers {order.shape[1]} features, the value function {n}"
            )


def perturbation_curves(
    removal: Any,
    ordering: Ordering | np.ndarray,
    *,
    points: int = 21,
    kinds: Iterable[str] = KINDS,
    n: int | None = None,
    max_steps: int | None = MAX_STEPS,
) -> tuple[Curve, ...]:
    """The curves of ``kinds`` (default: deletion, insertion) of one input under
    ``ordering``, from ONE batched call of the removal value function ``removal`` (an
    explanation, set function, backend or callable, see
    :func:`~symxai.evaluation.value_function.as_value_function`); above ``max_steps``
    features on a grid of step counts (:func:`curve_steps`)."""
    function, n = as_value_function(removal, n)
    kinds = tuple(kinds)
    resolved = [_orders(ordering, kind) for kind in kinds]
    _check(n, [order for order, _ in resolved], points)
    steps = curve_steps(n, max_steps)
    masks = [
        _curve_masks(order, kind, steps) for (order, _), kind in zip(resolved, kinds, strict=True)
    ]
    values = evaluate(function, np.concatenate(masks, axis=0))
    curves, start = [], 0
    for (order, name), kind in zip(resolved, kinds, strict=True):
        size = order.shape[0] * len(steps)
        raw = values[start : start + size].reshape(order.shape[0], len(steps))
        curves.append(_build(kind, name, raw, points, steps))
        start += size
    return tuple(curves)


def perturbation_curve(
    removal: Any,
    ordering: Ordering | np.ndarray,
    kind: str,
    *,
    points: int = 21,
    n: int | None = None,
    max_steps: int | None = MAX_STEPS,
) -> Curve:
    """The ``kind`` curve (``"deletion"`` or ``"insertion"``) of one input under
    ``ordering`` (an :class:`Ordering` or int permutations ``[n]`` / ``[R, n]``): one
    batched call of ``removal`` (``n`` only for a bare callable)."""
    return perturbation_curves(
        removal, ordering, points=points, kinds=(kind,), n=n, max_steps=max_steps
    )[0]


def mean_area(curves: Iterable[Curve]) -> float:
    """Mean area over inputs, skipping NaN areas (NaN when every area is NaN)."""
    areas = np.array([curve.area for curve in curves], dtype=np.float64)
    finite = areas[~np.isnan(areas)]
    return float(finite.mean()) if finite.size else float("nan")
