"""The relevance colour scale shared by every picture symxai draws.

A relevance ``R`` is drawn as white blended towards red (``R > 0``) or blue (``R < 0``)
by ``|R| / vmax``, clipped to 1. The scale is symmetric (``-vmax`` is as blue as
``+vmax`` is red, and 0 is white), so the colour of a value means the same on both
sides. ``vmax`` defaults to the largest ``|R|`` of one picture; pass the same ``vmax``
to several pictures to compare them (a near-zero relevance then stays pale instead of
being stretched to full colour). :func:`relevance_colormap` is the same scale as a
matplotlib colour map for colour bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["NEGATIVE", "POSITIVE", "colour_scale", "relevance_colormap", "relevance_colour"]

POSITIVE = (0.84, 0.15, 0.16)
"""Colour of the largest positive relevance."""
NEGATIVE = (0.13, 0.40, 0.80)
"""Colour of the largest negative relevance."""


def relevance_colour(value: float, scale: float) -> tuple[float, float, float]:
    """RGB colour of a relevance: white blended towards red (positive) or blue (negative)
    by ``|value| / scale`` (clipped to 1)."""
    strength = 0.0 if scale <= 0 else min(abs(value) / scale, 1.0)
    target = POSITIVE if value >= 0 else NEGATIVE
    return tuple(1.0 - strength * (1.0 - channel) for channel in target)  # type: ignore[return-value]


def colour_scale(values: Sequence[float] | np.ndarray, vmax: float | None = None) -> float:
    """``vmax`` for a picture of ``values``: the given one (positive and finite), else
    ``max |values|``, else 1 when every value is 0 (the picture is then all white)."""
    if vmax is not None:
        if not np.isfinite(vmax) or vmax <= 0:
            raise ValueError(f"vmax must be a positive finite number, got {vmax!r}")
        return float(vmax)
    largest = float(np.abs(np.asarray(values, dtype=np.float64)).max(initial=0.0))
    return largest if largest > 0 else 1.0


def relevance_colormap() -> Any:
    """The colour map of :func:`relevance_colour` over ``[-vmax, vmax]`` (for a
    ``Normalize(-vmax, vmax)``): blue, white at 0, red."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "symxai_relevance", [NEGATIVE, (1.0, 1.0, 1.0), POSITIVE]
    )
