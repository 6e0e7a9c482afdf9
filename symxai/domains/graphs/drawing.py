"""A picture of an explained motif graph: nodes coloured by relevance (matplotlib).

The graph is laid out by networkx's spring layout (seeded, so the same graph is drawn
the same way); each node is filled with symxai's diverging relevance colour
(:mod:`symxai.domains.colours`: blue negative, white 0, red positive, symmetric about
0) and labelled with its name; the planted motif's nodes get a thick black outline and
its edges are drawn thick, so the ground truth and the relevance are seen together; a
node-level target is drawn as a square. Built without pyplot (no window, no global
state); written as SVG (or PNG/PDF by the suffix).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from symxai.domains.colours import colour_scale, relevance_colormap, relevance_colour
from symxai.domains.graphs.graph_input import GraphInput

__all__ = ["draw_graph"]


def draw_graph(
    graph: GraphInput,
    relevance: Sequence[float] | np.ndarray,
    path: str | Path,
    *,
    legend: str = "",
    vmax: float | None = None,
    size: tuple[float, float] = (4.8, 4.0),
) -> Path:
    """Draw ``graph`` with one ``relevance`` per node (module docstring) to ``path``."""
    import networkx as nx

    values = np.asarray(relevance, dtype=np.float64).reshape(-1)
    if values.shape[0] != graph.num_nodes:
        raise ValueError(f"{values.shape[0]} relevances for {graph.num_nodes} nodes")
    pairs, motif_edges = graph.edge_pairs()
    network = nx.Graph()
    network.add_nodes_from(range(graph.num_nodes))
    network.add_edges_from(map(tuple, pairs.tolist()))
    layout = nx.spring_layout(network, seed=0)
    scale = colour_scale(values, vmax)
    figure = Figure(figsize=size)
    axes = figure.add_axes((0.02, 0.02, 0.82, 0.9))
    axes.set_axis_off()
    for (i, j), motif in zip(pairs.tolist(), motif_edges.tolist(), strict=True):
        (x0, y0), (x1, y1) = layout[i], layout[j]
        axes.plot(
            [x0, x1],
            [y0, y1],
            color="#222222" if motif else "#aaaaaa",
            linewidth=2.4 if motif else 0.8,
            zorder=1,
        )
    names = graph.feature_space().names
    for node in range(graph.num_nodes):
        x, y = layout[node]
        axes.scatter(
            [x],
            [y],
            s=260,
            marker="s" if node == graph.node else "o",
            color=[relevance_colour(float(values[node]), scale)],
            edgecolors="#000000" if graph.node_mask[node] else "#888888",
            linewidths=2.0 if graph.node_mask[node] else 0.6,
            zorder=2,
        )
        axes.text(x, y, names[node], fontsize=5, ha="center", va="center", zorder=3)
    mappable = axes.scatter([], [], c=[], cmap=relevance_colormap(), norm=Normalize(-scale, scale))
    figure.colorbar(mappable, cax=figure.add_axes((0.87, 0.15, 0.03, 0.7)), label="relevance")
    axes.set_title(legend or graph.name, fontsize=8)
    path = Path(path)
    figure.savefig(path, format=path.suffix.lstrip(".") or "svg")
    return path
