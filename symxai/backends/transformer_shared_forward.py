"""Token-set relevance of many coalitions from one shared forward pass.

The masking step ``h = m h + (1 - m) [h]_det`` (:mod:`symxai.backends.lrp.masking`)
leaves every forward value unchanged: a coalition enters only the backward pass, as the
gradient masks ``m_t`` after the embeddings (``t = 0``) and after every encoder layer
``t = 1..L``. With the LRP rules as modified gradients, the backward pass is the
transposed modified Jacobian of each layer *at the forward point*, a fixed linear map
``J_t^T`` of the incoming gradient, so with ``M_t = diag(m_t)`` and ``g = \\partial
f^{LRP} / \\partial h_L`` (the head: pooler and classifier)

.. math::  \\partial f^{\\text{LRP}}_S / \\partial e
           = M_0 J_1^T M_1 J_2^T \\cdots J_L^T M_L\\, g,
           \\qquad R_t(S) = e_t \\cdot \\partial_{e_t} f^{\\text{LRP}}_S .

A head that also reads earlier states ``h_t`` (``t < L``) adds its gradient
``g_t = \\partial f^{LRP} / \\partial h_t`` before the mask ``M_t`` (the masked states are
what every later use reads). The encoder is sequential: layer ``t`` reads the states
only through its input ``h_{t-1}`` (BERT, ViT).

Only the masks ``M_t`` depend on ``S``. So one forward pass of the single input (batch
of one), with the graph cut at every layer boundary (each layer's input a fresh leaf),
serves all coalitions; the backward runs once per layer for ``B`` coalitions at a time,
the ``B`` masked gradients batched through ``torch.autograd.grad(...,
is_grads_batched=True)`` (a ``vmap`` over the rows of the incoming gradient). The cost
is one forward plus ``B`` backward passes instead of ``B`` forward and ``B`` backward
passes.

This holds for both attention rules: under ``attention="constant"`` the softmax output
is a constant, under ``attention="attnlrp"`` the softmax gradient is taken at the forward
point; in both cases ``J_t^T`` is linear in the incoming gradient (as every backward pass
is) and independent of ``S``. The values equal those of one pass per coalition up to
floating-point summation order (about ``1e-7`` relative in float32, ``1e-15`` in
float64). Parameters are frozen during the pass (:mod:`symxai.backends.lrp.frozen`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from symxai.backends.lrp.frozen import frozen_parameters
from symxai.backends.lrp.thread_hooks import register_thread_hook
from symxai.backends.target import Target, select_target

__all__ = ["shared_forward_token_relevance"]


@dataclass
class _CutGraph:
    """The forward pass cut at the layer boundaries: ``leaves[0]`` is the embedding
    output, ``leaves[t]`` the detached output of layer ``t`` (the input of layer
    ``t + 1``), ``outputs[t - 1]`` the output of layer ``t`` with its graph back to
    ``leaves[t - 1]``."""

    leaves: list[torch.Tensor] = field(default_factory=list)
    outputs: list[torch.Tensor] = field(default_factory=list)


@contextlib.contextmanager
def _cut_at_layers(
    embeddings: torch.nn.Module, layers: Sequence[torch.nn.Module]
) -> Iterator[_CutGraph]:
    """Hooks (this thread only) that make the embedding output and every layer output a
    fresh leaf requiring gradients, recording both sides of every cut."""
    cut = _CutGraph()

    def embedding_hook(module: torch.nn.Module, args: Any, output: torch.Tensor) -> Any:
        leaf = output.detach().requires_grad_()
        cut.leaves.append(leaf)
        return leaf

    def layer_hook(module: torch.nn.Module, args: Any, output: Any) -> Any:
        states = output[0] if isinstance(output, tuple) else output
        cut.outputs.append(states)
        leaf = states.detach().requires_grad_()
        cut.leaves.append(leaf)
        return (leaf, *output[1:]) if isinstance(output, tuple) else leaf

    handles = [register_thread_hook(embeddings, embedding_hook)]
    handles += [register_thread_hook(layer, layer_hook) for layer in layers]
    try:
        yield cut
    finally:
        for handle in handles:
            handle.remove()


def shared_forward_token_relevance(
    model: torch.nn.Module,
    inputs: Mapping[str, torch.Tensor],
    embeddings: torch.nn.Module,
    layers: Sequence[torch.nn.Module],
    token_masks: np.ndarray,
    *,
    target: Target,
    lrp_rules: contextlib.AbstractContextManager[Any],
    batch_size: int,
) -> np.ndarray:
    """Per-token relevance ``[B, T]`` of layer-wise token masks ``[B, L+1, T]`` (see the
    module docstring), equal to one masked pass per coalition of
    :meth:`~symxai.backends.transformer_lrp.TransformerLRPBackend.token_relevance_batch`.

    ``inputs`` is a batch of one example; ``lrp_rules`` the context in which the model's
    gradients are LRP (:func:`~symxai.backends.transformer_lrp.transformer_lrp_rules`);
    ``batch_size`` coalitions share one batched backward pass."""
    count = token_masks.shape[0]
    if count == 0:
        return np.empty((0, token_masks.shape[-1]))
    dtype = next(model.parameters()).dtype
    masks = torch.as_tensor(token_masks).to(dtype).unsqueeze(-1)
    with (
        torch.enable_grad(),
        frozen_parameters(model),
        lrp_rules,
        _cut_at_layers(embeddings, layers) as cut,
    ):
        total = select_target(model(**inputs), target).sum()
    if len(cut.outputs) != len(layers):
        raise RuntimeError(
            f"the model ran {len(cut.outputs)} encoder-layer calls, expected {len(layers)}"
        )
    reads = torch.autograd.grad(total, cut.leaves, retain_graph=True, allow_unused=True)
    heads = [
        torch.zeros_like(leaf) if read is None else read
        for read, leaf in zip(reads, cut.leaves, strict=True)
    ]
    embedded = cut.leaves[0]
    out = []
    for start in range(0, count, batch_size):
        chunk = masks[start : start + batch_size]
        gradient = heads[-1] * chunk[:, -1]
        for layer in range(len(layers), 0, -1):
            (gradient,) = torch.autograd.grad(
                cut.outputs[layer - 1],
                cut.leaves[layer - 1],
                gradient.unsqueeze(1),
                retain_graph=True,
                is_grads_batched=True,
            )
            gradient = (gradient.squeeze(1) + heads[layer - 1]) * chunk[:, layer - 1]
        out.append((embedded * gradient).sum(-1).detach().double().cpu().numpy())
    return np.concatenate(out)
