"""GNN-LRP on a cell-graph-sized input: prints one JSON line of timings.

The graph: ``nodes`` random points in a disc of radius 500 µm, kNN edges (k = 3,
undirected), 17 one-hot phenotypes (the LUAD vocabulary) drawn uniformly; the model a
:class:`~symxai.models.survival_gin.SurvivalGIN` (variant ``"lrp"``, 3 GIN layers,
hidden 32, random weights). Every timing is the best of ``REPEATS`` runs on a fresh
explanation (no cached values), on 2 threads:

* ``query3_s``: ``R(Cancer & Treg & ~Tc)`` (2^3 = 8 coalitions);
* ``pair_matrix_s``: ``R(A & B)`` for the 136 pairs (diagonal included) of 16 phenotypes
  (``1 + 16 + 120`` distinct coalitions);
* ``tile_map_s``: ``v(tile)`` of the 100 tiles of a 10x10 grid (one masked pass per tile,
  all tiles batched);
* ``feature_relevance_s``: per-cell relevance ``R_i`` (one backward pass);
* ``feature_relevance_old_s``: the same by one masked copy per node (the former way:
  ``n`` copies of the graph, ``O(n^2)`` time and mask memory) on a graph of ``old_nodes``
  nodes, against ``feature_relevance_small_s``, the one-pass way on that graph
  (``old_new_max_difference``: their largest difference);
* ``batch_size``, ``sparse_adjacency``: graph copies per pass and how they are joined;
* ``peak_rss_mb``: peak resident memory of the process.

Each timing ``*_s`` (wall clock) comes with ``*_cpu_s`` (CPU time of this process), which
other processes on a shared machine disturb less. Usage: ``python benchmarks/gnn_large.py
[nodes] [threads]`` (defaults 3,950 and 2).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch_geometric.data import Data

import symxai
from symxai import FeatureSpace
from symxai.backends.gnn_lrp import GNNLRPBackend
from symxai.data.cells.graphs import knn_graph
from symxai.data.cells.phenotypes import LUAD_PHENOTYPES
from symxai.models.survival_gin import SurvivalGIN

NODES = 3950
OLD_NODES = 500
REPEATS = 3
GRID = 10


def cell_graph(n: int, seed: int = 0) -> tuple[Data, np.ndarray, list[str]]:
    """A random kNN cell graph: ``(data, positions, phenotype per cell)``."""
    rng = np.random.default_rng(seed)
    radius = 500.0 * np.sqrt(rng.random(n))
    angle = 2 * np.pi * rng.random(n)
    positions = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    kinds = rng.integers(0, len(LUAD_PHENOTYPES), n)
    x = torch.zeros(n, len(LUAD_PHENOTYPES))
    x[torch.arange(n), torch.as_tensor(kinds)] = 1.0
    edge_index = torch.as_tensor(knn_graph(positions, k=3), dtype=torch.long)
    return Data(x=x, edge_index=edge_index), positions, [LUAD_PHENOTYPES[k] for k in kinds]


def survival_model(seed: int = 0) -> SurvivalGIN:
    torch.manual_seed(seed)
    return SurvivalGIN(len(LUAD_PHENOTYPES), hidden=32, num_layers=3).eval()


def explanation(model: SurvivalGIN, data: Data, phenotypes: list[str]) -> symxai.Explanation:
    space = FeatureSpace([f"c{i}" for i in range(data.num_nodes)], labels={"phenotype": phenotypes})
    return symxai.explain(model, data, "gnn-lrp", space=space)


def tile_masks(positions: np.ndarray, grid: int = GRID) -> np.ndarray:
    """``[grid^2, n]``: the cells of every tile of a ``grid x grid`` partition of the box."""
    low, high = positions.min(axis=0), positions.max(axis=0)
    cell = np.minimum((grid * (positions - low) / (high - low)).astype(int), grid - 1)
    code = cell[:, 0] * grid + cell[:, 1]
    return code[None, :] == np.arange(grid * grid)[:, None]


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Shortest wall time and shortest CPU time of ``repeats`` runs, and the last result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def old_feature_relevance(backend: GNNLRPBackend) -> np.ndarray:
    """One masked copy per node: layer 0 masked to node ``i``, every later layer open."""
    masks = np.ones((backend.n, backend.num_layers + 1, backend.n), dtype=bool)
    masks[:, 0, :] = np.eye(backend.n, dtype=bool)
    return backend.layer_relevance(masks)


def main() -> None:
    nodes = int(sys.argv[1]) if len(sys.argv) > 1 else NODES
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(threads)
    model = survival_model()
    data, positions, phenotypes = cell_graph(nodes)
    pairs = [
        f'phenotype:"{a}" & phenotype:"{b}"'
        for i, a in enumerate(LUAD_PHENOTYPES[:16])
        for b in LUAD_PHENOTYPES[i:16]
    ]
    tiles = tile_masks(positions)
    figures: dict[str, Any] = {"nodes": nodes, "threads": threads, "pairs": len(pairs)}

    def timed(name: str, fn: Callable[[], Any], repeats: int = REPEATS) -> Any:
        wall, cpu, result = best_of(repeats, fn)
        figures[f"{name}_s"], figures[f"{name}_cpu_s"] = round(wall, 4), round(cpu, 4)
        return result

    timed("query3", lambda: explanation(model, data, phenotypes).relevance("Cancer & Treg & ~Tc"))
    timed("pair_matrix", lambda: explanation(model, data, phenotypes).relevances(pairs))
    timed("tile_map", lambda: explanation(model, data, phenotypes).values(tiles))
    backend = GNNLRPBackend(model, data)
    relevance = timed("feature_relevance", backend.feature_relevance)
    total = float(backend(np.ones((1, nodes), dtype=bool))[0])
    figures["feature_relevance_sum_error"] = abs(float(relevance.sum()) - total)
    small, _, _ = cell_graph(OLD_NODES, seed=1)
    small_backend = GNNLRPBackend(model, small)
    figures["old_nodes"] = OLD_NODES
    old = timed("feature_relevance_old", lambda: old_feature_relevance(small_backend), 1)
    new = timed("feature_relevance_small", small_backend.feature_relevance)
    figures["old_new_max_difference"] = float(np.abs(old - new).max())
    figures["batch_size"] = backend.batch_size
    figures["sparse_adjacency"] = bool(getattr(backend, "sparse_adjacency", False))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
