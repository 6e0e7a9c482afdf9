"""Graphs with planted motifs: BA-2motif graphs and BA-shapes nodes, their GINs.

* :mod:`~symxai.domains.graphs.graph_input`: :class:`GraphInput` (a graph or a node's
  computation graph, nodes as features, the motif as ground truth),
  :func:`computation_graph`;
* :mod:`~symxai.domains.graphs.sources`: the data sets and input names
  (``ba-2motif:17``, ``ba-shapes:node:305``), :func:`graph_input`;
* :mod:`~symxai.domains.graphs.explain`: :func:`explain_graph`;
* :mod:`~symxai.domains.graphs.node_output`: :class:`TargetNodeOutput` (a node's output
  as a graph-level model, for perturbation);
* :mod:`~symxai.domains.graphs.drawing`: :func:`draw_graph` (loaded on first use: it
  needs matplotlib and networkx);
* :mod:`~symxai.domains.graphs.domain`: the :class:`GraphDomain` adapter.
"""

from symxai.domains.graphs.explain import explain_graph
from symxai.domains.graphs.graph_input import DEFAULT_RULES, GraphInput, computation_graph
from symxai.domains.graphs.node_output import TargetNodeOutput
from symxai.domains.graphs.sources import NODE_HOPS, graph_input

__all__ = [
    "DEFAULT_RULES",
    "NODE_HOPS",
    "GraphInput",
    "TargetNodeOutput",
    "computation_graph",
    "explain_graph",
    "graph_input",
]
