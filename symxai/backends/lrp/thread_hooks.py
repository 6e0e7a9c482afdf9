"""Forward hooks that act only in the thread that installed them.

An LRP pass installs forward hooks on the model it explains (the rules of the linear
layers, the masks after every layer) and removes them when the pass ends. PyTorch keeps
a module's hooks on the module, so every thread that calls the module runs them: with
one model shared by several threads (a Dask worker with several threads, a user's thread
pool), a pass in thread ``A`` would run the hooks of a pass in thread ``B``, apply ``B``'s
masks and rules on top of its own and advance ``B``'s count of layer calls.

A hook registered by :func:`register_thread_hook` remembers the thread that registers it
and leaves the output unchanged (returns ``None``, PyTorch's "no change") when the
module runs in any other thread. A pass installs and removes its hooks in one thread and
its forward runs in that thread, so concurrent passes on one model each see exactly their
own hooks, and plain forward calls in other threads see none. The cost is one thread-id
comparison per hooked module call; the state a hook keeps (masks, counts of layer calls)
lives in the closure of its pass, never on the module or the backend.

What the LRP backends (GNN-LRP, SchNet-LRP, transformer LRP) guarantee with these hooks:
any number of passes may run at once in different threads on one shared model, through
one backend object or several, and each gives what it gives alone; plain forward calls
of the model in other threads during a pass are unaffected.

Not covered: changing the model's weights or mode while passes run; a model whose
forward runs its modules in other threads than the caller's
(``torch.nn.DataParallel``, activation checkpointing that recomputes the forward during
the backward).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import torch
from torch.utils.hooks import RemovableHandle

__all__ = ["ForwardHook", "register_thread_hook"]

ForwardHook = Callable[[torch.nn.Module, Any, Any], Any]
"""``hook(module, args, output)``: a replacement output, or ``None`` to keep it."""


def register_thread_hook(module: torch.nn.Module, hook: ForwardHook) -> RemovableHandle:
    """Register ``hook`` as a forward hook of ``module`` that runs only in this thread.

    Returns PyTorch's handle; ``handle.remove()`` removes the hook (from any thread).
    """
    owner = threading.get_ident()

    def hook_in_owner_thread(layer: torch.nn.Module, args: Any, output: Any) -> Any:
        if threading.get_ident() != owner:
            return None
        return hook(layer, args, output)

    return module.register_forward_hook(hook_in_owner_thread)
