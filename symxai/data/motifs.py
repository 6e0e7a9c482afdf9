"""Synthetic graphs with planted motifs: BA-2motif and BA-shapes, generated locally.

Both are built with PyG's own generators (``ExplainerDataset`` with ``BAGraph`` and
``HouseMotif``/``CycleMotif``), which draw from torch's and numpy's global random
generators; here they run inside a saved-and-restored random state seeded with ``seed``,
so the same seed gives the same graphs on every machine and the caller's random state is
left as it was. Nothing is downloaded.

* **BA-2motif** (Luo et al., NeurIPS 2020; the graph task of GNN-LRP and sGNN-LRP):
  ``num_graphs`` graphs, each a Barabási–Albert graph of 20 nodes (one edge per new
  node, a tree) with one 5-node motif attached by one edge to a random base node; the
  motif is a *house* (class 0) or a *5-cycle* (class 1), half of the graphs each (the
  houses first). Node features are constant, ``[n, 10]`` ones, as in the original, so
  only the structure tells the classes apart. The ground truth is the motif: its 5 nodes
  (``node_mask``) and its 6 (house) or 5 (cycle) undirected edges (``edge_mask``, per
  directed edge); the edge joining the motif to the base is not part of it.
* **BA-shapes** (Ying et al., NeurIPS 2019, GNNExplainer): one Barabási–Albert graph of
  300 nodes (5 edges per new node) with 80 houses attached, 700 nodes; the node labels
  are PyG's: 0 for a base node, 1/2/3 for a house's middle (the two nodes under the
  roof), bottom and top node. Node features ``[700, 10]`` ones; ground truth: the house
  nodes and the house edges.

Edges are coalesced (sorted, each direction once) with their ground truth.
:func:`seeded_split` is the 80/10/10 train/validation/test split of graphs (BA-2motif)
or nodes (BA-shapes).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch_geometric.data import Data

__all__ = [
    "BA2MOTIF_CLASSES",
    "BASHAPES_CLASSES",
    "FEATURE_DIM",
    "MotifGraph",
    "MotifNodes",
    "ba_2motif",
    "ba_shapes",
    "seeded_split",
]

FEATURE_DIM = 10
"""Width of the constant node features (ones), as in the original data sets."""

BA2MOTIF_CLASSES: dict[int, str] = {0: "house", 1: "cycle"}
"""BA-2motif class index -> the motif that makes it."""

BASHAPES_CLASSES: dict[int, str] = {0: "base", 1: "house middle", 2: "house bottom", 3: "house top"}
"""BA-shapes node label -> the node's role (PyG's ``ExplainerDataset`` + ``HouseMotif``)."""


@dataclass(frozen=True, eq=False)
class MotifGraph:
    """One BA-2motif graph.

    ``data``: PyG ``Data`` with ``x`` ``[n, 10]`` float ones, ``edge_index`` ``[2, E]``
    (coalesced, both directions) and ``y`` ``[1]`` the class; ``label`` the class (0
    house, 1 cycle); ``node_mask`` ``[n]`` bool, the motif's nodes; ``edge_mask`` ``[E]``
    bool per directed edge, the motif's edges; ``index`` the position in the data set.
    """

    index: int
    data: Data
    label: int
    node_mask: np.ndarray
    edge_mask: np.ndarray

    @property
    def num_nodes(self) -> int:
        return int(self.data.num_nodes)


@dataclass(frozen=True, eq=False)
class MotifNodes:
    """The BA-shapes graph: ``data`` (``x`` ``[n, 10]`` ones, coalesced ``edge_index``,
    ``y`` ``[n]`` node labels, see :data:`BASHAPES_CLASSES`), ``node_mask`` ``[n]`` (house
    nodes) and ``edge_mask`` ``[E]`` (house edges, per directed edge)."""

    data: Data
    node_mask: np.ndarray
    edge_mask: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        """Node labels ``[n]`` (int64)."""
        return self.data.y.numpy()

    @property
    def num_nodes(self) -> int:
        return int(self.data.num_nodes)


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """torch's and numpy's global generators seeded with ``seed``, restored afterwards."""
    numpy_state = np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        np.random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(numpy_state)


def _graphs(base_nodes: int, base_edges: int, motif: str, num_motifs: int, count: int) -> list:
    from torch_geometric.datasets import ExplainerDataset
    from torch_geometric.datasets.graph_generator import BAGraph
    from torch_geometric.datasets.motif_generator import CycleMotif, HouseMotif

    generator = HouseMotif() if motif == "house" else CycleMotif(5)
    dataset = ExplainerDataset(
        graph_generator=BAGraph(num_nodes=base_nodes, num_edges=base_edges),
        motif_generator=generator,
        num_motifs=num_motifs,
        num_graphs=count,
    )
    return [dataset.get(i) for i in range(len(dataset))]


def _parts(generated: Data) -> tuple[Data, np.ndarray, np.ndarray]:
    """Coalesced graph with constant features, node mask, edge mask."""
    from torch_geometric.utils import coalesce

    n = int(generated.node_mask.shape[0])
    edge_index, edge_mask = coalesce(
        generated.edge_index, generated.edge_mask, num_nodes=n, reduce="max"
    )
    data = Data(x=torch.ones(n, FEATURE_DIM), edge_index=edge_index, num_nodes=n)
    return data, generated.node_mask.numpy() > 0, edge_mask.numpy() > 0


@functools.cache
def ba_2motif(num_graphs: int = 1000, seed: int = 0) -> tuple[MotifGraph, ...]:
    """The BA-2motif graphs (module docstring): ``num_graphs // 2`` houses (class 0),
    then the rest 5-cycles (class 1); identical for the same ``seed`` (cached)."""
    if num_graphs < 2:
        raise ValueError(f"BA-2motif needs at least 2 graphs, got {num_graphs}")
    houses = num_graphs // 2
    with _seeded(seed):
        generated = _graphs(20, 1, "house", 1, houses) + _graphs(
            20, 1, "cycle", 1, num_graphs - houses
        )
    graphs = []
    for index, item in enumerate(generated):
        label = 0 if index < houses else 1
        data, node_mask, edge_mask = _parts(item)
        data.y = torch.tensor([label])
        graphs.append(MotifGraph(index, data, label, node_mask, edge_mask))
    return tuple(graphs)


@functools.cache
def ba_shapes(seed: int = 0) -> MotifNodes:
    """The BA-shapes graph (module docstring); identical for the same ``seed`` (cached)."""
    with _seeded(seed):
        (generated,) = _graphs(300, 5, "house", 80, 1)
    data, node_mask, edge_mask = _parts(generated)
    data.y = generated.y.clone()
    return MotifNodes(data, node_mask, edge_mask)


def seeded_split(count: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Fixed 80/10/10 train/validation/test indices of ``count`` graphs or nodes."""
    order = np.random.default_rng(seed).permutation(count)
    train_end, val_end = int(0.8 * count), int(0.9 * count)
    return {"train": order[:train_end], "val": order[train_end:val_end], "test": order[val_end:]}
