"""LRP as modified gradients: rules for linear layers and their attachment by hooks."""

from symxai.backends.lrp.composite import RuleSpec, linear_layers, lrp_hooks, rule_for
from symxai.backends.lrp.rules import Epsilon, Gamma, Rule, Zero, lrp_linear_output

__all__ = [
    "Epsilon",
    "Gamma",
    "Rule",
    "RuleSpec",
    "Zero",
    "linear_layers",
    "lrp_hooks",
    "lrp_linear_output",
    "rule_for",
]
