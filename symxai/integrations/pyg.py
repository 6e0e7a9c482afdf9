"""symxai as a PyTorch Geometric explainer: :class:`SymbolicExplainer`.

PyG's ``Explainer`` calls an ``ExplainerAlgorithm`` with the model, the graph and the
explained target, and reads node and edge masks from the returned
``torch_geometric.explain.Explanation``. :class:`SymbolicExplainer` fills them from
``symxai.explain(model, data, backend="gnn-lrp", target=...)``:

* ``node_mask`` ``[N, 1]`` (``node_mask_type="object"``): the GNN-LRP relevance of every
  node, the summed relevance of the walks that start there,
  ``R_i = x_i . d f^LRP / d x_i`` (:meth:`symxai.Explanation.feature_relevance`);
* ``edge_mask`` ``[E]`` (``edge_mask_type="object"``): the bond relevance
  ``v({i, j})`` of each edge's endpoints, the relevance of the walks that stay on the
  two atoms (a self-loop ``i -> i`` gets ``v({i})``); one batched value call for all
  distinct endpoint pairs.

Targets follow PyG's ``model_config`` and ``target`` (for ``explanation_type="model"``
PyG sets ``target`` to the model's own prediction):

* ``multiclass_classification``: the output of class ``c = target[row]`` (``row`` 0 for a
  graph-level task, the explained node ``index`` for a node-level task), as the model
  returns it (``raw`` logits, ``log_probs`` or ``probs``);
* ``binary_classification``: a one-output model's output for class 1 and its negation
  for class 0 (the evidence for the predicted class); a two-output model's output ``c``;
* ``regression``: the raw output (one per graph or node).

Masks: ``mask="absolute"`` (default) gives ``|R|``, ``"positive"`` ``max(R, 0)`` and
``"signed"`` ``R``; with ``normalize=True`` (default) each mask is divided by its own
``max |R|``. The default is non-negative and in ``[0, 1]`` because PyG's ``fidelity``
and ``unfaithfulness`` multiply node features by the soft masks ``m`` and ``1 - m``
(which need ``0 <= m <= 1``), and ``get_explanation_subgraph`` keeps what is
``> 0``; ``groundtruth_metrics``' AUROC only ranks the mask, so ``"signed"`` (ranking
evidence for the target above evidence against it) is the choice when comparing with a
ground truth of features that drive the prediction. Node-level tasks explain one node
per call (``index`` a single node).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.explain import Explanation as PyGExplanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.config import MaskType, ModelMode, ModelTaskLevel

from symxai.api import explain
from symxai.backends.lrp import RuleSpec
from symxai.explanation import Explanation

__all__ = ["MASKS", "SymbolicExplainer", "edge_relevance", "mask_values"]

MaskKind = Literal["absolute", "positive", "signed"]
MASKS: tuple[str, ...] = ("absolute", "positive", "signed")
"""How relevance becomes a PyG mask: ``|R|``, ``max(R, 0)`` or ``R``."""

_GRAPH_KEYWORDS = ("edge_attr", "edge_weight", "batch")


def edge_relevance(explanation: Explanation, edge_index: torch.Tensor | np.ndarray) -> np.ndarray:
    """The bond relevance ``v({i, j})`` ``[E]`` of every edge ``(i, j)`` of ``edge_index``
    ``[2, E]`` (``v({i})`` for a self-loop), from one batched value call over the distinct
    unordered endpoint pairs (an undirected edge stored in both directions costs one row)."""
    edges = np.asarray(
        edge_index.detach().cpu().numpy() if isinstance(edge_index, torch.Tensor) else edge_index
    )
    if edges.ndim != 2 or edges.shape[0] != 2:
        raise ValueError(f"edge_index must have shape [2, E], got {edges.shape}")
    if edges.shape[1] == 0:
        return np.zeros(0)
    pairs = np.sort(edges.T, axis=1)
    distinct, position = np.unique(pairs, axis=0, return_inverse=True)
    masks = np.zeros((distinct.shape[0], explanation.n), dtype=bool)
    rows = np.arange(distinct.shape[0])
    masks[rows, distinct[:, 0]] = True
    masks[rows, distinct[:, 1]] = True
    return explanation.values(masks)[position.reshape(-1)]


def mask_values(relevance: np.ndarray, mask: MaskKind, normalize: bool) -> np.ndarray:
    """``relevance`` as mask values: ``|R|``, ``max(R, 0)`` or ``R`` (``mask``), divided by
    their largest magnitude when ``normalize`` (an all-zero relevance stays zero)."""
    if mask not in MASKS:
        raise ValueError(f"mask must be one of {', '.join(MASKS)}, got {mask!r}")
    values = np.asarray(relevance, dtype=np.float64)
    if mask == "absolute":
        values = np.abs(values)
    elif mask == "positive":
        values = np.maximum(values, 0.0)
    if normalize and values.size:
        scale = float(np.abs(values).max())
        if scale > 0:
            values = values / scale
    return values


class SymbolicExplainer(ExplainerAlgorithm):
    """A PyG ``ExplainerAlgorithm`` computing GNN-LRP node and bond relevance with symxai.

    Use it as any PyG algorithm::

        explainer = Explainer(
            model,
            algorithm=SymbolicExplainer(rules={"convs.*": Gamma(0.5), "*": Zero()}),
            explanation_type="model",
            node_mask_type="object",
            edge_mask_type="object",
            model_config=dict(mode="multiclass_classification", task_level="graph",
                              return_type="raw"),
        )
        explanation = explainer(data.x, data.edge_index)

    Supports homogeneous graphs, graph- and node-level tasks, ``explanation_type``
    ``"model"`` and ``"phenomenon"``, ``node_mask_type`` ``"object"`` or ``None`` and
    ``edge_mask_type`` ``"object"`` or ``None``. The masks and targets are described in
    the module docstring; :attr:`last_explanation` keeps the symxai explanation of the
    latest call (for queries beyond the masks).

    Parameters
    ----------
    rules:
        LRP rules of the gnn-lrp backend (default LRP-0).
    mask:
        ``"absolute"`` (default), ``"positive"`` or ``"signed"`` relevance in the masks.
    normalize:
        Divide each mask by its largest magnitude (default ``True``).
    batch_size:
        Graph copies per forward/backward pass of the backend (default: by memory).
    """

    def __init__(
        self,
        *,
        rules: RuleSpec = None,
        mask: MaskKind = "absolute",
        normalize: bool = True,
        batch_size: int | None = None,
    ) -> None:
        super().__init__()
        if mask not in MASKS:
            raise ValueError(f"mask must be one of {', '.join(MASKS)}, got {mask!r}")
        self.rules = rules
        self.mask = mask
        self.normalize = normalize
        self.batch_size = batch_size
        self.last_explanation: Explanation | None = None

    def supports(self) -> bool:
        """Homogeneous graph- or node-level tasks with ``"object"`` masks (or none)."""
        node_mask_type = self.explainer_config.node_mask_type
        edge_mask_type = self.explainer_config.edge_mask_type
        if node_mask_type not in (None, MaskType.object):
            return False
        if edge_mask_type not in (None, MaskType.object):
            return False
        return self.model_config.task_level in (ModelTaskLevel.graph, ModelTaskLevel.node)

    def _class_target(self, target: torch.Tensor, row: int) -> Any:
        """symxai's target for PyG's ``target`` at ``row`` (see the module docstring)."""
        mode = self.model_config.mode
        if mode == ModelMode.regression:
            return None
        flat = target.reshape(target.shape[0], -1) if target.dim() else target.reshape(1, 1)
        if flat.shape[1] != 1:
            raise ValueError(
                f"a {mode.value} target must hold one class per output row, got shape "
                f"{tuple(target.shape)}"
            )
        label = int(flat[row, 0])
        if mode == ModelMode.multiclass_classification:
            return label

        def binary(output: torch.Tensor) -> torch.Tensor:
            columns = output.reshape(output.shape[0], -1)
            if columns.shape[1] == 1:
                return columns[:, 0] if label == 1 else -columns[:, 0]
            return columns[:, label]

        return binary

    def forward(
        self,
        model: torch.nn.Module,
        x: torch.Tensor,
        edge_index: torch.Tensor,
        *,
        target: torch.Tensor,
        index: int | torch.Tensor | None = None,
        **kwargs: Any,
    ) -> PyGExplanation:
        """Node and edge masks of one graph (graph-level) or one node (node-level)."""
        if not isinstance(x, torch.Tensor) or not isinstance(edge_index, torch.Tensor):
            raise ValueError("SymbolicExplainer explains homogeneous graphs (x and edge_index)")
        unknown = sorted(set(kwargs) - set(_GRAPH_KEYWORDS))
        if unknown:
            raise ValueError(
                f"SymbolicExplainer passes only {', '.join(_GRAPH_KEYWORDS)} to the model, "
                f"got {', '.join(unknown)}"
            )
        batch = kwargs.get("batch")
        if batch is not None and batch.numel() and int(batch.max()) > 0:
            raise ValueError("SymbolicExplainer explains one graph per call, got a batch")
        node = self._explained_node(index)
        data = Data(x=x.detach(), edge_index=edge_index, **kwargs)
        row = 0 if node is None else node
        options: dict[str, Any] = {"target": self._class_target(target, row), "rules": self.rules}
        if node is not None:
            options["node"] = node
        explanation = explain(model, data, "gnn-lrp", batch_size=self.batch_size, **options)
        self.last_explanation = explanation
        node_mask = edge_mask = None
        if self.explainer_config.node_mask_type == MaskType.object:
            values = mask_values(explanation.feature_relevance(), self.mask, self.normalize)
            node_mask = torch.as_tensor(values, dtype=x.dtype, device=x.device).reshape(-1, 1)
        if self.explainer_config.edge_mask_type == MaskType.object:
            values = mask_values(edge_relevance(explanation, edge_index), self.mask, self.normalize)
            edge_mask = torch.as_tensor(values, dtype=x.dtype, device=x.device)
        return PyGExplanation(node_mask=node_mask, edge_mask=edge_mask)

    def _explained_node(self, index: int | torch.Tensor | None) -> int | None:
        """The node of a node-level task (one per call), ``None`` for a graph-level one."""
        if self.model_config.task_level == ModelTaskLevel.graph:
            return None
        if index is None:
            raise ValueError("a node-level explanation needs the explained node: pass index=")
        nodes = torch.as_tensor(index).reshape(-1)
        if nodes.numel() != 1:
            raise ValueError(
                f"SymbolicExplainer explains one node per call, got index with {nodes.numel()}"
            )
        return int(nodes[0])

    def __repr__(self) -> str:
        return f"SymbolicExplainer(mask={self.mask!r}, normalize={self.normalize})"
