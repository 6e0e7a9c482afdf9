"""The LRP-modified parameters ``rho(W)``, ``rho(b)`` of a linear layer, kept between passes.

Every LRP pass runs each hooked linear layer once more with ``rho``-modified weights
(:func:`~symxai.backends.lrp.rules.lrp_linear_output`). ``rho(W)`` depends only on the
layer's parameters and the rule (LRP-gamma: ``W + gamma max(0, W)``), so an explanation
that evaluates many small batches (one query after another on one molecule) would
recompute the same tensors in every pass. :func:`modified_parameters` computes them once
per layer and rule and hands out the same tensors until the parameters change.

A parameter counts as changed when it is another tensor, or the same tensor with new
storage (``module.double()``, ``.to(device)``) or a new version (any in-place update:
an optimiser step, ``load_state_dict``, ``weight.data.mul_(...)`` through ``.data`` is
the one exception PyTorch does not count, as for autograd). The cached tensors are
exactly what ``rule.modify`` returns, so cached and uncached passes give the same
values. Entries live as long as the layer (weak references): at most one modified copy
of each hooked layer's parameters per rule (none for LRP-epsilon, whose ``rho`` is the
identity).
"""

from __future__ import annotations

import dataclasses
import threading
import weakref

import torch

from symxai.backends.lrp.rules import Rule

__all__ = ["modified_parameters"]

_Parameters = tuple[torch.Tensor, torch.Tensor | None]

_CACHE: weakref.WeakKeyDictionary[torch.nn.Module, dict[Rule, tuple[tuple, _Parameters]]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()


def _state(parameter: torch.Tensor | None) -> tuple:
    """What identifies the current values of a parameter (see the module docstring)."""
    if parameter is None:
        return (None,)
    return (weakref.ref(parameter), parameter.data_ptr(), parameter._version, parameter.dtype)


def _cacheable(rule: Rule) -> bool:
    """Rules whose ``rho`` cannot change: frozen dataclasses (the built-in rules); any
    other rule is applied afresh in every pass."""
    parameters = getattr(type(rule), "__dataclass_params__", None)
    return dataclasses.is_dataclass(rule) and bool(parameters and parameters.frozen)


def modified_parameters(module: torch.nn.Module, rule: Rule) -> _Parameters:
    """``(rho(W), rho(b))`` of a linear ``module`` under ``rule`` (``rho(b)`` is ``None``
    without a bias), computed once per parameter state and reused."""
    weight, bias = module.weight, module.bias
    cacheable = _cacheable(rule)
    if cacheable:
        state = (_state(weight), _state(bias))
        per_rule = _CACHE.get(module)
        entry = None if per_rule is None else per_rule.get(rule)
        if entry is not None and entry[0] == state:
            return entry[1]
    with torch.no_grad():
        modified = (
            rule.modify(weight.detach()),
            None if bias is None else rule.modify(bias.detach()),
        )
    if cacheable:
        with _LOCK:
            _CACHE.setdefault(module, {})[rule] = (state, modified)
    return modified
