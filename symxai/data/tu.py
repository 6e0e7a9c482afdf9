"""Reader for the TU graph benchmark format (Morris et al., TUDataset), shipped gzipped.

Files of a data set ``DS`` (one line per item, node ids 1-based and global):
``DS_A`` (edges ``i, j``, both directions), ``DS_graph_indicator`` (graph id per node),
``DS_graph_labels``, ``DS_node_labels`` and optionally ``DS_edge_labels`` and
``DS_edge_gt`` (explanation ground truth per edge, Mutagenicity).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["ELEMENTS", "TUDataset", "TUGraph", "load_tu_dataset"]

ELEMENTS: dict[str, tuple[str, ...]] = {
    "Mutagenicity": ("C", "O", "Cl", "H", "N", "F", "Br", "S", "P", "I", "Na", "K", "Li", "Ca"),
    "MUTAG": ("C", "N", "O", "F", "I", "Cl", "Br"),
}
"""Node label -> element symbol, from each data set's README."""

LABEL_NAMES: dict[str, dict[int, str]] = {
    "Mutagenicity": {0: "mutagen", 1: "nonmutagen"},
    "MUTAG": {1: "mutagen", -1: "nonmutagen"},
}


@dataclass
class TUGraph:
    """One graph: node labels, directed edge list ``[2, E]`` (0-based, local), labels."""

    index: int
    node_labels: np.ndarray
    edge_index: np.ndarray
    edge_labels: np.ndarray | None
    label: int
    edge_ground_truth: np.ndarray | None = None
    elements: tuple[str, ...] = field(default=())

    @property
    def num_nodes(self) -> int:
        return int(self.node_labels.size)


@dataclass
class TUDataset:
    """All graphs of one TU data set and its label names."""

    name: str
    graphs: list[TUGraph]
    label_names: dict[int, str]

    def __len__(self) -> int:
        return len(self.graphs)

    def __getitem__(self, index: int) -> TUGraph:
        return self.graphs[index]


def _read(name: str, suffix: str) -> np.ndarray | None:
    resource = resources.files("symxai.data") / "tu" / f"{name}_{suffix}.txt.gz"
    if not resource.is_file():
        return None
    with resource.open("rb") as handle, gzip.open(handle, "rt") as text:
        return np.loadtxt(text, delimiter=",", dtype=np.int64, ndmin=1)


@lru_cache(maxsize=4)
def load_tu_dataset(name: str) -> TUDataset:
    """Load ``"Mutagenicity"`` or ``"MUTAG"`` from the package data."""
    if name not in ELEMENTS:
        raise ValueError(f"unknown TU data set {name!r}; shipped: {', '.join(ELEMENTS)}")
    edges = _read(name, "A")
    indicator = _read(name, "graph_indicator")
    graph_labels = _read(name, "graph_labels")
    node_labels = _read(name, "node_labels")
    assert edges is not None and indicator is not None
    assert graph_labels is not None and node_labels is not None
    edges = edges.reshape(-1, 2) - 1
    edge_labels = _read(name, "edge_labels")
    edge_gt = _read(name, "edge_gt")
    starts = np.searchsorted(indicator, np.arange(1, graph_labels.size + 2))
    edge_graph = indicator[edges[:, 0]] - 1
    order = np.argsort(edge_graph, kind="stable")
    edge_starts = np.searchsorted(edge_graph[order], np.arange(graph_labels.size + 1))
    graphs = []
    for g in range(graph_labels.size):
        rows = order[edge_starts[g] : edge_starts[g + 1]]
        graphs.append(
            TUGraph(
                index=g,
                node_labels=node_labels[starts[g] : starts[g + 1]],
                edge_index=(edges[rows] - starts[g]).T.copy(),
                edge_labels=None if edge_labels is None else edge_labels[rows],
                label=int(graph_labels[g]),
                edge_ground_truth=None if edge_gt is None else edge_gt[rows],
                elements=ELEMENTS[name],
            )
        )
    return TUDataset(name=name, graphs=graphs, label_names=LABEL_NAMES[name])
