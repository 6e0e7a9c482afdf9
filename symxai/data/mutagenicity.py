"""Mutagenicity as PyTorch Geometric graphs: one-hot elements, bonds, the class label.

Node features are one-hot element vectors over :data:`MUTAGENICITY_ELEMENTS` (the node
label order of the TU data set, the one order every molecule model of symxai uses),
built by :func:`element_graph`; :func:`mutagenicity_graphs` turns the 4,337 shipped
molecules into graphs and :func:`mutagenicity_split` is the fixed 80/10/10 split the
classifier is trained on. Class 0 is *mutagen*, class 1 *nonmutagen*.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch_geometric.data import Data

from symxai.data.tu import ELEMENTS, load_tu_dataset

__all__ = ["MUTAGENICITY_ELEMENTS", "element_graph", "mutagenicity_graphs", "mutagenicity_split"]

MUTAGENICITY_ELEMENTS: tuple[str, ...] = ELEMENTS["Mutagenicity"]
"""Element symbols in the one-hot order of the node features of every molecule model."""


def element_graph(
    element_indices: Sequence[int] | np.ndarray, edge_index: np.ndarray, label: int | None = None
) -> Data:
    """PyG graph: ``x`` one-hot elements ``[n, 14]`` (float, position ``element_indices[i]``
    of :data:`MUTAGENICITY_ELEMENTS` for node ``i``), ``edge_index`` long ``[2, E]``, and
    ``y`` the label as a one-element long tensor when it is known."""
    indices = torch.as_tensor(np.asarray(element_indices, dtype=np.int64))
    x = torch.zeros(len(indices), len(MUTAGENICITY_ELEMENTS))
    x[torch.arange(len(indices)), indices] = 1.0
    edges = np.asarray(edge_index, dtype=np.int64).reshape(2, -1).copy()
    data = Data(x=x, edge_index=torch.from_numpy(edges))
    if label is not None:
        data.y = torch.tensor([int(label)], dtype=torch.long)
    return data


def mutagenicity_graphs() -> list[Data]:
    """The 4,337 Mutagenicity molecules as graphs (:func:`element_graph`), in order."""
    return [
        element_graph(graph.node_labels, graph.edge_index, graph.label)
        for graph in load_tu_dataset("Mutagenicity").graphs
    ]


def mutagenicity_split(count: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Fixed 80/10/10 train/validation/test indices of ``count`` molecules."""
    order = np.random.default_rng(seed).permutation(count)
    train_end, val_end = int(0.8 * count), int(0.9 * count)
    return {"train": order[:train_end], "val": order[train_end:val_end], "test": order[val_end:]}
