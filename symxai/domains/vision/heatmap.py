"""Drawing a face with its patches tinted by relevance and its regions outlined."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from symxai.data.faces import IMAGE_SIZE
from symxai.domains.vision.patches import GRID, patch_bounds, patch_regions

__all__ = ["REGION_COLOURS", "UPSCALE", "patch_heatmap"]

_FORMATS = (".png", ".svg")


def _grayscale(image: torch.Tensor | np.ndarray) -> np.ndarray:
    array = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    array = np.asarray(array, dtype=np.float64)
    while array.ndim > 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 3 and array.shape[0] == 3:
        array = array.mean(axis=0)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D (or 1-channel) image, got shape {array.shape}")
    return array


REGION_COLOURS = {"eyes": "#f2c12e", "nose": "#2ca25f", "mouth": "#d4409b"}
"""Outline colour of each named region in :func:`patch_heatmap`."""

UPSCALE = 8
"""Each pixel of a face becomes ``UPSCALE x UPSCALE`` pixels in :func:`patch_heatmap`."""


def _region_outlines(grid: int, size: int) -> dict[str, list[tuple[list[float], list[float]]]]:
    """Line segments ``(xs, ys)`` (in pixel coordinates of a ``size`` image) around the
    patches of every named region: the sides a region's patch does not share with
    another patch of the same region."""
    regions = patch_regions(grid)
    bounds = patch_bounds(grid, size) - 0.5
    segments: dict[str, list[tuple[list[float], list[float]]]] = {}
    for index, region in enumerate(regions):
        if region == "rest":
            continue
        row, col = divmod(index, grid)
        top, bottom = bounds[row], bounds[row + 1]
        left, right = bounds[col], bounds[col + 1]
        sides = {
            (row - 1, col): ([left, right], [top, top]),
            (row + 1, col): ([left, right], [bottom, bottom]),
            (row, col - 1): ([left, left], [top, bottom]),
            (row, col + 1): ([right, right], [top, bottom]),
        }
        for (r, c), segment in sides.items():
            inside = 0 <= r < grid and 0 <= c < grid
            if not inside or regions[r * grid + c] != region:
                segments.setdefault(region, []).append(segment)
    return segments


def patch_heatmap(
    values_per_patch: Sequence[float] | np.ndarray | torch.Tensor,
    image: torch.Tensor | np.ndarray,
    path: str | Path,
    *,
    title: str = "",
    grid: int = GRID,
    vmax: float | None = None,
    outline_regions: bool = True,
) -> Path:
    """Draw ``image`` (grayscale, smoothly upscaled :data:`UPSCALE` times) with every
    patch tinted by its relevance, a colour bar, and the eyes, nose and mouth outlined.

    The scale is symmetric (:mod:`symxai.domains.colours`): a patch of relevance ``R``
    is tinted red (``R > 0``) or blue (``R < 0``) with opacity ``0.75 |R| / vmax``
    (clipped to 1), so a patch of relevance 0 shows the bare image. ``vmax`` defaults to
    this picture's ``max |R|``; give several pictures the same ``vmax`` to compare them
    (near-zero relevances then stay faint). ``outline_regions`` draws the border of the
    patches of each region (:func:`patch_regions`, the features that ``eyes``, ``nose``
    and ``mouth`` resolve to). ``path`` ends in ``.png`` or ``.svg``.

    Raises ``ValueError`` for another suffix, a ``values_per_patch`` that is not a
    finite vector of ``grid * grid`` entries, or a ``vmax`` that is not positive.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    from symxai.domains.colours import colour_scale, relevance_colormap

    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise ValueError(
            f"cannot draw to {str(path)!r}: the suffix must be one of {', '.join(_FORMATS)}"
        )
    if isinstance(values_per_patch, torch.Tensor):
        values_per_patch = values_per_patch.detach().cpu().numpy()
    values = np.asarray(values_per_patch, dtype=np.float64)
    if values.ndim != 1 or values.size != grid * grid:
        raise ValueError(
            f"values_per_patch must be a vector of length {grid * grid} ({grid}x{grid} patches),"
            f" got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("values_per_patch must be finite")
    pixels = _grayscale(image)
    height, width = pixels.shape
    scale = colour_scale(values, vmax)
    cmap = relevance_colormap()
    norm = Normalize(-scale, scale)

    overlay = np.zeros((height, width, 4))
    rows, cols = patch_bounds(grid, height), patch_bounds(grid, width)
    for index, value in enumerate(values):
        row, col = divmod(index, grid)
        strength = min(abs(value) / scale, 1.0)
        overlay[rows[row] : rows[row + 1], cols[col] : cols[col + 1]] = (
            *cmap(norm(value))[:3],
            0.75 * strength,
        )

    extent = (-0.5, width - 0.5, height - 0.5, -0.5)
    figure = Figure(figsize=(5.6, 4.6), layout="constrained")
    axes = figure.add_subplot()
    smooth = torch.nn.functional.interpolate(
        torch.as_tensor(pixels, dtype=torch.float32)[None, None],
        scale_factor=UPSCALE,
        mode="bicubic",
        align_corners=False,
    )[0, 0].clamp(float(pixels.min()), float(pixels.max()))
    axes.imshow(smooth.numpy(), cmap="gray", interpolation="nearest", extent=extent)
    axes.imshow(overlay, interpolation="nearest", extent=extent)
    for boundary in rows[1:-1]:
        axes.axhline(boundary - 0.5, color="white", linewidth=0.4, alpha=0.5)
    for boundary in cols[1:-1]:
        axes.axvline(boundary - 0.5, color="white", linewidth=0.4, alpha=0.5)
    if outline_regions and (height, width) == (IMAGE_SIZE, IMAGE_SIZE):
        for region, segments in _region_outlines(grid, height).items():
            for number, (xs, ys) in enumerate(segments):
                axes.plot(
                    xs,
                    ys,
                    color=REGION_COLOURS[region],
                    linewidth=2.2,
                    solid_capstyle="round",
                    label=region if number == 0 else None,
                )
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncol=len(REGION_COLOURS),
            frameon=False,
            fontsize=8,
        )
    axes.set_xlim(extent[0], extent[1])
    axes.set_ylim(extent[2], extent[3])
    axes.set_xticks([])
    axes.set_yticks([])
    if title:
        axes.set_title(title, fontsize=10)
    figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axes, shrink=0.85, label="relevance")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=150 if path.suffix.lower() == ".png" else None)
    return path
