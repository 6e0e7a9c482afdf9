"""Drawing a sentence with its words coloured by relevance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["token_heatmap"]


def token_heatmap(
    words: Sequence[str],
    relevance: Sequence[float] | np.ndarray,
    path: str | Path,
    *,
    title: str = "",
    vmax: float | None = None,
) -> Path:
    """Draw the words of a sentence on backgrounds coloured by relevance, with a colour
    bar; PNG or SVG by the suffix of ``path``.

    The scale is symmetric (:mod:`symxai.domains.colours`): white at 0, full red at
    ``+vmax``, full blue at ``-vmax``. ``vmax`` defaults to this sentence's
    ``max |R|``; give several sentences the same ``vmax`` to compare them (a sentence
    whose relevances are all small then stays pale). Raises ``ValueError`` for another
    suffix, a relevance vector that is not one finite number per word, or a ``vmax``
    that is not positive.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    from symxai.domains.colours import colour_scale, relevance_colormap, relevance_colour

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"cannot draw to {str(path)!r}: the suffix must be .png or .svg")
    values = np.asarray(relevance, dtype=np.float64)
    if values.shape != (len(words),) or not np.isfinite(values).all():
        raise ValueError(f"relevance must be {len(words)} finite numbers, got shape {values.shape}")
    scale = colour_scale(values, vmax)
    width = min(14.0, max(4.0, 1.0 + 0.12 * sum(len(w) + 2 for w in words)))
    figure = Figure(figsize=(width, 1.9 if title else 1.6))
    axes = figure.add_axes((0.01, 0.42, 0.98, 0.36 if title else 0.5))
    axes.set_axis_off()
    renderer = FigureCanvasAgg(figure).get_renderer()
    x = 0.01
    for word, value in zip(words, values, strict=True):
        text = axes.text(
            x,
            0.5,
            word,
            fontsize=13,
            va="center",
            ha="left",
            transform=axes.transAxes,
            bbox={
                "boxstyle": "round,pad=0.25",
                "facecolor": relevance_colour(value, scale),
                "edgecolor": "0.75",
                "linewidth": 0.5,
            },
        )
        box = text.get_window_extent(renderer=renderer).transformed(axes.transAxes.inverted())
        x = box.x1 + 0.012
    bar = figure.add_axes((0.3, 0.2, 0.4, 0.07))
    colours = ScalarMappable(norm=Normalize(-scale, scale), cmap=relevance_colormap())
    figure.colorbar(colours, cax=bar, orientation="horizontal")
    bar.tick_params(labelsize=8)
    bar.set_xlabel("relevance", fontsize=8, labelpad=1)
    if title:
        figure.suptitle(title, fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=150)
    return path
