"""Plots of query relevances against a reaction coordinate."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["plot_trajectory"]


def plot_trajectory(
    frame: pd.DataFrame,
    coordinate: np.ndarray,
    path: str | Path,
    *,
    queries: Sequence[str] | None = None,
    xlabel: str = "transfer coordinate d(O3-H5) - d(O4-H5) [Å]",
    title: str = "",
) -> Path:
    """Line plot of query relevances against a reaction coordinate (PNG or SVG)."""
    from matplotlib.figure import Figure

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"cannot draw to {str(path)!r}: the suffix must be .png or .svg")
    coordinate = np.asarray(coordinate)
    if coordinate.shape != (len(frame),):
        raise ValueError(f"coordinate must have {len(frame)} entries, got {coordinate.shape}")
    order = np.argsort(coordinate)
    figure = Figure(figsize=(7, 4.2))
    axes = figure.add_subplot()
    for query in queries or [c for c in frame.columns if c != "relevance_all_atoms"]:
        axes.plot(coordinate[order], frame[query].to_numpy()[order], label=query, linewidth=2)
    axes.axhline(0.0, color="grey", linewidth=0.8)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("relevance (eV)")
    axes.legend(frameon=False)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=150)
    return path
