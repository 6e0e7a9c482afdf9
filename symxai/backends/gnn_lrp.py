"""GNN-LRP for PyTorch Geometric models: subgraph relevance and relevant walks.

GNN-LRP (Schnake et al., TPAMI 2022) explains a graph network's output by the
relevance ``R_W`` of *walks* ``W = (i_0, i_1, ..., i_T)``: node ``i_0`` at the input and
node ``i_t`` after message-passing layer ``t``, each step along an edge or a
self-connection. Its message-passing form (sGNN-LRP, Xiong et al., ICML 2022)
computes sums of walk relevances with ordinary backward passes:

* LRP rules on every linear layer as modified gradients (:mod:`symxai.backends.lrp`),
  so that Input x Gradient is LRP;
* the *masking trick*: after the input and after every message-passing layer ``t`` the
  node states become ``h = m_t h + (1 - m_t) [h]_detached``, so that relevance flows only
  through the nodes with ``m_t = 1`` at layer ``t``; the forward values do not change.

With ``m_t`` one node per layer this gives the relevance of one walk; with
``m_t = 1_S`` at every layer it gives the *subgraph relevance*

.. math::  v(S) = \\sum_{W \\subseteq S} R_W
                = \\sum_{i \\in S} x_i \\cdot \\partial_{x_i} f^{\\text{LRP}}_S,

the relevance of the walks that stay inside ``S``. Its Harsanyi dividends are
``mu(L) = sum of R_W over the walks whose node set is exactly L``.

Many masks are evaluated in one pass: ``B`` copies of the graph form one disjoint-union
PyG batch, copy ``b`` with its own masks, and one backward of the summed targets gives
all ``B`` values (the copies do not interact). Where the model's message-passing layers
accept a sparse adjacency (checked once per backend by comparing outputs), the copies
are joined by a block-diagonal CSR adjacency instead of a batched ``edge_index``
(:mod:`symxai.backends.sparse_copies`): the same sums, several times faster on CPU.
Their backward passes use the transposed adjacency, built once per number of copies
(:mod:`symxai.backends.sparse_backward`), instead of PyTorch forming it in every pass.

Per-node relevance needs no masks. The walks starting at node ``i`` are those allowed by
``m_0 = e_i`` and ``m_t = 1`` for ``t >= 1``; masking only the input leaves the gradient
unchanged at node ``i``, so

.. math::  R_i = \\sum_{W:\\ i_0 = i} R_W = x_i \\cdot \\partial_{x_i} f^{\\text{LRP}},

the ordinary LRP relevance of node ``i``'s input features: one backward pass gives all
``n`` of them (:meth:`GNNLRPBackend.feature_relevance`).

Conservation: ``v(N) = sum_W R_W`` equals the explained output minus what biases and
stabilisers absorb. For LRP-0 (gradient x input) on a piecewise-linear network the
absorbed part is exactly ``sum_b b * df/db`` over all bias terms (Euler's identity for
piecewise-linear functions); with no biases ``v(N) = f(x)``. See
:meth:`GNNLRPBackend.bias_absorption`. Bond features (``GINEConv``), attention
(``GATConv``/``GATv2Conv``, constant or AttnLRP), integer node features through
``nn.Embedding`` encoders and the modules GNN-LRP refuses: :mod:`symxai.backends.lrp.graph_layers`
and :mod:`symxai.backends.lrp.node_embeddings`.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from symxai.backends.base import Backend
from symxai.backends.coalition_graph import CoalitionGraph, non_adjacent_pairs
from symxai.backends.dividends import Dividends
from symxai.backends.gnn_locality import locality_refusal
from symxai.backends.graph_packing import copies_batch, packed_blocks
from symxai.backends.lrp.composite import RuleSpec, lrp_hooks
from symxai.backends.lrp.graph_layers import (
    ATTENTION_RULES,
    attention_layers,
    attention_rule,
    unsupported_module,
)
from symxai.backends.lrp.masking import MaskGradient
from symxai.backends.lrp.node_embeddings import embedding_leaves, has_node_embeddings
from symxai.backends.lrp.thread_hooks import register_thread_hook
from symxai.backends.lrp.walks import Walks
from symxai.backends.sparse_backward import (
    is_plain_product,
    layer_actions,
    transposed_backward,
)
from symxai.backends.sparse_copies import block_diagonal_adjacency
from symxai.backends.target import Target, select_target
from symxai.errors import FeatureSpaceError

__all__ = ["GNNLRPBackend", "ModelCall", "Walks", "copies_per_pass", "subgraph_relevance_many"]

PASS_MEMORY = 128 * 2**20
"""Bytes of node states one forward/backward pass may hold (default batch-size rule)."""

NODE_STATE_TENSORS = 32
"""Node-state tensors a pass keeps alive per layer width: measured 7.3 to 8.9 kB per node
for the hidden-64 Mutagenicity GIN with LRP-gamma, i.e. about 32 float32 tensors."""

MAX_COPIES = 512
"""Most graph copies in one pass (small graphs)."""

CHECKED_PAIRS = 8
"""Non-adjacent node pairs whose dividend is checked to be 0 with connected dividends."""


def copies_per_pass(num_nodes: int, width: int, memory: int = PASS_MEMORY) -> int:
    """Graph copies per pass so that a pass holds about ``memory`` bytes of node states.

    A pass over ``B`` copies of an ``n``-node graph keeps about
    ``B n width 4 NODE_STATE_TENSORS`` bytes (float32 node states of the widest layer,
    their LRP-modified copies and autograd's saved tensors), so
    ``B = memory // (n width 4 NODE_STATE_TENSORS)``, between 1 and :data:`MAX_COPIES`.
    A fixed number of copies made passes over large molecules grow without bound (512
    copies of a 417-atom molecule hold 1.6 GB and ran 2.5 times slower per coalition
    than passes of 16 copies on a 2-core machine).
    """
    per_copy = max(1, num_nodes) * max(1, width) * 4 * NODE_STATE_TENSORS
    return int(min(MAX_COPIES, max(1, memory // per_copy)))


_GRAPH_ARGUMENTS = ("x", "edge_index", "batch", "edge_attr", "edge_weight", "ptr")


def _message_passing_layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The outermost ``MessagePassing`` modules of ``model`` (nested ones are internal)."""
    from torch_geometric.nn import MessagePassing

    outer: list[torch.nn.Module] = []
    for _, module in model.named_modules():
        if isinstance(module, MessagePassing) and not any(
            module in set(parent.modules()) for parent in outer
        ):
            outer.append(module)
    return outer


@dataclass
class _LayerCalls:
    """How many message-passing layer calls one pass has made so far."""

    count: int = 0


class ModelCall:
    """Calls a PyG model either as ``model(batch)`` or ``model(x, edge_index, batch=...)``,
    depending on its ``forward`` signature."""

    def __init__(self, model: torch.nn.Module) -> None:
        self.model = model
        parameters = list(inspect.signature(model.forward).parameters.values())
        names = [p.name for p in parameters]
        self.takes_data = bool(names) and names[0] not in _GRAPH_ARGUMENTS
        self.names = [name for name in names if name in _GRAPH_ARGUMENTS]
        self.accepts_kwargs = any(p.kind is p.VAR_KEYWORD for p in parameters)

    def __call__(self, data: Any) -> torch.Tensor:
        # The block-diagonal adjacency is built valid; PyG's layers derive further sparse
        # tensors from it (GCN normalisation), for which invariant checks are opted out.
        with torch.sparse.check_sparse_tensor_invariants(enable=False):
            if self.takes_data:
                return self.model(data)
            keys = self.names if not self.accepts_kwargs else list(_GRAPH_ARGUMENTS)
            kwargs = {name: data[name] for name in keys if name in data}
            return self.model(**kwargs)


class GNNLRPBackend(Backend):
    """Subgraph relevance ``v(S)`` and relevant walks of a PyG model on one graph.

    Threads: passes may run at once in several threads on one shared model; see
    :mod:`symxai.backends.lrp.thread_hooks` for what is guaranteed.

    Parameters
    ----------
    model:
        A PyG model built from ``torch_geometric.nn`` layers, used as is (``eval()``
        mode is set). Its ``forward`` takes a ``Data``/``Batch`` object or
        ``(x, edge_index, batch, ...)`` by name.
    data:
        One graph (``torch_geometric.data.Data``) with float node features ``x``, or
        integer ones (OGB-style ``from_smiles`` features) that the model encodes with
        ``nn.Embedding`` modules: the input relevance is then taken at their outputs
        (:mod:`symxai.backends.lrp.node_embeddings`).
    target:
        Output index, ``(i, j)`` for a logit difference, a function of the output, or
        ``None`` for one output per graph (or node).
    node:
        For node-level models: the node whose output is explained. Walks then end at it.
    rules:
        LRP rule(s) for the linear layers (see :mod:`symxai.backends.lrp.composite`);
        default LRP-0, e.g. ``{"convs.0.*": Gamma(0.3), "*": Epsilon(1e-6)}``.
    batch_size:
        Graph copies per forward/backward pass; ``None`` (default) chooses them by
        memory (:func:`copies_per_pass` of the graph size and the widest layer).
    sparse_adjacency:
        Join the graph copies of a pass by a block-diagonal sparse adjacency instead of a
        batched ``edge_index``. ``None`` (default): when every message-passing layer
        implements ``message_and_aggregate``, the graph has no edge features and the
        model's output on the sparse adjacency equals its output on ``edge_index``.
    attention:
        ``"constant"`` (default): the attention coefficients of ``GATConv``/``GATv2Conv``
        are held constant; ``"attnlrp"``: AttnLRP's softmax and uniform product rules
        (:mod:`symxai.backends.lrp.graph_layers`, also for the other layers' maths).

    Raises :class:`~symxai.errors.FeatureSpaceError` naming the module, before any pass,
    for a model with a module GNN-LRP cannot explain (a GRU readout, ``Set2Set``, ...;
    :func:`~symxai.backends.lrp.graph_layers.unsupported_module`).
    """

    name = "gnn-lrp"

    def __init__(
        self,
        model: torch.nn.Module,
        data: Any,
        *,
        target: Target = None,
        node: int | None = None,
        rules: RuleSpec = None,
        batch_size: int | None = None,
        sparse_adjacency: bool | None = None,
        attention: str = "constant",
    ) -> None:
        refusal = unsupported_module(model)
        if refusal is not None:
            raise FeatureSpaceError(refusal)
        if getattr(data, "x", None) is None or getattr(data, "edge_index", None) is None:
            raise FeatureSpaceError("GNN-LRP needs a graph with node features x and edge_index")
        self.n = int(data.num_nodes or 0)
        if self.n == 0 or data.x.shape[0] == 0:
            raise FeatureSpaceError("the graph is empty (0 nodes): nothing to explain")
        self.embedded = not data.x.dtype.is_floating_point
        if self.embedded and not has_node_embeddings(model):
            raise FeatureSpaceError(
                f"node features x must be floating point for LRP, got {data.x.dtype} and a "
                "model without torch.nn.Embedding encoders to take the relevance at"
            )
        self.dtype = data.x.dtype if not self.embedded else _float_dtype(model)
        if node is not None and not 0 <= node < self.n:
            raise FeatureSpaceError(f"node {node} is out of range 0..{self.n - 1}")
        self.model = model.eval()
        self.data = data.detach() if hasattr(data, "detach") else data
        self.target = target
        self.node = node
        self.rules = rules
        self.attention = attention
        if attention not in ATTENTION_RULES:
            raise ValueError(f"attention must be one of {ATTENTION_RULES}, got {attention!r}")
        self._attention_layers = attention_layers(model)
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        widths = [int(data.x.shape[1])] + [
            int(module.out_features)
            for module in model.modules()
            if isinstance(module, torch.nn.Linear)
        ]
        self.batch_size = batch_size or copies_per_pass(self.n, max(widths))
        self._call = ModelCall(model)
        self._layers = _message_passing_layers(model)
        if not self._layers:
            raise FeatureSpaceError(
                f"{type(model).__name__} has no torch_geometric MessagePassing layer: use the "
                "perturbation backend for models that are not graph networks"
            )
        self._batches: dict[int, Any] = {}
        self._transposed: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        self._graph_of_node: dict[int, torch.Tensor] = {}
        self._product_layers: list[torch.nn.Module] = []
        self.sparse_adjacency = False
        self._unused_output: Any = None
        self.num_layers = self._count_layer_calls()
        dense_output = self._unused_output
        if sparse_adjacency is None:
            sparse_adjacency = self._sparse_adjacency_agrees()
        elif sparse_adjacency:
            self._unused_output = None
        self.sparse_adjacency = bool(sparse_adjacency)
        if not self.sparse_adjacency:
            self._unused_output = dense_output
        self._batches.clear()
        self._transposed.clear()
        if self.sparse_adjacency:
            self._product_layers = self._plain_product_layers()

    @property
    def settings(self) -> dict[str, Any]:
        """The user's choices, named in the explanation's metadata: the attention rule,
        for models with attention layers."""
        return {"attention": self.attention} if self._attention_layers else {}

    # ----------------------------------------------------------- plumbing
    def _batched(self, copies: int) -> Any:
        """``copies`` copies of the graph as one PyG batch (cached per size), joined by a
        block-diagonal sparse adjacency when :attr:`sparse_adjacency` is set."""
        if copies not in self._batches:
            from torch_geometric.data import Batch

            batch = Batch.from_data_list([self.data] * copies)
            if self.sparse_adjacency:
                batch.edge_index = block_diagonal_adjacency(
                    self.data.edge_index, self.n, copies, self.dtype
                ).to(self.data.x.device)
                transposed = block_diagonal_adjacency(
                    self.data.edge_index.flip(0), self.n, copies, self.dtype
                ).to(self.data.x.device)
                self._transposed[copies] = (batch.edge_index, transposed)
            self._batches[copies] = batch
        return self._batches[copies]

    def _plain_product_layers(self) -> list[torch.nn.Module]:
        """The message-passing layers whose fused output on the sparse adjacency is exactly
        ``A_t X`` (checked on one copy of the graph): their backward may use the stored
        transposed adjacency (:mod:`symxai.backends.sparse_backward`)."""
        plain: dict[torch.nn.Module, bool] = {}
        batch = self._batched(1)

        def record(layer: torch.nn.Module, arguments: Any, output: Any) -> None:
            product = arguments[0] is batch.edge_index and is_plain_product(
                layer, arguments, output
            )
            plain[layer] = plain.get(layer, True) and product

        fused = [layer for layer in self._layers if getattr(layer, "fuse", False)]
        with torch.no_grad(), layer_actions(dict.fromkeys(fused, record)):
            self._call(batch)
        return [layer for layer in self._layers if plain.get(layer, False)]

    def _sparse_backward(self, batch: Any, copies: int) -> contextlib.AbstractContextManager:
        """Backward through the stored transposed adjacency when ``batch`` is this
        backend's ``copies`` graph copies on the sparse adjacency; else nothing."""
        stored = self._transposed.get(copies)
        if not self._product_layers or stored is None or stored[0] is not batch.edge_index:
            return contextlib.nullcontext()
        return transposed_backward(self._product_layers, *stored)

    def _sparse_adjacency_agrees(self) -> bool:
        """Whether the model may take the sparse adjacency: every message-passing layer
        fuses message and aggregation, the graph has no edge features, and the output of
        one copy on the sparse adjacency equals the output on ``edge_index``."""
        if not all(getattr(layer, "fuse", False) for layer in self._layers):
            return False
        edge_keys = [key for key, _ in self.data if self.data.is_edge_attr(key)]
        if any(key != "edge_index" for key in edge_keys):
            return False
        with torch.no_grad():
            reference = self._unused_output
            if reference is None:
                reference = self._call(self._batched(1))
            self._unused_output = None
            if hasattr(reference, "logits"):
                reference = reference.logits
            self._batches.clear()
            self.sparse_adjacency = True
            try:
                with self._masking(None) as calls:
                    output = self._call(self._batched(1))
            except (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError):
                return False
            finally:
                self.sparse_adjacency = False
                self._batches.clear()
        self._unused_output = output
        if hasattr(output, "logits"):
            output = output.logits
        if calls.count != self.num_layers or not isinstance(output, torch.Tensor):
            return False
        if output.shape != reference.shape:
            return False
        scale = float(reference.abs().max()) if reference.numel() else 0.0
        return bool(torch.allclose(output, reference, rtol=1e-4, atol=1e-6 * max(1.0, scale)))

    @contextlib.contextmanager
    def _masking(self, masks: torch.Tensor | None) -> Iterator[_LayerCalls]:
        """Forward hooks, acting in this thread only, that apply
        ``h = m h + (1 - m) [h]_detached`` after every message-passing layer call, with
        ``masks[t]`` for the ``t``-th call (``None``: only count the calls). Yields the
        count of this pass's layer calls."""
        calls = _LayerCalls()

        def hook(module: torch.nn.Module, args: Any, output: Any) -> Any:
            calls.count += 1
            if masks is None:
                return output
            if not isinstance(output, torch.Tensor):
                raise TypeError(
                    f"{type(module).__name__} returned {type(output).__name__}; GNN-LRP masks "
                    "node-state tensors"
                )
            if calls.count >= masks.shape[0]:
                raise RuntimeError(
                    "the model called its message-passing layers more often than when probed"
                )
            return MaskGradient.apply(output, masks[calls.count].to(output.dtype))

        handles = [register_thread_hook(layer, hook) for layer in self._layers]
        try:
            yield calls
        finally:
            for handle in handles:
                handle.remove()

    def _count_layer_calls(self) -> int:
        """The message-passing layer calls of one plain forward pass; its output is kept
        as :attr:`_unused_output` (see :meth:`prediction`)."""
        with torch.no_grad(), self._masking(None) as calls:
            self._unused_output = self._call(self._batched(1))
        return calls.count

    def _select(self, output: Any, copies: int) -> torch.Tensor:
        if hasattr(output, "logits"):
            output = output.logits
        if self.node is not None:
            if output.shape[0] != copies * self.n:
                raise ValueError(
                    f"node={self.node} needs node-level outputs [{copies * self.n}, ...], "
                    f"the model returned {tuple(output.shape)}"
                )
            output = output.reshape(copies, self.n, *output.shape[1:])[:, self.node]
        elif output.shape[0] != copies:
            raise ValueError(
                f"the model returned {tuple(output.shape)} for {copies} graphs: pass node=<index> "
                "to explain a node-level output"
            )
        return select_target(output, self.target)

    # ------------------------------------------------------------ relevance
    def layer_relevance(self, layer_masks: np.ndarray) -> np.ndarray:
        """Relevance ``[B]`` of the walks allowed by per-layer node masks ``[B, T+1, n]``:
        walk ``(i_0..i_T)`` counts in row ``b`` iff ``layer_masks[b, t, i_t]`` for all ``t``."""
        layer_masks = np.asarray(layer_masks, dtype=bool)
        expected = (self.num_layers + 1, self.n)
        if layer_masks.ndim != 3 or layer_masks.shape[1:] != expected:
            raise FeatureSpaceError(
                f"layer masks must have shape [B, {expected[0]}, {expected[1]}], "
                f"got {layer_masks.shape}"
            )
        values = []
        for start in range(0, layer_masks.shape[0], self.batch_size):
            values.append(self._relevance_chunk(layer_masks[start : start + self.batch_size]))
        return np.concatenate(values) if values else np.empty(0)

    def _relevance_chunk(self, layer_masks: np.ndarray) -> np.ndarray:
        copies = layer_masks.shape[0]
        masks = torch.as_tensor(layer_masks).permute(1, 0, 2)
        masks = masks.reshape(self.num_layers + 1, copies * self.n, 1)
        graph_of_node = torch.arange(copies).repeat_interleave(self.n)
        return self.masked_pass(self._batched(copies), masks, graph_of_node, copies)

    def masked_pass(
        self,
        batch: Any,
        node_masks: torch.Tensor,
        graph_of_node: torch.Tensor,
        copies: int,
    ) -> np.ndarray:
        """One forward/backward pass over a PyG batch of ``copies`` graphs.

        ``node_masks`` ``[T+1, N, 1]`` holds the mask ``m_t`` of every node of the batch
        at every layer; ``graph_of_node`` ``[N]`` says to which output row each node
        belongs. Returns the relevance ``sum_i x_i * d f^LRP / d x_i`` of every graph,
        the walk relevance allowed by the masks. The graphs may differ from
        ``self.data`` (:func:`subgraph_relevance_many` batches many molecules); they
        must fit the same model.
        """
        per_node = self._node_relevance(batch, node_masks, copies)
        totals = torch.zeros(copies, dtype=per_node.dtype, device=per_node.device)
        totals.index_add_(0, graph_of_node.to(per_node.device), per_node)
        return totals.detach().double().cpu().numpy()

    def masked_node_relevance(
        self, batch: Any, node_masks: torch.Tensor, copies: int
    ) -> np.ndarray:
        """Per node of the batch ``[N]``: ``x_i * d f^LRP / d x_i`` under ``node_masks`` (as in
        :meth:`masked_pass`, before the sum per graph): the relevance of the allowed
        walks starting at node ``i``."""
        return self._node_relevance(batch, node_masks, copies).double().cpu().numpy()

    def _node_relevance(
        self, batch: Any, node_masks: torch.Tensor | None, copies: int
    ) -> torch.Tensor:
        """``[N]``: ``x_i * d f^LRP / d x_i`` summed over the features of every node of the
        batch, in one forward and one backward pass (``node_masks`` as in
        :meth:`masked_pass`; ``None``: no masks, every walk counts)."""
        x = batch.x
        batch = copy.copy(batch)
        if node_masks is not None:
            node_masks = node_masks.to(device=x.device, dtype=self.dtype)
        inputs: contextlib.AbstractContextManager[list[torch.Tensor]]
        if self.embedded:
            mask = None if node_masks is None else node_masks[0]
            inputs = embedding_leaves(self.model, x, mask)
        else:
            leaf = x.detach().clone().requires_grad_(True)
            batch.x = leaf if node_masks is None else MaskGradient.apply(leaf, node_masks[0])
            inputs = contextlib.nullcontext([leaf])
        with (
            torch.enable_grad(),
            inputs as leaves,
            lrp_hooks(self.model, self.rules),
            attention_rule(self._attention_layers, self.attention),
            self._masking(node_masks),
            self._sparse_backward(batch, copies),
        ):
            selected = self._select(self._call(batch), copies)
        relevance = torch.zeros(x.shape[0], dtype=self.dtype, device=x.device)
        if self.embedded and not leaves:
            raise FeatureSpaceError(
                "integer node features x, but no torch.nn.Embedding of the model took a "
                "column of x and returned node states [N, d]: encode x with embeddings, or "
                "pass float features"
            )
        gradients = torch.autograd.grad(selected.sum(), leaves, allow_unused=True)
        for leaf, gradient in zip(leaves, gradients, strict=True):
            if gradient is not None:
                relevance = relevance + (leaf * gradient).sum(dim=-1).to(self.dtype)
        return relevance.detach()

    def value(self, masks: np.ndarray) -> np.ndarray:
        """Subgraph relevance ``v(S)`` for coalition masks ``[B, n]`` (one mask, every layer)."""
        masks = np.asarray(masks, dtype=bool)
        if masks.ndim != 2 or masks.shape[1] != self.n:
            layer_masks = np.repeat(masks[:, None, :], self.num_layers + 1, axis=1)
            return self.layer_relevance(layer_masks)
        values = []
        for start in range(0, masks.shape[0], self.batch_size):
            chunk = masks[start : start + self.batch_size]
            copies = chunk.shape[0]
            node_masks = torch.as_tensor(chunk.reshape(-1, 1)).expand(self.num_layers + 1, -1, 1)
            graph_of_node = self._graph_of_node.get(copies)
            if graph_of_node is None:
                graph_of_node = torch.arange(copies).repeat_interleave(self.n)
                self._graph_of_node[copies] = graph_of_node
            values.append(
                self.masked_pass(self._batched(copies), node_masks, graph_of_node, copies)
            )
        return np.concatenate(values) if values else np.empty(0)

    def prediction(self) -> float:
        """The explained output ``f(x)`` at the target (plain forward, no hooks). The
        first call reuses the output of the construction's last plain forward pass on the
        same graph batch (the layer count's, or the sparse-adjacency check's when that
        path is taken): the same operations, so the same number, one pass fewer."""
        output, self._unused_output = self._unused_output, None
        with torch.no_grad():
            if output is None:
                output = self._call(self._batched(1))
            return float(self._select(output, 1)[0])

    def feature_relevance(self) -> np.ndarray:
        """LRP relevance ``R_i`` ``[n]`` of every input node: the summed relevance of the
        walks starting there, ``x_i * d f^LRP / d x_i`` (see the module docstring), from
        one unmasked forward and backward pass; ``sum_i R_i = v(N)``."""
        relevance = self._node_relevance(self._batched(1), None, 1)
        return relevance.double().cpu().numpy()

    def bias_absorption(self) -> float:
        """``f(x) - v(N)``: the part of the output that biases and stabilisers absorb."""
        return self.prediction() - float(self(np.ones((1, self.n), dtype=bool))[0])

    def exact_dividends(self, max_walks: int = 100_000) -> Dividends | None:
        """The exact Harsanyi dividends from all relevant walks, or ``None`` when the graph
        has more than ``max_walks`` walks."""
        if self.count_walks() > max_walks:
            return None
        return self.walks(max_walks=max_walks).dividends()

    def coalition_graph(self) -> CoalitionGraph | None:
        """The graph of ``edge_index``: every dividend is 0 unless its coalition is connected
        there and has at most ``num_layers + 1`` nodes (walks, see
        :mod:`symxai.backends.gnn_locality`); ``None`` when a module of the model is not
        known to keep that rule (:func:`~symxai.backends.gnn_locality.locality_refusal`).
        Eight non-adjacent pairs are checked numerically with the coalitions."""
        if locality_refusal(self.model) is not None:
            return None
        edges = self.data.edge_index.cpu().numpy()
        pairs = non_adjacent_pairs(self.n, edges, CHECKED_PAIRS)
        return CoalitionGraph(self.n, edges, self.num_layers + 1, check_pairs=pairs)

    # ---------------------------------------------------------------- walks
    def _successors(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR arrays (``indptr``, ``targets``) of the steps a walk may take: along an edge
        ``source -> target`` of ``edge_index`` or staying at the node."""
        edges = self.data.edge_index.cpu().numpy()
        loops = np.arange(self.n)
        sources = np.concatenate([edges[0], loops])
        targets = np.concatenate([edges[1], loops])
        pairs = np.unique(np.stack([sources, targets], axis=1), axis=0)
        indptr = np.searchsorted(pairs[:, 0], np.arange(self.n + 1))
        return indptr, pairs[:, 1]

    def exact_cost(self) -> int:
        """The number of walks the exact dividends sum (:meth:`count_walks`)."""
        return self.count_walks()

    def count_walks(self) -> int:
        """Number of walks ``(i_0, ..., i_T)`` (ending at ``node`` for node-level targets)."""
        indptr, targets = self._successors()
        counts = np.ones(self.n, dtype=np.float64)
        for _ in range(self.num_layers):
            incoming = np.zeros(self.n)
            np.add.at(incoming, targets, np.repeat(counts, np.diff(indptr)))
            counts = incoming
        return int(counts[self.node] if self.node is not None else counts.sum())

    def _extend(self, walks: np.ndarray, indptr: np.ndarray, targets: np.ndarray) -> np.ndarray:
        last = walks[:, -1]
        counts = indptr[last + 1] - indptr[last]
        starts = np.repeat(indptr[last], counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        steps = targets[starts + offsets, None]
        return np.concatenate([np.repeat(walks, counts, axis=0), steps], axis=1)

    def _walk_masks(self, walks: np.ndarray) -> np.ndarray:
        """Layer masks selecting exactly each walk prefix (layers past its end: all nodes)."""
        count, length = walks.shape
        masks = np.ones((count, self.num_layers + 1, self.n), dtype=bool)
        masks[:, :length, :] = False
        rows = np.repeat(np.arange(count), length)
        layers = np.tile(np.arange(length), count)
        masks[rows, layers, walks.reshape(-1)] = True
        return masks

    def walks(
        self,
        top: int | None = None,
        *,
        max_walks: int = 100_000,
        beam_width: int = 256,
    ) -> Walks:
        """Relevant walks.

        All walks (``exact``) when there are at most ``max_walks``; otherwise a beam
        search keeps, layer by layer, the ``beam_width`` walk prefixes whose completions
        carry the largest absolute relevance (an approximation, as in Xiong et al.), and
        returns its ``top`` best walks.
        """
        indptr, targets = self._successors()
        total = self.count_walks()
        if total <= max_walks:
            walks = np.arange(self.n)[:, None]
            for _ in range(self.num_layers):
                walks = self._extend(walks, indptr, targets)
            if self.node is not None:
                walks = walks[walks[:, -1] == self.node]
            relevance = self.layer_relevance(self._walk_masks(walks))
            result = Walks(walks, relevance, self.n, exact=True)
        else:
            walks = np.arange(self.n)[:, None]
            while True:
                scores = self.layer_relevance(self._walk_masks(walks))
                keep = np.argsort(-np.abs(scores), kind="stable")[:beam_width]
                walks, scores = walks[keep], scores[keep]
                if walks.shape[1] == self.num_layers + 1:
                    break
                walks = self._extend(walks, indptr, targets)
            if self.node is not None:
                walks, scores = walks[walks[:, -1] == self.node], scores[walks[:, -1] == self.node]
            result = Walks(walks, scores, self.n, exact=False)
        if top is not None:
            order = np.argsort(-np.abs(result.relevance), kind="stable")[:top]
            result = Walks(result.nodes[order], result.relevance[order], self.n, result.exact)
        return result


def accepts_graph(model: Any, inputs: Any) -> bool:
    """Whether ``explain(model, inputs)`` should use GNN-LRP: a PyG graph and a model with
    message-passing layers and no module GNN-LRP refuses (``auto`` then falls back to
    the perturbation backend)."""
    if not type(inputs).__module__.startswith("torch_geometric"):
        return False
    if not isinstance(model, torch.nn.Module) or unsupported_module(model) is not None:
        return False
    return bool(_message_passing_layers(model))


def _float_dtype(model: torch.nn.Module) -> torch.dtype:
    """The floating-point dtype of ``model``'s parameters (float32 when it has none)."""
    for parameter in model.parameters():
        if parameter.dtype.is_floating_point:
            return parameter.dtype
    return torch.float32


def subgraph_relevance_many(
    model: torch.nn.Module,
    graphs: Sequence[Any],
    masks: Sequence[np.ndarray],
    *,
    target: Target = None,
    rules: RuleSpec = None,
    max_nodes: int = 60_000,
) -> list[np.ndarray]:
    """Subgraph relevance ``v_g(S)`` of many coalitions of many graphs, in few passes.

    ``masks[g]`` is a bool array ``[B_g, n_g]`` of coalitions of graph ``g``; the result
    holds ``[B_g]`` values per graph, each equal to ``GNNLRPBackend(model, graphs[g])(masks[g])``.
    All coalitions of all graphs are laid out as one disjoint union of graph copies and
    evaluated in passes of at most ``max_nodes`` nodes (one forward and one backward
    each), so a batch report over thousands of molecules costs a few dozen passes
    instead of one per molecule. Graph-level models only.
    """
    if len(graphs) != len(masks):
        raise ValueError(f"{len(graphs)} graphs but {len(masks)} mask arrays")
    if not graphs:
        return []
    probe = GNNLRPBackend(model, graphs[0], target=target, rules=rules)
    layers = probe.num_layers + 1
    checked = []
    for index, (graph, mask) in enumerate(zip(graphs, masks, strict=True)):
        mask = np.asarray(mask, dtype=bool)
        n = int(graph.num_nodes)
        if mask.ndim != 2 or mask.shape[1] != n:
            raise FeatureSpaceError(
                f"masks of graph {index} must have shape [B, {n}], got {mask.shape}"
            )
        checked.append(mask)
    results: list[list[np.ndarray]] = [[] for _ in graphs]
    for group in packed_blocks(enumerate(checked), max_nodes):
        batch, copies = copies_batch(graphs, group)
        flat = torch.from_numpy(np.concatenate([rows.reshape(-1) for _, rows in group]))
        values = probe.masked_pass(
            batch, flat[None, :, None].expand(layers, -1, 1), batch.batch, copies
        )
        start = 0
        for index, rows in group:
            results[index].append(values[start : start + rows.shape[0]])
            start += rows.shape[0]
    return [np.concatenate(parts) if parts else np.empty(0) for parts in results]
