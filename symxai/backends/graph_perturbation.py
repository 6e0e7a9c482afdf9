"""Perturbation backend for PyTorch Geometric graph models (molecules, graphs).

For a graph-level model ``f``, a graph ``G = (x, E)`` and a coalition ``S`` of nodes,

* ``perturbation="remove"`` (default): the nodes outside ``S`` are deleted together with
  their edges, ``v(S) = f(G[S])_target`` with ``G[S]`` the induced subgraph
  (``torch_geometric.utils.subgraph``). ``v(N) = f(G)``; ``v(∅)`` is the model's output on
  the graph with no nodes, whose graph readout (sum, mean or max pooling in PyG) is
  zero: for a GIN with a linear head, ``v(∅)`` is the head's bias.
* ``perturbation="baseline"``: every node and edge stays, the features of the nodes
  outside ``S`` are replaced by a baseline ``b`` (zeros by default),
  ``v(S) = f(x ⊙ m_S + b ⊙ (1 - m_S), E)_target``; ``v(∅) = f(b, E)``.

Batched: ``B`` coalitions become ``B`` graph copies in one disjoint-union PyG batch
(copy ``k`` keeps the nodes of its coalition), evaluated by one forward pass under
``torch.no_grad()``, in passes of at most ``max_nodes`` nodes. Every pass ends with one
extra copy of the whole graph, so that empty copies before it still get their own output
row (PyG's pooling counts graphs as ``batch.max() + 1``); its output is discarded.
"""

from __future__ import annotations

import inspect
from typing import Any, Literal

import numpy as np
import torch

from symxai.backends.base import Backend
from symxai.backends.target import Target, select_target
from symxai.errors import FeatureSpaceError

__all__ = ["GraphPerturbationBackend", "Perturbation", "call_graph_model", "is_graph_input"]

Perturbation = Literal["remove", "baseline"]
"""How a node outside the coalition is perturbed: deleted with its edges, or its features
replaced by the baseline."""

PERTURBATIONS: tuple[str, ...] = ("remove", "baseline")

_GRAPH_ARGUMENTS = ("x", "edge_index", "batch", "edge_attr", "edge_weight", "ptr")


def is_graph_input(inputs: Any) -> bool:
    """A PyG ``Data`` object, or a domain object with ``to_data()`` and ``feature_space()``
    (a :class:`~symxai.domains.molecules.Molecule`)."""
    if hasattr(inputs, "to_data") and hasattr(inputs, "feature_space"):
        return True
    return type(inputs).__module__.startswith("torch_geometric")


def call_graph_model(model: Any, batch: Any) -> Any:
    """``model(batch)`` when the model's ``forward`` takes a ``Data``/``Batch`` object, else
    ``model(x, edge_index, batch=..., ...)`` with the graph arguments it names."""
    parameters = list(inspect.signature(model.forward).parameters.values())
    names = [p.name for p in parameters]
    if names and names[0] not in _GRAPH_ARGUMENTS:
        return model(batch)
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        names = list(_GRAPH_ARGUMENTS)
    return model(
        **{name: batch[name] for name in names if name in _GRAPH_ARGUMENTS and name in batch}
    )


class GraphPerturbationBackend(Backend):
    """``v(S)`` = a graph model's target output on the graph restricted to ``S``.

    Threads: the backend only calls the model's forward (after ``model.eval()`` when it
    is built) and changes nothing on it, so threads sharing one model may use it at once
    as far as the model's own forward allows that.

    Parameters
    ----------
    model:
        A graph-level PyG model (one output row per graph); its ``forward`` takes a
        ``Data``/``Batch`` object or ``(x, edge_index, batch, ...)`` by name.
    inputs:
        One graph (``torch_geometric.data.Data`` with ``x`` and ``edge_index``; an
        ``edge_attr`` is kept with its edges), or a molecule (an object with
        ``to_data()`` and ``feature_space()``; the explanation takes its names from the
        molecule, the backend its graph).
    target:
        See :data:`symxai.backends.perturbation.Target`.
    perturbation:
        ``"remove"`` (delete the node and its edges) or ``"baseline"`` (replace its
        features); see the module docstring.
    baseline:
        For ``perturbation="baseline"``: ``"zeros"``, a number, or a tensor broadcastable
        to ``x`` (``[n, d]`` or ``[d]``).
    max_nodes:
        Most nodes in one forward pass (the number of graph copies per pass follows).
    """

    name = "perturbation"

    def __init__(
        self,
        model: Any,
        inputs: Any,
        *,
        target: Target = None,
        perturbation: Perturbation = "remove",
        baseline: str | float | torch.Tensor = "zeros",
        max_nodes: int = 60_000,
    ) -> None:
        if perturbation not in PERTURBATIONS:
            raise ValueError(
                f"unknown perturbation {perturbation!r}: use 'remove' (delete the node with "
                "its edges) or 'baseline' (replace its features by the baseline)"
            )
        if hasattr(inputs, "to_data") and hasattr(inputs, "feature_space"):
            inputs = inputs.to_data()
        if getattr(inputs, "x", None) is None or getattr(inputs, "edge_index", None) is None:
            raise FeatureSpaceError(
                "graph perturbation needs a graph with node features x and edge_index"
            )
        self.n = int(inputs.x.shape[0])
        if self.n == 0:
            raise FeatureSpaceError("the graph is empty (0 nodes): nothing to explain")
        if max_nodes < 1:
            raise ValueError(f"max_nodes must be positive, got {max_nodes}")
        if isinstance(model, torch.nn.Module):
            model.eval()
        self.model = model
        self.x = inputs.x.detach()
        self.edge_index = inputs.edge_index
        self.edge_attr = getattr(inputs, "edge_attr", None)
        self.target = target
        self.perturbation: Perturbation = perturbation
        self.baseline = self._baseline(baseline) if perturbation == "baseline" else None
        self.copies_per_pass = max(1, max_nodes // self.n - 1)

    def _baseline(self, baseline: str | float | torch.Tensor) -> torch.Tensor:
        if isinstance(baseline, str):
            if baseline != "zeros":
                raise ValueError(
                    f"unknown baseline {baseline!r}: use 'zeros', a number or a tensor"
                )
            return torch.zeros_like(self.x)
        value = torch.as_tensor(baseline, dtype=self.x.dtype, device=self.x.device)
        try:
            return torch.broadcast_to(value, self.x.shape).clone()
        except RuntimeError as error:
            raise FeatureSpaceError(
                f"baseline of shape {tuple(value.shape)} does not broadcast to the node "
                f"features of shape {tuple(self.x.shape)}"
            ) from error

    @property
    def settings(self) -> dict[str, Any]:
        """The user's choices, named in the explanation's metadata."""
        return {"perturbation": self.perturbation}

    def union(self, masks: torch.Tensor) -> Any:
        """The disjoint-union PyG ``Batch`` of one graph copy per coalition mask ``[B, n]``
        (nodes removed or set to the baseline), followed by one copy of the whole graph."""
        from torch_geometric.data import Batch
        from torch_geometric.utils import subgraph

        masks = torch.cat([masks, torch.ones((1, self.n), dtype=torch.bool)])
        copies = masks.shape[0]
        offsets = (torch.arange(copies) * self.n).repeat_interleave(self.edge_index.shape[1])
        edge_index = self.edge_index.repeat(1, copies) + offsets
        edge_attr = None if self.edge_attr is None else self.edge_attr.repeat(copies, 1)
        graph = torch.arange(copies).repeat_interleave(self.n)
        x = self.x.repeat(copies, 1)
        if self.perturbation == "baseline":
            assert self.baseline is not None
            keep = masks.reshape(-1, 1)
            x = torch.where(keep, x, self.baseline.repeat(copies, 1))
        else:
            keep = masks.reshape(-1)
            edge_index, edge_attr = subgraph(
                keep, edge_index, edge_attr, relabel_nodes=True, num_nodes=copies * self.n
            )
            x, graph = x[keep], graph[keep]
        ptr = torch.cat(
            [torch.zeros(1, dtype=torch.long), torch.bincount(graph, minlength=copies).cumsum(0)]
        )
        batch = Batch(x=x, edge_index=edge_index, batch=graph, ptr=ptr)
        if edge_attr is not None:
            batch.edge_attr = edge_attr
        return batch

    def _values(self, masks: torch.Tensor) -> torch.Tensor:
        copies = masks.shape[0] + 1
        output = call_graph_model(self.model, self.union(masks))
        if hasattr(output, "logits"):
            output = output.logits
        if output.shape[0] != copies:
            raise ValueError(
                f"the model returned {tuple(output.shape)} for {copies} graphs: graph "
                "perturbation needs a graph-level model (one output row per graph)"
            )
        return select_target(output, self.target)[:-1]

    @torch.no_grad()
    def value(self, masks: np.ndarray) -> np.ndarray:
        """Values ``[B]`` for coalition masks ``[B, n]``, one forward pass per chunk."""
        masks_t = self.mask_tensor(masks)
        values = [
            self._values(masks_t[start : start + self.copies_per_pass]).double()
            for start in range(0, masks_t.shape[0], self.copies_per_pass)
        ]
        return torch.cat(values).numpy() if values else np.empty(0)

    def prediction(self) -> float:
        """``f(G)`` at the target, ``= v(N)``."""
        return float(self(np.ones((1, self.n), dtype=bool))[0])

    def feature_relevance(self) -> np.ndarray:
        """Occlusion relevance of every node, ``v(N) - v(N \\ {i})`` (one batch of ``n + 1``
        graphs); equal to the harsanyi relevance of the query naming node ``i`` alone."""
        masks = ~np.eye(self.n + 1, self.n, k=-1, dtype=bool)
        values = self(masks)
        return values[0] - values[1:]
