"""The backward pass of ``A_t X`` with the transposed adjacency stored once.

On the block-diagonal sparse adjacency (:mod:`symxai.backends.sparse_copies`) a fused
message-passing layer computes ``Y = A_t X``; its backward needs ``dX = A_t^T dY``.
PyTorch's backward of a CSR product forms ``A_t^T`` afresh in every pass (a CSC view
converted back to CSR, which sorts all stored entries): on 8 copies of a 30-atom
molecule that conversion was most of the layer's backward. The graph copies are the
same in every pass, so :func:`transposed_backward` lets each verified layer's output
keep its forward value while its gradient is ``A_t^T dY`` with ``A_t^T`` built once
(as ``block_diagonal_adjacency`` of the reversed edges: the same CSR, sorted by row and
column, that PyTorch's conversion produces, so the gradient is the same to the bit).

A layer qualifies when its fused output *is* ``A_t X`` for its first node-feature
input ``X`` (sum aggregation, no weights on the messages): :func:`is_plain_product`
checks this on the graph itself, once per backend. The replacement acts only in the
thread of the pass, like every LRP hook (:mod:`symxai.backends.lrp.thread_hooks`): each
layer carries one permanent ``message_and_aggregate`` hook that does nothing unless the
pass running in the calling thread set an action for it (:func:`layer_actions`), because
PyG's hook dictionaries, unlike PyTorch's, may not change while another thread runs
the layer.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch
from torch.utils.hooks import RemovableHandle

__all__ = ["TransposedProduct", "is_plain_product", "layer_actions", "transposed_backward"]


class TransposedProduct(torch.autograd.Function):
    """``Y = A_t X`` given as computed: forward value ``Y``, backward ``dY -> A_t^T dY``."""

    @staticmethod
    def forward(
        ctx: Any, features: torch.Tensor, product: torch.Tensor, transposed: torch.Tensor
    ) -> torch.Tensor:
        ctx.transposed = transposed
        return product.view_as(product)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        return torch.sparse.mm(ctx.transposed, grad), None, None


def _node_features(arguments: dict[str, Any]) -> torch.Tensor | None:
    """The node features ``X`` a fused layer aggregates: its ``x`` argument (the source
    side of a ``(x_source, x_target)`` pair)."""
    features = arguments.get("x")
    if isinstance(features, (tuple, list)):
        features = features[0]
    return features if isinstance(features, torch.Tensor) else None


def is_plain_product(layer: torch.nn.Module, arguments: tuple[Any, Any], output: Any) -> bool:
    """Whether a fused layer's output equals ``A_t X`` exactly (``arguments`` as PyG hands
    them to a ``message_and_aggregate`` hook: the adjacency and the keyword arguments)."""
    adjacency, keywords = arguments
    features = _node_features(keywords)
    if features is None or not isinstance(output, torch.Tensor):
        return False
    if getattr(layer, "aggr", None) not in ("add", "sum"):
        return False
    if not isinstance(adjacency, torch.Tensor) or adjacency.layout != torch.sparse_csr:
        return False
    with torch.no_grad():
        product = torch.sparse.mm(adjacency, features.detach())
    return product.shape == output.shape and bool(torch.equal(product, output))


_ACTIVE = threading.local()
"""Per thread: ``actions``, the ``message_and_aggregate`` replacement of each layer in
the pass running in this thread (absent outside a pass)."""

_HOOKED: weakref.WeakSet[torch.nn.Module] = weakref.WeakSet()
_LOCK = threading.Lock()


def _dispatch(layer: torch.nn.Module, arguments: tuple[Any, Any], output: Any) -> Any:
    """The one ``message_and_aggregate`` forward hook of a layer: runs the action this
    thread's pass set for the layer, if any; otherwise keeps the output."""
    actions = getattr(_ACTIVE, "actions", None)
    action = None if actions is None else actions.get(layer)
    return None if action is None else action(layer, arguments, output)


def _hook_once(layer: torch.nn.Module) -> None:
    """Give ``layer`` the :func:`_dispatch` hook, once for its lifetime.

    PyG iterates a layer's hook dictionary during every fused forward, so adding to it
    while another thread runs the layer would fail; the dictionary is therefore replaced
    by a copy that has the hook (a thread iterating the old one finishes on it), and
    never changed again by symxai. :func:`_dispatch` is a module-level function, so the
    model still pickles and copies (a copy keeps the hook and is not given a second).
    """
    if layer in _HOOKED:
        return
    with _LOCK:
        if layer in _HOOKED:
            return
        current = layer._message_and_aggregate_forward_hooks
        if not any(hook is _dispatch for hook in list(current.values())):
            hooks = type(current)(current)
            hooks[RemovableHandle(hooks).id] = _dispatch
            layer._message_and_aggregate_forward_hooks = hooks
        _HOOKED.add(layer)


@contextlib.contextmanager
def layer_actions(actions: dict[torch.nn.Module, Callable[..., Any]]) -> Iterator[None]:
    """Within the block, in this thread, ``actions[layer](layer, arguments, output)`` runs
    after each fused ``message_and_aggregate`` of ``layer`` (a return value other than
    ``None`` replaces the output)."""
    for layer in actions:
        _hook_once(layer)
    previous = getattr(_ACTIVE, "actions", None)
    _ACTIVE.actions = {**(previous or {}), **actions}
    try:
        yield
    finally:
        _ACTIVE.actions = previous


def transposed_backward(
    layers: Sequence[torch.nn.Module], adjacency: torch.Tensor, transposed: torch.Tensor
) -> contextlib.AbstractContextManager:
    """Within the block, in this thread, the fused outputs of ``layers`` on ``adjacency``
    back-propagate through ``transposed`` (``adjacency`` transposed, in CSR)."""

    def replace(layer: torch.nn.Module, arguments: tuple[Any, Any], output: Any) -> Any:
        if arguments[0] is not adjacency:
            return None
        features = _node_features(arguments[1])
        if features is None or not features.requires_grad:
            return None
        return TransposedProduct.apply(features, output.detach(), transposed)

    return layer_actions(dict.fromkeys(layers, replace))
