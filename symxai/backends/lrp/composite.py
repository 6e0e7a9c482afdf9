"""Attach LRP rules to the linear layers of an unmodified model, through forward hooks.

Rules are assigned by module name: a mapping from ``fnmatch`` patterns on qualified
module names (``"convs.0.*"``, ``"lin"``, ``"*"``) to rules, first match wins, or one
rule for every layer. A linear module with a built-in activation (schnetpack's
``Dense(..., activation=shifted_softplus)``) also gets the identity rule for it.
Every ``torch.nn.Linear`` and ``torch_geometric.nn.Linear`` gets
its rule; everything else (ReLU, sums, aggregation, pooling, normalisation in eval mode)
keeps its ordinary gradient, which is the LRP identity / LRP-0 rule for those operations.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterator, Mapping

import torch

from symxai.backends.lrp.modified_parameters import modified_parameters
from symxai.backends.lrp.rules import Rule, Zero, lrp_linear_output
from symxai.backends.lrp.thread_hooks import register_thread_hook

__all__ = ["RuleSpec", "linear_layers", "lrp_hooks", "rule_for"]

RuleSpec = Rule | Mapping[str, Rule] | None
"""One rule for all linear layers, a pattern -> rule mapping, or ``None`` (LRP-0)."""


def _linear_types() -> tuple[type, ...]:
    types: list[type] = [torch.nn.Linear]
    try:
        from torch_geometric.nn.dense.linear import Linear as PyGLinear

        types.append(PyGLinear)
    except ImportError:  # pragma: no cover - torch_geometric is a dependency
        pass
    return tuple(types)


def linear_layers(model: torch.nn.Module) -> list[tuple[str, torch.nn.Module]]:
    """``(qualified name, module)`` of every linear layer of ``model``."""
    types = _linear_types()
    return [(name, module) for name, module in model.named_modules() if isinstance(module, types)]


def _has_activation(module: torch.nn.Module) -> bool:
    """A linear module that applies its own element-wise activation (schnetpack ``Dense``)."""
    activation = getattr(module, "activation", None)
    return activation is not None and not isinstance(activation, torch.nn.Identity)


def rule_for(name: str, rules: RuleSpec) -> Rule:
    """The rule a layer called ``name`` gets under ``rules``."""
    if rules is None:
        return Zero()
    if isinstance(rules, Rule):
        return rules
    for pattern, rule in rules.items():
        if fnmatch.fnmatchcase(name, pattern):
            return rule
    return Zero()


@contextlib.contextmanager
def lrp_hooks(model: torch.nn.Module, rules: RuleSpec) -> Iterator[dict[str, Rule]]:
    """Within the block, the linear layers of ``model`` compute LRP-modified gradients
    in this thread (other threads calling ``model`` meanwhile are unaffected, see
    :mod:`symxai.backends.lrp.thread_hooks`).

    Yields the rule chosen for each linear layer (by qualified name).
    """
    handles, chosen = [], {}
    for name, module in linear_layers(model):
        rule = rule_for(name, rules)
        chosen[name] = rule
        activated = _has_activation(module)
        if rule.passes_gradient_unchanged and not activated:
            continue

        def hook(
            layer: torch.nn.Module,
            args: tuple[torch.Tensor, ...],
            output: torch.Tensor,
            rule: Rule = rule,
            activated: bool = activated,
        ) -> torch.Tensor:
            return lrp_linear_output(
                args[0],
                output,
                layer.weight,
                layer.bias,
                rule,
                activated,
                modified_parameters(layer, rule),
            )

        handles.append(register_thread_hook(module, hook))
    try:
        yield chosen
    finally:
        for handle in handles:
            handle.remove()
