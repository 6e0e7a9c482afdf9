"""The planted spatial motifs of the synthetic cohort, defined on a cell graph (the
kNN graph with k = 3 that :func:`~symxai.data.cells.graphs.build_graph` returns).

With ``N(i)`` the graph neighbours of cell ``i`` and ``N2(i)`` the cells one or two
hops from ``i``:

- **S1** (adverse): anchors are Tregs with a cancer cell in ``N(i)`` and no Tc in
  ``N2(i)`` -- regulatory T cells touching the tumour with no cytotoxic T cell near.
- **S2** (protective): anchors are Tc with a cancer cell in ``N(i)``.
- **S3** (protective): anchors are Th or B cells with a cancer cell in ``N(i)``.

A motif's **cells** are its anchors and the cancer cells adjacent to an anchor (the
cells a relevance map should light up). A motif's **score** is the number of anchors
per 1,000 cells of the core.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix

__all__ = ["MOTIFS", "motif_anchors", "motif_cells", "motif_scores"]

MOTIFS: tuple[str, ...] = ("S1", "S2", "S3")


def _adjacency(edge_index: np.ndarray, n_cells: int) -> csr_matrix:
    ones = np.ones(edge_index.shape[1], dtype=np.int32)
    return csr_matrix((ones, (edge_index[0], edge_index[1])), shape=(n_cells, n_cells))


def _mask(phenotypes: np.ndarray, vocabulary: Sequence[str], names: Sequence[str]) -> np.ndarray:
    codes = [vocabulary.index(name) for name in names if name in vocabulary]
    return np.isin(phenotypes, codes)


def motif_anchors(
    phenotypes: np.ndarray, edge_index: np.ndarray, vocabulary: Sequence[str]
) -> dict[str, np.ndarray]:
    """Motif name -> boolean anchor mask per cell (definitions in the module text)."""
    n = len(phenotypes)
    adjacency = _adjacency(edge_index, n)
    cancer = _mask(phenotypes, vocabulary, ["Cancer"])
    tc = _mask(phenotypes, vocabulary, ["Tc"])
    touches_cancer = adjacency @ cancer.astype(np.int32) > 0
    tc_one_hop = adjacency @ tc.astype(np.int32)
    tc_within_two = (tc_one_hop + adjacency @ tc_one_hop) > 0
    return {
        "S1": _mask(phenotypes, vocabulary, ["Treg"]) & touches_cancer & ~tc_within_two,
        "S2": tc & touches_cancer,
        "S3": _mask(phenotypes, vocabulary, ["Th", "B cell"]) & touches_cancer,
    }


def motif_cells(
    phenotypes: np.ndarray, edge_index: np.ndarray, vocabulary: Sequence[str]
) -> dict[str, np.ndarray]:
    """Motif name -> boolean mask of its anchors and the cancer cells they touch."""
    adjacency = _adjacency(edge_index, len(phenotypes))
    cancer = _mask(phenotypes, vocabulary, ["Cancer"])
    return {
        name: anchors | (cancer & (adjacency @ anchors.astype(np.int32) > 0))
        for name, anchors in motif_anchors(phenotypes, edge_index, vocabulary).items()
    }


def motif_scores(anchors: dict[str, np.ndarray]) -> dict[str, float]:
    """Motif name -> anchors per 1,000 cells."""
    return {name: 1000.0 * float(mask.sum()) / max(len(mask), 1) for name, mask in anchors.items()}
