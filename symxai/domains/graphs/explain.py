"""Explanations of motif-benchmark graphs: :func:`explain_graph`.

``explain_graph(graph)`` is ``symxai.explain(model, graph)`` with the shipped model of
the graph's data set (:func:`~symxai.training.motifs.load_ba2motif_gin` for a BA-2motif
graph, :func:`~symxai.training.motifs.load_bashapes_gin` for a BA-shapes node) and the
graph's defaults (:meth:`~symxai.domains.graphs.GraphInput.backend_options`: the true
class's logit, LRP-gamma rules; for a node, GNN-LRP explains that node's output).

Backends: ``gnn-lrp`` (subgraph relevance ``v(S)``, walks, LRP node relevance) or
``perturbation`` (:class:`~symxai.backends.graph_perturbation.GraphPerturbationBackend`).
For a graph-level output the perturbation removes the nodes outside a coalition with
their edges (``"remove"``) or gives them all-zero features (``"baseline"``); for a
node-level output only the baseline applies (the model is wrapped in
:class:`~symxai.domains.graphs.node_output.TargetNodeOutput`, which needs every copy to
keep its nodes).
"""

from __future__ import annotations

from typing import Any

import torch

from symxai.api import explain
from symxai.backends.graph_perturbation import Perturbation
from symxai.backends.lrp import RuleSpec
from symxai.domains.graphs.graph_input import GraphInput
from symxai.domains.graphs.node_output import TargetNodeOutput
from symxai.domains.graphs.sources import graph_input
from symxai.domains.registry import DomainError
from symxai.explanation import Explanation
from symxai.training.motifs import load_ba2motif_gin, load_bashapes_gin

__all__ = ["BACKENDS", "default_model", "explain_graph"]

BACKENDS: tuple[str, ...] = ("gnn-lrp", "perturbation")


def default_model(graph: GraphInput) -> torch.nn.Module:
    """The shipped model of the graph's data set."""
    return (load_bashapes_gin() if graph.node is not None else load_ba2motif_gin()).model


def _check_model(graph: GraphInput, model: torch.nn.Module) -> None:
    """A graph-level input needs one output row per graph, a node-level one a row per
    node and no more message-passing layers than the computation graph's radius."""
    with torch.no_grad():
        rows = int(model.eval()(graph.data.x, graph.data.edge_index).shape[0])
    node_level = rows == graph.num_nodes and graph.num_nodes > 1
    if graph.node is None and node_level:
        raise DomainError(
            f"{graph.name} is a graph-level input but the model returns one output per "
            "node: use the ba-2motif model"
        )
    if graph.node is not None:
        if not node_level:
            raise DomainError(
                f"{graph.name} is a node of BA-shapes but the model returns {rows} output "
                "row(s), not one per node: use the ba-shapes model"
            )
        layers = getattr(model, "config", {}).get("num_layers")
        if layers is not None and graph.hops is not None and layers > graph.hops:
            raise DomainError(
                f"the model has {layers} message-passing layers; {graph.name}'s computation "
                f"graph has {graph.hops} hops"
            )


def explain_graph(
    graph: GraphInput | str,
    model: torch.nn.Module | None = None,
    *,
    target: Any = None,
    rules: RuleSpec = None,
    batch_size: int | None = None,
    missing: str = "error",
    backend: str = "gnn-lrp",
    perturbation: Perturbation = "remove",
) -> Explanation:
    """Explanation of a BA-2motif graph or a BA-shapes node (module docstring); ``graph``
    is a :class:`GraphInput` or its name (``ba-2motif:17``, ``ba-shapes:node:305``).

    The features are the graph's nodes (``n0 .. n24``; for a node, the nodes of its
    computation graph, the target first), ``motif``/``base`` name the planted motif's
    nodes and the others; ``explanation.metadata["graph"]`` is the input. ``target``
    defaults to the true class, ``rules`` to
    :data:`~symxai.domains.graphs.graph_input.DEFAULT_RULES` (LRP-gamma).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} for graphs: use 'gnn-lrp' or 'perturbation'")
    if isinstance(graph, str):
        graph = graph_input(graph)
    model = default_model(graph) if model is None else model
    _check_model(graph, model)
    explained: torch.nn.Module = model
    if backend == "perturbation":
        if graph.node is not None:
            if perturbation != "baseline":
                raise DomainError(
                    f"{graph.name}: a node's output is explained by perturbation with "
                    "perturbation='baseline' only (removing nodes moves the target)"
                )
            explained = TargetNodeOutput(model, graph.node)
        given = {"target": target, "perturbation": perturbation}
        batch_size = None
    else:
        given = {"target": target, "rules": rules}
    overrides = {key: value for key, value in given.items() if value is not None}
    explanation = explain(
        explained, graph, backend, batch_size=batch_size, missing=missing, **overrides
    )
    explanation.metadata["graph"] = graph
    return explanation
