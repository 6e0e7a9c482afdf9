"""Target selection: one explained number per sample from a batched model output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

__all__ = ["Target", "select_target"]

Target = int | tuple[int, int] | Callable[[torch.Tensor], torch.Tensor] | None
"""Output index, ``(i, j)`` for the logit difference ``f_i - f_j``, a function of the
output batch, or ``None`` for a model with one output per sample."""


def select_target(output: Any, target: Target) -> torch.Tensor:
    """Reduce a batched model output ``[B, ...]`` to one number per sample ``[B]``:
    ``f(x)_target``, ``f_i - f_j`` for ``target=(i, j)``, or ``target(output)``.
    Outputs with a ``logits`` attribute (Hugging Face) are reduced through their logits."""
    if hasattr(output, "logits"):
        output = output.logits
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"the model returned {type(output).__name__}, expected a tensor")
    if callable(target):
        selected = target(output)
    elif target is None:
        selected = output.reshape(output.shape[0], -1)
        if selected.shape[1] != 1:
            raise ValueError(
                f"the model has {selected.shape[1]} outputs per sample: pass target=<index>, "
                "target=(i, j) for a logit difference, or a function of the output"
            )
        selected = selected[:, 0]
    elif isinstance(target, tuple):
        first, second = target
        flat = output.reshape(output.shape[0], -1)
        selected = flat[:, first] - flat[:, second]
    else:
        flat = output.reshape(output.shape[0], -1)
        if not -flat.shape[1] <= int(target) < flat.shape[1]:
            raise ValueError(f"target {target} is out of range for {flat.shape[1]} outputs")
        selected = flat[:, int(target)]
    return selected.reshape(-1)
