"""Integer node features: relevance taken at the node encoder's ``nn.Embedding`` outputs.

Models built on ``torch_geometric.utils.from_smiles`` features (OGB-style: ``x`` long
``[n, 9]``) encode the atoms by a sum of embeddings, ``h_0 = sum_k E_k[x_{:, k}]`` (OGB's
``AtomEncoder``). Integer features have no gradient, so LRP's input relevance is taken
one step later, at the encoder's output: every ``nn.Embedding`` call whose index tensor
is a view of ``x`` (a column ``x[:, k]``, ``x`` itself) and whose output is a node-state
tensor ``[N, d]`` becomes a leaf ``e_k`` of the pass (masked at ``t = 0`` like float
``x``), and

.. math:: R_i = \\sum_k e_{k,i} \\cdot \\partial_{e_{k,i}} f^{\\text{LRP}}.

This is exactly the relevance of the same model with a one-hot float input and a
bias-free ``Linear`` in place of the embeddings (``x_i W = sum_k E_k[x_{ik}]`` and
``R_i = x_i \\cdot W^T g = sum_k E_k[x_{ik}] \\cdot g``). Embeddings of anything else
(a bond encoder on integer ``edge_attr``) are constants of the messages, like the bond
features of ``GINEConv`` (:mod:`symxai.backends.lrp.graph_layers`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch

from symxai.backends.lrp.masking import MaskGradient
from symxai.backends.lrp.thread_hooks import register_thread_hook

__all__ = ["embedding_leaves", "has_node_embeddings"]


def _views_of(index: Any, x: torch.Tensor) -> bool:
    """Whether ``index`` is ``x`` or a view of it (same storage)."""
    return (
        isinstance(index, torch.Tensor)
        and index.device == x.device
        and index.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    )


def has_node_embeddings(model: torch.nn.Module) -> bool:
    """Whether ``model`` has an ``nn.Embedding`` that could encode integer node features."""
    return any(isinstance(module, torch.nn.Embedding) for module in model.modules())


@contextlib.contextmanager
def embedding_leaves(
    model: torch.nn.Module, x: torch.Tensor, mask: torch.Tensor | None
) -> Iterator[list[torch.Tensor]]:
    """Within the block, in this thread, the node-embedding outputs of ``model`` computed
    from the integer features ``x`` ``[N, k]`` are fresh leaves (``requires_grad``),
    masked by ``mask`` ``[N, 1]`` when given; yields the list they are appended to."""
    leaves: list[torch.Tensor] = []
    nodes = x.shape[0]

    def hook(module: torch.nn.Module, args: Any, output: Any) -> Any:
        if not args or not _views_of(args[0], x):
            return None
        if not isinstance(output, torch.Tensor) or output.dim() != 2 or output.shape[0] != nodes:
            return None
        leaf = output.detach().requires_grad_(True)
        leaves.append(leaf)
        return leaf if mask is None else MaskGradient.apply(leaf, mask.to(leaf.dtype))

    handles = [
        register_thread_hook(module, hook)
        for module in model.modules()
        if isinstance(module, torch.nn.Embedding)
    ]
    try:
        yield leaves
    finally:
        for handle in handles:
            handle.remove()
