"""User-drawn regions of a tissue core: named polygons in µm, and the cells inside.

A region is a polygon given by its vertices ``[(x0, y0), (x1, y1), ...]`` in the
coordinates of the cell table (µm); a cell belongs to it when its centroid lies inside
(``matplotlib.path.Path.contains_points``; the polygon is closed implicitly). Queries
name a region as ``region:"tumour_margin"`` (or ``region:tumour_margin``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

import numpy as np

from symxai.errors import UnknownAtomError

__all__ = ["Regions", "check_regions", "region_members"]

Regions = Mapping[str, Sequence[Sequence[float]]]
"""Region name -> polygon vertices ``[(x, y), ...]`` in µm."""


def _vertices(name: str, polygon: Sequence[Sequence[float]]) -> np.ndarray:
    vertices = np.asarray(polygon, dtype=np.float64)
    if vertices.ndim != 2 or vertices.shape[1] != 2 or len(vertices) < 3:
        raise ValueError(f"region {name!r} needs at least three (x, y) vertices")
    if not np.isfinite(vertices).all():
        raise ValueError(f"region {name!r} has a vertex that is not a finite number")
    return vertices


def check_regions(regions: Regions | None) -> dict[str, np.ndarray]:
    """The regions as name -> ``[m, 2]`` vertex arrays, checked (ValueError otherwise)."""
    return {str(name): _vertices(str(name), polygon) for name, polygon in (regions or {}).items()}


def region_members(
    positions: np.ndarray, regions: Mapping[str, np.ndarray], name: str
) -> np.ndarray:
    """Indices of the cells whose centroid lies inside the polygon ``name``; an unknown
    name raises :class:`~symxai.errors.UnknownAtomError` listing the regions."""
    from matplotlib.path import Path

    if name not in regions:
        known = ", ".join(regions) or "none (pass regions={name: vertices})"
        raise UnknownAtomError(
            f"unknown region {name!r}; the regions of this tissue are {known}",
            suggestions=difflib.get_close_matches(name, list(regions), n=3, cutoff=0.5),
        )
    inside = Path(regions[name]).contains_points(np.asarray(positions, dtype=np.float64))
    return np.flatnonzero(inside)
