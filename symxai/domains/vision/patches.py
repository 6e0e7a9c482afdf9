"""Patches of a face image as features, with the regions of the face.

:func:`patch_space` names the patches ``p0 .. p24`` (``p{row * 5 + col}``), with a
``region`` label column and groups placed on the mean face of the data set (the crops are
aligned, so the parts of the face sit at nearly the same pixels in every image)::

    patch grid (5x5 pixels each)     regions
     0  1  2  3  4                   eyes  = p6 p7 p8     (pixel rows 6-9, columns 4-18)
     5  6  7  8  9                   nose  = p12          (pixel rows 10-15, columns 8-13)
    10 11 12 13 14                   mouth = p16 p17      (pixel rows 16-19, columns 5-15)
    15 16 17 18 19                   rest  = every other patch
    20 21 22 23 24

Regions are pixel boxes (:data:`REGION_BOXES`); a patch belongs to the region covering at
least half of its pixels, so other grids (:func:`patch_space` with ``grid=25`` is per
pixel) get consistent regions. Groups ``row0 .. row4`` and ``col0 .. col4`` name the rows
and columns of the grid. :func:`token_groups` maps features to ViT tokens for the
backend.
"""

from __future__ import annotations

import numpy as np

from symxai.data.faces import IMAGE_SIZE
from symxai.features import FeatureSpace
from symxai.models.vit import PATCH_SIZE

__all__ = [
    "GRID",
    "REGIONS",
    "REGION_BOXES",
    "patch_bounds",
    "patch_regions",
    "patch_space",
    "token_groups",
]

GRID = IMAGE_SIZE // PATCH_SIZE
"""Patches per row (and per column) of the ViT."""

REGION_BOXES: dict[str, tuple[int, int, int, int]] = {
    "eyes": (6, 10, 4, 19),
    "nose": (10, 16, 8, 14),
    "mouth": (16, 20, 5, 16),
}
"""Face regions as pixel boxes ``(row_start, row_stop, col_start, col_stop)`` (stops
exclusive) of the 25x25 crops, read off the mean face of ``lfw_subset()``."""

REGIONS = (*REGION_BOXES, "rest")
"""Values of the ``region`` label column."""


def token_groups(grid: int = GRID) -> list[list[int]]:
    """ViT token indices of each patch feature: feature ``p`` is token ``1 + p`` (token 0,
    [CLS], belongs to no feature and is always kept)."""
    return [[1 + patch] for patch in range(grid * grid)]


def patch_bounds(grid: int = GRID, size: int = IMAGE_SIZE) -> np.ndarray:
    """Pixel boundaries ``[grid + 1]`` of the grid rows (= columns) over a ``size`` image."""
    if not 1 <= grid <= size:
        raise ValueError(f"grid must be between 1 and {size}, got {grid}")
    return np.round(np.linspace(0, size, grid + 1)).astype(int)


def patch_regions(grid: int = GRID) -> list[str]:
    """Region of every patch (row-major): the :data:`REGION_BOXES` box that covers at least
    half of the patch's pixels, else ``"rest"``."""
    bounds = patch_bounds(grid)
    regions = []
    for row in range(grid):
        for col in range(grid):
            top, bottom = bounds[row], bounds[row + 1]
            left, right = bounds[col], bounds[col + 1]
            area = (bottom - top) * (right - left)
            best, best_overlap = "rest", 0
            for name, (r0, r1, c0, c1) in REGION_BOXES.items():
                overlap = max(0, min(bottom, r1) - max(top, r0)) * max(
                    0, min(right, c1) - max(left, c0)
                )
                if overlap > best_overlap:
                    best, best_overlap = name, overlap
            regions.append(best if 2 * best_overlap >= area else "rest")
    return regions


def patch_space(grid: int = GRID) -> FeatureSpace:
    """Features = the ``grid x grid`` patches, named ``p{row * grid + col}``.

    Label column ``region`` (``eyes``, ``nose``, ``mouth``, ``rest``; see
    :func:`patch_regions`), the same regions as groups, and groups ``row{r}`` / ``col{c}``.
    Queries such as ``eyes & mouth``, ``eyes & ~mouth`` or ``region:nose`` resolve here.
    """
    regions = patch_regions(grid)
    groups: dict[str, list[int]] = {}
    for name in REGIONS:
        members = [i for i, region in enumerate(regions) if region == name]
        if members:
            groups[name] = members
    for row in range(grid):
        groups[f"row{row}"] = [row * grid + col for col in range(grid)]
    for col in range(grid):
        groups[f"col{col}"] = [row * grid + col for row in range(grid)]
    return FeatureSpace(
        [f"p{i}" for i in range(grid * grid)], labels={"region": regions}, groups=groups
    )
