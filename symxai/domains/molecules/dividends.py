"""Complete GNN-LRP dividends of many molecules at once (data-set query search).

A molecule's complete decomposition needs only its connected coalitions of at most
``T + 1`` atoms (``mu(L) = 0`` for all others; docs/mathematics.md, "Connected
coalitions"): ``∅``, its atoms, its bonds and its connected triples and quadruples for
the 3-layer GIN. :func:`molecule_dividends` lays the coalitions of all molecules out as
one disjoint union of graph copies, several separated coalitions per copy
(:mod:`symxai.backends.packed_coalitions`, passes of at most ``max_nodes`` nodes)
instead of one walk computation per molecule, and inverts each
molecule's values on its connected coalitions
(:class:`~symxai.connected_dividends.ConnectedPlan`). The result equals
``explain_molecule(m, model).dividends()`` (the walk-based exact dividends) up to float
rounding, with the same order (``T + 1``), context and completeness.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from symxai.backends.coalition_graph import CoalitionGraph, non_adjacent_pairs
from symxai.backends.gnn_locality import locality_refusal
from symxai.backends.gnn_lrp import CHECKED_PAIRS, GNNLRPBackend, subgraph_relevance_many
from symxai.backends.lrp import RuleSpec
from symxai.backends.packed_coalitions import packed_subgraph_relevance
from symxai.connected_dividends import ConnectedPlan
from symxai.decomposition import Decomposition
from symxai.domains.molecules.molecule import DEFAULT_RULES, MUTAGEN, NONMUTAGEN, Molecule

__all__ = ["CHECKED_MOLECULES", "molecule_dividends"]

CHECKED_MOLECULES = 16
"""Molecules whose coalitions are also evaluated one per copy, as the numerical check."""


def molecule_dividends(
    molecules: Sequence[Molecule],
    model: torch.nn.Module,
    *,
    target: Any = (MUTAGEN, NONMUTAGEN),
    rules: RuleSpec = DEFAULT_RULES,
    max_nodes: int = 60_000,
    checked_molecules: int = CHECKED_MOLECULES,
) -> list[Decomposition] | None:
    """The complete GNN-LRP decomposition of every molecule, from batched passes.

    The connected coalitions of each molecule are packed several to a graph copy
    (:func:`~symxai.backends.packed_coalitions.packed_subgraph_relevance`). The locality
    they rely on is checked on the model (allow-list,
    :func:`~symxai.backends.gnn_locality.locality_refusal`) and numerically on the first
    ``checked_molecules`` molecules: their coalitions and 8 non-adjacent pairs are also
    evaluated one per copy (:func:`~symxai.backends.gnn_lrp.subgraph_relevance_many`);
    the pairs' dividends must vanish and the packed values must agree. ``None`` when a
    check fails: the caller then explains the molecules one by one (walks). Graph-level
    models only.
    """
    if not molecules:
        return []
    if locality_refusal(model) is not None:
        return None
    graphs = [molecule.to_data() for molecule in molecules]
    backend = GNNLRPBackend(model, graphs[0], target=target, rules=rules)
    layers = backend.num_layers
    plans = []
    for position, graph in enumerate(graphs):
        n = int(graph.num_nodes)
        edges = graph.edge_index.cpu().numpy()
        count = CHECKED_PAIRS if position < checked_molecules else 0
        coalitions = CoalitionGraph(
            n, edges, layers + 1, check_pairs=non_adjacent_pairs(n, edges, count)
        )
        plans.append(ConnectedPlan.build(coalitions, layers + 1))
    packed = packed_subgraph_relevance(
        backend,
        graphs,
        [plan.members for plan in plans],
        [plan.graph.adjacency() for plan in plans],
        max_nodes=max_nodes,
    )
    checked = subgraph_relevance_many(
        model,
        graphs[:checked_molecules],
        [plan.masks for plan in plans[:checked_molecules]],
        target=target,
        rules=rules,
        max_nodes=max_nodes,
    )
    decompositions = []
    for position, (plan, molecule) in enumerate(zip(plans, molecules, strict=True)):
        values = packed[position]
        if position < len(checked):
            unpacked = checked[position]
            listed = unpacked[: plan.members.shape[0]]
            scale = float(np.abs(unpacked).max())
            if np.abs(listed - values).max() > plan.graph.tolerance * scale + 1e-12:
                return None
            values = unpacked
        decomposition = plan.finish(values, molecule.feature_space())
        if decomposition is None:
            return None
        decompositions.append(decomposition)
    return decompositions
