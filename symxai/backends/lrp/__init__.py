"""LRP as modified gradients: rules for linear layers and their attachment by hooks
(each hook acting only in the thread of its pass)."""

from symxai.backends.lrp.composite import RuleSpec, linear_layers, lrp_hooks, rule_for
from symxai.backends.lrp.rules import (
    STABILIZERS,
    Epsilon,
    Gamma,
    Rule,
    Stabilizer,
    Zero,
    lrp_linear_output,
)
from symxai.backends.lrp.thread_hooks import register_thread_hook

__all__ = [
    "STABILIZERS",
    "Epsilon",
    "Gamma",
    "Rule",
    "RuleSpec",
    "Stabilizer",
    "Zero",
    "linear_layers",
    "lrp_hooks",
    "lrp_linear_output",
    "register_thread_hook",
    "rule_for",
]
