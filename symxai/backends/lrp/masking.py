"""The masking step of GNN-LRP / sGNN-LRP, shared by every LRP backend.

After the input and after every message-passing (or encoder) layer ``t`` the feature
states become ``h = m_t h + (1 - m_t) [h]_detached``: the forward value is unchanged and
the gradient (the LRP relevance, with LRP rules as modified gradients) flows only through
the features with ``m_t = 1``.
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["MaskGradient"]


class MaskGradient(torch.autograd.Function):
    """``h = m h + (1 - m) [h]_detached``: the forward value ``h`` unchanged, the gradient
    multiplied by the mask ``m`` (one fused step instead of four tensor operations)."""

    @staticmethod
    def forward(ctx: Any, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(mask)
        return states.view_as(states)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        (mask,) = ctx.saved_tensors
        return grad * mask, None
