"""Directed edge lists as undirected pairs, with their labels.

PyG graphs list every undirected edge ``{i, j}`` twice, as ``(i, j)`` and ``(j, i)``;
ground truth is often given per directed edge (``edge_mask``, Mutagenicity's
``edge_ground_truth``). :func:`undirected_pairs` keeps each edge once, as ``(i, j)``
with ``i < j``, sorted, and labels it positive when any of its directions is positive.
Self-loops are dropped (a pair needs two features).
"""

from __future__ import annotations

import numpy as np

__all__ = ["undirected_pairs"]


def undirected_pairs(
    edge_index: np.ndarray, edge_labels: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(pairs [P, 2], labels [P])``: the undirected edges of ``edge_index`` ``[2, E]``
    (``i < j``, sorted lexicographically, each once) and for each the logical or of
    ``edge_labels`` ``[E]`` over its directions (all ``False`` when no labels are given)."""
    edges = np.asarray(edge_index, dtype=np.int64)
    if edges.ndim != 2 or edges.shape[0] != 2:
        raise ValueError(f"edge_index must have shape [2, E], got {edges.shape}")
    labels = (
        np.zeros(edges.shape[1], dtype=bool)
        if edge_labels is None
        else np.asarray(edge_labels).astype(bool).reshape(-1)
    )
    if labels.shape != (edges.shape[1],):
        raise ValueError(f"{labels.shape[0]} edge labels for {edges.shape[1]} edges")
    low, high = np.minimum(edges[0], edges[1]), np.maximum(edges[0], edges[1])
    proper = low != high
    pairs = np.stack([low[proper], high[proper]], axis=1)
    if pairs.shape[0] == 0:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=bool)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    pair_labels = np.zeros(len(unique), dtype=bool)
    np.logical_or.at(pair_labels, inverse.reshape(-1), labels[proper])
    return unique, pair_labels
