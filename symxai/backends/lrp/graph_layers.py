"""GNN-LRP through the PyG layers users train on molecules, and the layers it refuses.

GNN-LRP (:mod:`symxai.backends.gnn_lrp`) is Input x Gradient of a network whose linear
layers compute LRP-modified gradients (:mod:`symxai.backends.lrp.composite`). What a
message-passing layer contributes is fixed by which of its quantities depend on the node
states ``h`` (and carry relevance) and which are constants of the graph:

* ``GINEConv``: ``h'_i = nn((1 + eps) h_i + sum_{j in N(i)} ReLU(h_j + W_e e_ij))``. The
  bond features ``e_ij`` (and a bond encoder of ``nn.Embedding``\\ s that produced them)
  are constants of the message, like the interatomic distances of SchNet: they are not
  features being explained. ``W_e e_ij`` enters the message as a bias does, so its share
  of the output is absorbed. Exactly: with LRP-0 on a network of linear maps and ReLUs,
  ``f`` is positively homogeneous of degree 1 in ``(x, biases, edge_attr)`` jointly,
  and Euler's identity gives

  .. math:: f(x) = v(N) + \\sum_b b\\, \\partial_b f
                   + \\sum_{ij,c} e_{ij,c}\\, \\partial_{e_{ij,c}} f,

  so with zero biases ``v(N) + sum e * df/de == f(x)``: the bond features absorb
  ``sum e * df/de`` (for bond *embeddings* the same sum over the embedding outputs).
* ``GCNConv``: ``h' = D^{-1/2} (A + I) D^{-1/2} h W``; the normalisation coefficients
  depend only on ``edge_index`` (and ``edge_weight``): constants. Conservative.
* ``GraphConv`` (``W_1 h_i + W_2 sum_j h_j``) and ``SAGEConv`` (``W_1 h_i + W_2
  mean_j h_j``: the mean is linear, ``1/deg(i)`` a constant): conservative.
* ``GATConv`` / ``GATv2Conv``: ``h'_i = sum_j alpha_ij W h_j`` with
  ``alpha_ij = softmax_j(e_ij)``, ``e_ij`` a LeakyReLU of linear maps of ``h_i, h_j``
  (and of the bond features). Two attention rules, as for transformers
  (:mod:`symxai.backends.transformer_lrp`):

  - ``"constant"`` (default): ``alpha`` is held constant (its gradient is cut where the
    layer's ``edge_update`` returns it), so relevance flows through the values
    ``W h_j`` only and the layer is linear in ``h``: conservative, ``v(N) = f(x)`` with
    zero biases. Walks still follow only the edges (``alpha`` weights them).
  - ``"attnlrp"``: AttnLRP (Achtibat et al., ICML 2024). The gradient passes through the
    softmax at the forward point (its rule is Input x Gradient, a Taylor expansion
    with a bias term), and the product ``alpha_ij * W h_j`` gives each operand half of
    its relevance (uniform rule). The softmax's bias term absorbs relevance: with
    ``g_ij = d f^LRP / d alpha_ij`` the modified gradient reaching ``alpha`` (per head),
    ``R(alpha) = sum alpha g`` and ``R(e) = sum e d f^LRP / d e`` over the softmax
    inputs, and per destination ``i``

    .. math:: R(\\alpha_i) - R(e_i) = \\sum_j \\alpha_{ij} g_{ij}
              (1 - e_{ij} + \\bar e_i), \\qquad \\bar e_i = \\sum_k \\alpha_{ik} e_{ik},

    so with zero biases ``v(N) = f(x) - sum_{layers, heads, i} (R(alpha_i) - R(e_i))``.
    Bond features in the logits (``edge_dim``) are constants added to them, a bias:
    their share ``sum eps d f^LRP / d eps`` (``eps`` the bond part of the logits before
    the LeakyReLU) is absorbed as well, and is subtracted from the right-hand side.
    The attention logits then carry relevance to the nodes they read (source and
    destination), which is what "relevance through the attention" means for a GAT.
    ``alpha_ij`` depends only on the states of ``i`` and of its neighbours (the
    softmax's normaliser), so this relevance too moves along edges: walks, subgraph
    relevance and connected-coalition dividends keep their meaning.

Unsupported (:func:`unsupported_module`): recurrent modules (``torch.nn.RNN/GRU/LSTM``
and their cells, PyG's ``GRUAggregation``, ``LSTMAggregation``, ``Set2Set``, and
``GatedGraphConv`` through its ``GRUCell``), whose gates multiply states by sigmoid
functions of the states and have no LRP rule here; global attention over nodes
(``torch.nn.MultiheadAttention``) and ``TransformerConv`` (its softmax is computed inside
``message``, out of reach of the attention rules); ``DynamicEdgeConv`` (it builds its
own graph from the features, so walks do not follow ``edge_index``). The perturbation
backend explains any model.

The attention rule acts like every LRP hook only in the thread of its pass
(:mod:`symxai.backends.lrp.thread_hooks`): each attention layer carries permanent
``edge_update`` and ``message`` hooks that do nothing unless the pass running in the
calling thread set a rule, because PyG's hook dictionaries may not change while another
thread runs the layer (as in :mod:`symxai.backends.sparse_backward`).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch.utils.hooks import RemovableHandle

from symxai.backends.lrp.rules import HalfGradient

__all__ = [
    "ATTENTION_LAYERS",
    "ATTENTION_RULES",
    "attention_layers",
    "attention_rule",
    "unsupported_module",
]

ATTENTION_RULES: tuple[str, ...] = ("constant", "attnlrp")
"""How GNN-LRP treats the attention coefficients of ``GATConv``/``GATv2Conv``."""

ATTENTION_LAYERS: tuple[str, ...] = ("GATConv", "GATv2Conv")
"""PyG layers whose attention ``alpha`` is returned by ``edge_update`` and enters
``message(x_j, alpha)`` as ``alpha * x_j``."""

_RECURRENT_PYG = ("GRUAggregation", "LSTMAggregation", "Set2Set")
_UNREACHABLE_ATTENTION = ("TransformerConv",)
_OWN_GRAPH = ("DynamicEdgeConv",)

_ADVICE = "use the perturbation backend (backend='perturbation'), which explains any model"


def _reason(module: torch.nn.Module) -> str | None:
    """Why GNN-LRP cannot explain through ``module`` (``None``: no objection)."""
    name = type(module).__name__
    if isinstance(module, (torch.nn.RNNBase, torch.nn.RNNCellBase)) or name in _RECURRENT_PYG:
        return "is a recurrent module (gates multiply states by functions of the states)"
    if isinstance(module, torch.nn.MultiheadAttention):
        return "is global attention over the nodes (its softmax has no GNN-LRP rule)"
    if name in _UNREACHABLE_ATTENTION:
        return "computes its attention softmax inside message(), out of reach of the rules"
    if name in _OWN_GRAPH:
        return "builds its own graph from the features, so walks do not follow edge_index"
    return None


def unsupported_module(model: torch.nn.Module) -> str | None:
    """A message naming the first module of ``model`` GNN-LRP cannot explain (its qualified
    name and class, why, and what to do), or ``None`` when every module is supported."""
    for name, module in model.named_modules():
        reason = _reason(module)
        if reason is not None:
            where = name or "the model itself"
            return (
                f"GNN-LRP cannot explain {type(model).__name__}: module {where!r} "
                f"({type(module).__module__}.{type(module).__name__}) {reason}; {_ADVICE}"
            )
    return None


def attention_layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The ``GATConv``/``GATv2Conv`` layers of ``model``."""
    return [m for m in model.modules() if type(m).__name__ in ATTENTION_LAYERS]


_ACTIVE = threading.local()
"""Per thread: ``rules``, the attention rule of each layer in this thread's pass."""

_HOOKED: weakref.WeakSet[torch.nn.Module] = weakref.WeakSet()
_LOCK = threading.Lock()


def _rule(layer: torch.nn.Module) -> str | None:
    rules = getattr(_ACTIVE, "rules", None)
    return None if rules is None else rules.get(layer)


def _edge_update_hook(layer: torch.nn.Module, inputs: Any, alpha: Any) -> Any:
    """``alpha`` as ``edge_update`` computed it, its gradient cut under ``"constant"``."""
    if _rule(layer) == "constant" and isinstance(alpha, torch.Tensor):
        return alpha.detach()
    return None


def _message_pre_hook(layer: torch.nn.Module, inputs: tuple[dict[str, Any]]) -> Any:
    """Under ``"attnlrp"``: half the gradient to each operand of ``alpha * x_j``."""
    if _rule(layer) != "attnlrp":
        return None
    keywords = dict(inputs[0])
    for key in ("alpha", "x_j"):
        value = keywords.get(key)
        if isinstance(value, torch.Tensor) and value.requires_grad:
            keywords[key] = HalfGradient.apply(value)
    return (keywords,)


def _add_hook(layer: torch.nn.Module, attribute: str, hook: Any) -> None:
    """Add ``hook`` to the PyG hook dictionary ``attribute`` by replacing it with a copy (a
    thread iterating the old one finishes on it)."""
    current = getattr(layer, attribute)
    if any(existing is hook for existing in list(current.values())):
        return
    hooks = type(current)(current)
    hooks[RemovableHandle(hooks).id] = hook
    setattr(layer, attribute, hooks)


def _hook_once(layer: torch.nn.Module) -> None:
    """Give an attention layer its two dispatching hooks, once for its lifetime (module-level
    functions, so the model still pickles and copies)."""
    if layer in _HOOKED:
        return
    with _LOCK:
        if layer in _HOOKED:
            return
        _add_hook(layer, "_edge_update_forward_hooks", _edge_update_hook)
        _add_hook(layer, "_message_forward_pre_hooks", _message_pre_hook)
        _HOOKED.add(layer)


@contextlib.contextmanager
def attention_rule(layers: Sequence[torch.nn.Module], rule: str) -> Iterator[None]:
    """Within the block, in this thread, the attention ``layers`` follow ``rule``
    (``"constant"`` or ``"attnlrp"``, see the module docstring)."""
    if rule not in ATTENTION_RULES:
        raise ValueError(f"attention must be one of {ATTENTION_RULES}, got {rule!r}")
    if not layers:
        yield
        return
    for layer in layers:
        _hook_once(layer)
    previous = getattr(_ACTIVE, "rules", None)
    _ACTIVE.rules = {**(previous or {}), **dict.fromkeys(layers, rule)}
    try:
        yield
    finally:
        _ACTIVE.rules = previous
