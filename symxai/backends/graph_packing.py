"""Packing row blocks of many graphs into shared GNN passes.

``subgraph_relevance_many`` (one coalition per graph copy) and the packed connected
coalitions of ``search --data`` (several disjoint coalitions per copy) both evaluate
blocks of rows ``(graph index, rows [B, n])`` of many graphs in passes of at most
``max_nodes`` nodes: :func:`packed_blocks` groups the blocks, :func:`copies_batch` lays
one group out as a disjoint union of ``B`` copies of each block's graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import torch

__all__ = ["copies_batch", "packed_blocks"]

Block = tuple[int, np.ndarray]
"""A graph index and rows ``[B, n]`` over that graph's ``n`` nodes (one copy per row)."""


def packed_blocks(blocks: Iterable[Block], max_nodes: int) -> Iterator[list[Block]]:
    """Groups of row blocks of at most ``max_nodes`` nodes each (``B * n`` per block),
    in order; a block larger than ``max_nodes`` is split into rows of ``max_nodes // n``
    (at least one row)."""
    pending: list[Block] = []
    pending_nodes = 0
    for index, rows in blocks:
        n = rows.shape[1]
        per_pass = max(1, max_nodes // max(n, 1))
        for start in range(0, rows.shape[0], per_pass):
            part = rows[start : start + per_pass]
            if pending and pending_nodes + part.size > max_nodes:
                yield pending
                pending, pending_nodes = [], 0
            pending.append((index, part))
            pending_nodes += part.size
    if pending:
        yield pending


_EDGE_KEYS = ("edge_attr", "edge_weight")
"""Per-edge tensors a model may read besides ``edge_index`` (bond features, weights)."""


def copies_batch(graphs: Sequence[Any], group: Sequence[Block]) -> tuple[Any, int]:
    """A PyG ``Batch``: for each ``(index, rows)`` of ``group``, ``len(rows)`` copies of
    ``graphs[index]`` (its ``x``, ``edge_index`` and, where every graph has them, the
    per-edge ``edge_attr``/``edge_weight``), laid out one after another as one disjoint
    union; and the number of copies."""
    from torch_geometric.data import Batch

    xs, edges, graph_of_node = [], [], []
    edge_keys = [
        key
        for key in _EDGE_KEYS
        if all(getattr(graphs[index], key, None) is not None for index, _ in group)
    ]
    per_edge: dict[str, list[torch.Tensor]] = {key: [] for key in edge_keys}
    offset = copies = 0
    for index, rows in group:
        graph, count = graphs[index], rows.shape[0]
        n = int(graph.num_nodes)
        xs.append(graph.x.repeat(count, *([1] * (graph.x.dim() - 1))))
        for key in edge_keys:
            values = graph[key]
            per_edge[key].append(values.repeat(count, *([1] * (values.dim() - 1))))
        shifts = offset + n * torch.arange(count).repeat_interleave(graph.edge_index.shape[1])
        edges.append(graph.edge_index.repeat(1, count) + shifts)
        graph_of_node.append(torch.arange(copies, copies + count).repeat_interleave(n))
        offset += n * count
        copies += count
    batch_of_node = torch.cat(graph_of_node)
    ptr = torch.zeros(copies + 1, dtype=torch.long)
    ptr[1:] = torch.cumsum(torch.bincount(batch_of_node, minlength=copies), 0)
    batch = Batch(x=torch.cat(xs), edge_index=torch.cat(edges, dim=1), batch=batch_of_node, ptr=ptr)
    for key in edge_keys:
        batch[key] = torch.cat(per_edge[key])
    return batch, copies
