"""The data sets of the ``graphs`` domain and how an input is named.

* ``ba-2motif`` (:func:`symxai.data.motifs.ba_2motif`, 1,000 graphs): the input
  ``ba-2motif:17`` is graph 17, its record id ``17``;
* ``ba-shapes`` (:func:`symxai.data.motifs.ba_shapes`, one graph of 700 nodes): the
  input ``ba-shapes:node:305`` is node 305, explained on its computation graph of
  :data:`NODE_HOPS` hops (:func:`~symxai.domains.graphs.graph_input.computation_graph`);
  its record id ``305``.
"""

from __future__ import annotations

import re

import numpy as np

from symxai.data.motifs import BA2MOTIF_CLASSES, BASHAPES_CLASSES, ba_2motif, ba_shapes
from symxai.domains.graphs.graph_input import GraphInput, computation_graph
from symxai.domains.registry import DomainError, InputRecord

__all__ = [
    "DATASETS",
    "NODE_HOPS",
    "class_names",
    "graph_input",
    "graph_records",
    "parse_input_name",
]

DATASETS: tuple[str, ...] = ("ba-2motif", "ba-shapes")

NODE_HOPS = 3
"""Radius of a BA-shapes node's computation graph: the message-passing layers of the
shipped node GIN (a deeper model needs a larger radius; the domain checks it)."""

_NAME = re.compile(r"(ba-2motif):(\d+)|(ba-shapes):node:(\d+)")


def parse_input_name(text: str) -> tuple[str, int]:
    """``ba-2motif:17`` -> ``("ba-2motif", 17)``; ``ba-shapes:node:305`` ->
    ``("ba-shapes", 305)``; raises :class:`DomainError` for anything else."""
    found = _NAME.fullmatch(text.strip())
    if found is None:
        raise DomainError(
            f"a graph input is named ba-2motif:<graph> or ba-shapes:node:<node> "
            f"(ba-2motif:17, ba-shapes:node:305), got {text!r}"
        )
    if found[1]:
        return found[1], int(found[2])
    return found[3], int(found[4])


def graph_records(data: str) -> list[InputRecord]:
    """The records of a data set (module docstring); :class:`DomainError` for others."""
    if data == "ba-2motif":
        return [InputRecord(str(g.index), g.label, f"ba-2motif:{g.index}") for g in ba_2motif()]
    if data == "ba-shapes":
        labels = ba_shapes().labels
        return [InputRecord(str(i), int(y), f"ba-shapes:node:{i}") for i, y in enumerate(labels)]
    raise DomainError(f"graph data {data!r} is not one of {', '.join(DATASETS)}")


def graph_input(text: str) -> GraphInput:
    """The prepared input named by ``text`` (module docstring)."""
    data, index = parse_input_name(text)
    if data == "ba-2motif":
        graphs = ba_2motif()
        if index >= len(graphs):
            raise DomainError(f"ba-2motif has graphs 0..{len(graphs) - 1}, not {index}")
        graph = graphs[index]
        return GraphInput(
            graph.data,
            graph.label,
            graph.node_mask,
            graph.edge_mask,
            node_ids=np.arange(graph.num_nodes),
            name=f"ba-2motif:{index}",
        )
    shapes = ba_shapes()
    if index >= shapes.num_nodes:
        raise DomainError(f"ba-shapes has nodes 0..{shapes.num_nodes - 1}, not {index}")
    sub, node_mask, edge_mask, ids = computation_graph(
        shapes.data, shapes.node_mask, shapes.edge_mask, index, NODE_HOPS
    )
    return GraphInput(
        sub,
        int(shapes.labels[index]),
        node_mask,
        edge_mask,
        node_ids=ids,
        name=f"ba-shapes:node:{index}",
        node=0,
        hops=NODE_HOPS,
    )


def class_names(data: str) -> dict[int, str]:
    """Names of the labels of ``data``."""
    return dict(BA2MOTIF_CLASSES if data == "ba-2motif" else BASHAPES_CLASSES)
