"""Cell graphs from cell positions: k-nearest-neighbour and radius graphs (scipy's
``cKDTree``; PyG's ``knn_graph`` needs pyg-lib, which cannot be installed here).

Both graphs are undirected and stored as an ``edge_index`` of shape ``(2, E)`` (int64)
holding every edge in both directions, without self loops, sorted by source then
target. In the kNN graph ``i ~ j`` when ``j`` is among the ``k`` nearest cells of ``i``
or ``i`` among those of ``j`` (the union, as xCG builds it with k = 3). Ties in
distance are broken by the smaller cell index, so the graph is a function of the
positions alone: squared distances are computed here, in float64, as
``(x_i - x_j)^2 + (y_i - y_j)^2``, and the tree only proposes candidates.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

import numpy as np
from scipy.spatial import cKDTree

from symxai.data.cells.errors import CellDataError

__all__ = ["build_graph", "knn_graph", "radius_graph", "symmetric_edge_index"]

_EXTRA_CANDIDATES = 4
"""Neighbours asked of the tree beyond ``k + 1``, so that ties at the k-th distance are
seen; a cell whose last candidate still ties falls back to a ball query."""

_TIE_TOLERANCE = 1e-9
"""Relative slack on the k-th squared distance when looking for tied candidates (the
tree's distances may differ from the ones computed here in the last bits)."""


def _as_positions(positions: np.ndarray) -> np.ndarray:
    points = np.asarray(positions, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise CellDataError(f"positions must have shape (n, 2), got {points.shape}")
    if not np.isfinite(points).all():
        row = int(np.flatnonzero(~np.isfinite(points).all(axis=1))[0])
        raise CellDataError(f"positions hold a NaN or infinite coordinate at row {row}")
    return points


def symmetric_edge_index(source: np.ndarray, target: np.ndarray, n_nodes: int) -> np.ndarray:
    """The undirected edge set of the pairs ``(source, target)``: both directions, no
    self loops, no repeats, sorted by source then target; shape ``(2, E)``, int64."""
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    keep = source != target
    source, target = source[keep], target[keep]
    keys = np.unique(np.concatenate([source * n_nodes + target, target * n_nodes + source]))
    return np.stack([keys // n_nodes, keys % n_nodes]).astype(np.int64)


def _nearest(points: np.ndarray, k: int) -> np.ndarray:
    """``(n, k)`` indices of each point's ``k`` nearest other points, ordered by squared
    distance then index."""
    n = len(points)
    tree = cKDTree(points)
    n_query = min(n, k + 1 + _EXTRA_CANDIDATES)
    _, candidates = tree.query(points, k=n_query)
    candidates = candidates.reshape(n, n_query)
    own = np.arange(n)[:, None]
    squared = ((points[candidates] - points[:, None, :]) ** 2).sum(axis=2)
    squared = np.where(candidates == own, np.inf, squared)
    order = np.lexsort((candidates, squared), axis=1)
    candidates = np.take_along_axis(candidates, order, axis=1)
    squared = np.take_along_axis(squared, order, axis=1)
    nearest = candidates[:, :k].copy()
    if n_query == n:
        return nearest
    kth = squared[:, k - 1]
    last_seen = squared.max(axis=1, where=np.isfinite(squared), initial=0.0)
    open_ties = np.flatnonzero(last_seen <= kth * (1 + _TIE_TOLERANCE) + 1e-300)
    for cell in open_ties:
        radius = np.sqrt(kth[cell]) * (1 + _TIE_TOLERANCE) + 1e-12
        ball = np.asarray(tree.query_ball_point(points[cell], radius), dtype=np.int64)
        ball = ball[ball != cell]
        distances = ((points[ball] - points[cell]) ** 2).sum(axis=1)
        nearest[cell] = ball[np.lexsort((ball, distances))[:k]]
    return nearest


def knn_graph(positions: np.ndarray, k: int = 3) -> np.ndarray:
    """The undirected k-nearest-neighbour graph of ``positions`` (``(n, 2)``, µm):
    ``i ~ j`` iff ``j`` is among the ``k`` nearest cells of ``i`` or vice versa (ties
    by smaller index). With ``n <= k`` every cell is joined to all others."""
    if k < 1:
        raise CellDataError(f"k must be at least 1, got {k}")
    points = _as_positions(positions)
    n = len(points)
    if n < 2:
        return np.zeros((2, 0), dtype=np.int64)
    k_used = min(k, n - 1)
    nearest = _nearest(points, k_used)
    source = np.repeat(np.arange(n, dtype=np.int64), k_used)
    return symmetric_edge_index(source, nearest.reshape(-1), n)


def radius_graph(positions: np.ndarray, r: float) -> np.ndarray:
    """The undirected graph joining every two distinct cells at distance ``<= r`` µm."""
    if not r > 0:
        raise CellDataError(f"radius must be positive, got {r}")
    points = _as_positions(positions)
    pairs = cKDTree(points).query_pairs(r, output_type="ndarray")
    return symmetric_edge_index(pairs[:, 0], pairs[:, 1], len(points))


class PositionedCells(Protocol):
    """What :func:`build_graph` needs of a tissue: positions and a slot for the graph."""

    positions: np.ndarray
    edge_index: np.ndarray | None


TissueLike = TypeVar("TissueLike", bound=PositionedCells)


def build_graph(
    tissue: TissueLike, method: str = "knn", k: int = 3, radius: float | None = None
) -> TissueLike:
    """Fill ``tissue.edge_index`` with its kNN graph (``method="knn"``, ``k``) or its
    radius graph (``method="radius"``, ``radius`` in µm) and return the tissue."""
    if method == "knn":
        tissue.edge_index = knn_graph(tissue.positions, k)
    elif method == "radius":
        if radius is None:
            raise CellDataError("method='radius' needs a radius in µm")
        tissue.edge_index = radius_graph(tissue.positions, radius)
    else:
        raise CellDataError(f"unknown graph method {method!r}; use 'knn' or 'radius'")
    return tissue
