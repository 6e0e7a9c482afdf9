"""Where a backend's Harsanyi dividends can be non-zero: connected coalitions of a graph.

For LRP on a message-passing network the subgraph relevance is a sum of walk relevances,
``v(S) = sum_{W: set(W) ⊆ S} R_W`` (:mod:`symxai.backends.gnn_lrp`), so its Möbius
transform is ``mu(L) = sum_{W: set(W) = L} R_W``. A walk ``(i_0, ..., i_T)`` steps along
an edge or stays at a node, so its node set is connected in the (undirected) step graph
and has at most ``T + 1`` nodes: ``mu(L) = 0`` unless ``L`` is connected and
``|L| <= T + 1``. A backend that can vouch for this returns a :class:`CoalitionGraph`
from ``coalition_graph()``; :func:`symxai.connected_dividends.connected_harsanyi_dividends`
then evaluates only the connected coalitions.

``check_pairs`` lists node pairs that are *not* adjacent: their dividends must be 0. They
are evaluated in the same batch as the connected coalitions, as a numerical check of the
claim for models whose ``forward`` the backend cannot read (a node-mixing step written
with functions, such as a virtual node built from ``global_add_pool``, shows up there).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["CoalitionGraph", "non_adjacent_pairs"]


@dataclass(frozen=True)
class CoalitionGraph:
    """``mu(L) = 0`` unless ``L`` is connected by ``edges`` and ``|L| <= max_size``.

    ``edges`` ``[2, E]`` are node pairs over ``n`` nodes (direction and duplicates do not
    matter; self-loops are ignored). ``check_pairs`` ``[p, 2]`` are non-adjacent pairs whose
    dividend is checked to be 0 (relative tolerance ``tolerance`` of the largest ``|v|``
    evaluated); an empty array skips the check.
    """

    n: int
    edges: np.ndarray
    max_size: int
    check_pairs: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    tolerance: float = 1e-4

    def adjacency(self) -> np.ndarray:
        """Bool ``[n, n]``: symmetric adjacency without self-loops."""
        adjacency = np.zeros((self.n, self.n), dtype=bool)
        edges = np.asarray(self.edges, dtype=np.int64).reshape(2, -1)
        adjacency[edges[0], edges[1]] = True
        adjacency |= adjacency.T
        np.fill_diagonal(adjacency, False)
        return adjacency


def non_adjacent_pairs(n: int, edges: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """Up to ``count`` distinct pairs ``[p, 2]`` of nodes joined by no edge (a fixed,
    seeded choice, so that repeated explanations check the same pairs)."""
    adjacency = CoalitionGraph(n, edges, 1).adjacency()
    first, second = np.nonzero(np.triu(~adjacency, k=1))
    if first.size == 0 or count <= 0:
        return np.empty((0, 2), dtype=np.int64)
    chosen = np.random.default_rng(seed).permutation(first.size)[:count]
    return np.stack([first[chosen], second[chosen]], axis=1).astype(np.int64)
