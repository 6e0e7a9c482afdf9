"""What a peer explainer returns, and how PyG's masks become node and pair scores.

A PyG explanation carries a ``node_mask`` ``[n, d]`` (one entry per node feature,
``node_mask_type="attributes"``) and an ``edge_mask`` ``[E]`` (one entry per directed
edge, ``edge_mask_type="object"``). Peers report

* the **node score** :math:`s_i = \\sum_{k=1}^{d} M_{ik}`, the node mask summed over
  features (signed for signed attributions such as Integrated Gradients, whose
  completeness :math:`\\sum_{i,k} M_{ik} = f(x) - f(0)` the sum keeps);
* the **pair score** of an undirected pair :math:`\\{i, j\\}`:
  :math:`e_{ij} = m_{i \\to j} + m_{j \\to i}`, the two directed edge masks summed
  (0 for a pair that is no edge of the graph).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PeerScores", "check_pairs", "node_scores", "pair_scores"]


@dataclass(frozen=True)
class PeerScores:
    """One explanation by a peer.

    Attributes
    ----------
    features:
        ``[n]`` one score per node / atom (graphs) or word / patch, ``None`` when the
        method scores no features (PGExplainer explains edges only).
    pairs:
        ``[P]`` one score per requested undirected pair (edge), ``None`` when the
        method scores no pairs.
    seconds:
        CPU seconds (:func:`time.process_time`) this explanation took.
    """

    features: np.ndarray | None
    pairs: np.ndarray | None
    seconds: float


def check_pairs(pairs: np.ndarray, num_nodes: int) -> np.ndarray:
    """``pairs`` as an int64 ``[P, 2]`` array of node indices in ``0..num_nodes-1``."""
    array = (
        np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        if np.size(pairs)
        else np.zeros((0, 2), dtype=np.int64)
    )
    if array.size and (array.min() < 0 or array.max() >= num_nodes):
        raise ValueError(f"pairs refer to nodes outside 0..{num_nodes - 1}")
    return array


def node_scores(node_mask: np.ndarray) -> np.ndarray:
    """``[n]`` node scores: a ``[n, d]`` feature mask summed over features."""
    mask = np.asarray(node_mask, dtype=np.float64)
    return mask.reshape(mask.shape[0], -1).sum(axis=1)


def pair_scores(
    edge_mask: np.ndarray, edge_index: np.ndarray, pairs: np.ndarray, num_nodes: int
) -> np.ndarray:
    """``[P]`` pair scores :math:`m_{i \\to j} + m_{j \\to i}` of undirected ``pairs``
    ``[P, 2]`` from a directed ``edge_mask`` ``[E]`` over ``edge_index`` ``[2, E]``."""
    pairs = check_pairs(pairs, num_nodes)
    edge_index = np.asarray(edge_index, dtype=np.int64)
    low, high = np.minimum(*edge_index), np.maximum(*edge_index)
    keys, inverse = np.unique(low * num_nodes + high, return_inverse=True)
    sums = np.zeros(len(keys))
    np.add.at(sums, inverse, np.asarray(edge_mask, dtype=np.float64))
    wanted = np.minimum(pairs[:, 0], pairs[:, 1]) * num_nodes + np.maximum(pairs[:, 0], pairs[:, 1])
    position = np.searchsorted(keys, wanted)
    found = (position < len(keys)) & (keys[np.minimum(position, len(keys) - 1)] == wanted)
    scores = np.zeros(len(pairs))
    scores[found] = sums[position[found]]
    return scores
