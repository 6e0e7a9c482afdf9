"""A motif-benchmark graph prepared for :func:`symxai.explain` (a
:class:`~symxai.api.DomainInput`): a whole BA-2motif graph, or the computation graph of
one BA-shapes node.

**Graph level.** The features are the graph's nodes, named ``n0 .. n24``; the explained
output is a graph logit.

**Node level.** A node-level GNN of ``L`` message-passing layers computes node ``t``'s
output from the nodes within ``L`` hops of ``t`` only: ``h_t^{(L)}`` needs
``h_j^{(L-1)}`` of ``t``'s neighbours, which need ``h^{(L-2)}`` of theirs, and so on, so
a node at distance ``d <= L`` contributes through states ``h^{(L-d)}`` whose inputs all
lie within ``L`` hops. The induced subgraph on those nodes (its *computation graph*,
``torch_geometric.utils.k_hop_subgraph``) therefore gives node ``t`` exactly the output
it has in the full graph, and its nodes are the features: named by their index in the
full graph (``n305``), the target first. The explained output is the target's logit
(``node`` is its position, 0).

Every feature carries the label ``part`` (``motif`` for a planted motif's node,
``base`` otherwise), so the query atoms ``motif`` and ``base`` name those nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch_geometric.data import Data

from symxai.backends.lrp import Gamma, Zero
from symxai.data.edges import undirected_pairs
from symxai.features import FeatureSpace

__all__ = ["DEFAULT_RULES", "GraphInput", "computation_graph"]

DEFAULT_RULES: dict[str, Any] = {"convs.*": Gamma(5.0), "*": Zero()}
"""GNN-LRP rules for the motif GINs: LRP-gamma (``gamma = 5``) in the message-passing
blocks, LRP-0 in the head. On the BA-2motif test graphs (shipped GIN, the true class's
logit) it recovers the motif far better than LRP-0: mean per-graph AUC of the node
relevance 0.979 against 0.947, of the bond relevance ``v({i, j})`` 0.960 against 0.693
(gamma 0.5: 0.933 and 0.786; 2: 0.978 and 0.951; 20: 0.980 and 0.961). With the
default target, the logit difference true class - other class: node relevance 0.999,
the walks crossing an edge 0.968, ``v({i, j})`` 0.918."""


@dataclass(eq=False)
class GraphInput:
    """One explained graph (module docstring).

    ``data``: the graph the model gets (PyG ``Data``); ``label``: the true class (of the
    graph, or of the target node); ``node_mask`` ``[n]`` / ``edge_mask`` ``[E]``: the
    planted motif's nodes and directed edges in ``data``; ``node_ids`` ``[n]``: every
    node's index in the data set's graph; ``node``: the target's position for a
    node-level output (``None`` for a graph-level one); ``hops``: the computation graph's
    radius (node level); ``name``: the input as text (``ba-2motif:17``).
    """

    data: Data
    label: int
    node_mask: np.ndarray
    edge_mask: np.ndarray
    node_ids: np.ndarray
    name: str
    node: int | None = None
    hops: int | None = None
    _space: FeatureSpace | None = field(default=None, init=False, repr=False)

    @property
    def num_nodes(self) -> int:
        return int(self.data.num_nodes)

    def model_input(self) -> Data:
        return self.data

    def feature_space(self) -> FeatureSpace:
        """Nodes named ``n<index>``, label column ``part`` (``motif``/``base``)."""
        if self._space is None:
            parts = ["motif" if inside else "base" for inside in self.node_mask]
            self._space = FeatureSpace(
                [f"n{int(i)}" for i in self.node_ids], labels={"part": parts}
            )
        return self._space

    def backend_options(self, backend: str) -> dict[str, Any]:
        """The explained output: for a BA-2motif graph (two classes) the logit
        difference ``f_c - f_other`` of its true class ``c`` (the evidence for ``c``
        against the other class, as for molecules; the true class's logit alone also
        carries evidence common to both classes, and recovers the motif less well), for
        a BA-shapes node its true class's logit; GNN-LRP explains ``node`` with the
        :data:`DEFAULT_RULES`."""
        target: Any = self.label if self.node is not None else (self.label, 1 - self.label)
        options: dict[str, Any] = {"target": target}
        if backend == "gnn-lrp":
            options["rules"] = DEFAULT_RULES
            if self.node is not None:
                options["node"] = self.node
        return options

    def edge_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The undirected edges ``[P, 2]`` (feature indices, ``i < j``) and whether each
        is a motif edge ``[P]``."""
        return undirected_pairs(self.data.edge_index.numpy(), self.edge_mask)


def computation_graph(
    data: Data, node_mask: np.ndarray, edge_mask: np.ndarray, target: int, hops: int
) -> tuple[Data, np.ndarray, np.ndarray, np.ndarray]:
    """The ``hops``-hop computation graph of node ``target`` (module docstring): the
    induced subgraph with the target relabelled to 0 and the other nodes in increasing
    order of their index; returns it with its node mask, edge mask and the nodes'
    indices in ``data``."""
    from torch_geometric.utils import k_hop_subgraph, subgraph

    subset, _, _, _ = k_hop_subgraph(target, hops, data.edge_index, num_nodes=data.num_nodes)
    others = subset[subset != target]
    order = torch.cat([torch.tensor([target]), others])
    _, _, kept_mask = subgraph(
        order, data.edge_index, num_nodes=data.num_nodes, return_edge_mask=True
    )
    relabel = torch.full((int(data.num_nodes),), -1, dtype=torch.long)
    relabel[order] = torch.arange(len(order))
    edge_index = relabel[data.edge_index[:, kept_mask]]
    sub = Data(x=data.x[order], edge_index=edge_index, num_nodes=len(order))
    ids = order.numpy()
    return sub, node_mask[ids], edge_mask[kept_mask.numpy()], ids
