"""Parameters frozen while an explanation runs: no weight gradients.

An LRP pass differentiates the explained output with respect to activations only (the
embedding output, the layer states). With ``requires_grad`` set on the weights, autograd
still records every operation on them and keeps the tensors their gradients would need;
with the weights frozen the graph holds only what flows back to the activations.

:func:`frozen_parameters` sets ``requires_grad = False`` on the parameters that had it
and restores them afterwards. Passes in several threads may share one model
(:mod:`symxai.backends.lrp.thread_hooks`): the model counts the passes inside the block,
the first to enter freezes, the last to leave restores, under one lock, so no pass sees
the weights thawed by another that ended first. Training the model while passes run is
not covered (as for the hooks).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

__all__ = ["frozen_parameters"]


@dataclass
class _Freeze:
    """The passes inside the block on one model and the parameters they froze."""

    passes: int = 0
    thawed: list[torch.nn.Parameter] = field(default_factory=list)


_LOCK = threading.Lock()
_FREEZES: weakref.WeakKeyDictionary[torch.nn.Module, _Freeze] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def frozen_parameters(model: torch.nn.Module) -> Iterator[None]:
    """Within the block ``model``'s parameters do not require gradients; on leaving, those
    that did require them again (once the last concurrent block on ``model`` ends)."""
    with _LOCK:
        freeze = _FREEZES.setdefault(model, _Freeze())
        if freeze.passes == 0:
            freeze.thawed = [p for p in model.parameters() if p.requires_grad]
            for parameter in freeze.thawed:
                parameter.requires_grad_(False)
        freeze.passes += 1
    try:
        yield
    finally:
        with _LOCK:
            freeze.passes -= 1
            if freeze.passes == 0:
                for parameter in freeze.thawed:
                    parameter.requires_grad_(True)
                freeze.thawed = []
