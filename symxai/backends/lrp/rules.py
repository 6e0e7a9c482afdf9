"""LRP rules for linear layers, implemented as modified gradients.

For a linear layer ``z_k = sum_j a_j w_jk + b_k`` with upper-layer relevance ``R_k``,
the rules of Montavon et al. (LRP overview, 2019) redistribute

.. math::  R_j = \\sum_k \\frac{a_j \\rho(w_{jk})}
                 {\\epsilon_k + \\sum_{j'} a_{j'} \\rho(w_{j'k}) + \\rho(b_k)} R_k

with ``rho(w) = w`` (LRP-0, ``epsilon = 0``), ``rho(w) = w`` and a stabiliser
``epsilon`` (LRP-epsilon), or ``rho(w) = w + gamma * max(0, w)`` (LRP-gamma).

As a modified gradient (the "gradient trick", as in zennit): with ``z`` the layer's
output and ``z' = rho``-modified output, the hooked layer returns

.. math::  \\tilde z = z' \\cdot [z / s(z')]_{\\text{det}}
                    + [z - z' \\cdot z / s(z')]_{\\text{det}},

``s(z') = z' + epsilon * sign(z')`` (the textbook stabiliser, ``stabilizer="signed"``,
the default) or ``s(z') = z' + epsilon`` (``stabilizer="unsigned"``, as the Symbolic XAI
reference code adds it whatever the sign of ``z'``; it moves the denominator of a
negative ``z'`` towards 0 instead of away from it, so it reproduces published numbers
but is no guard against ``z' = -epsilon``). Its forward value is exactly ``z``; its gradient
is ``rho(W)^T (z / s(z')) g``, so that Input x Gradient, ``R = a * grad``, propagated
through a network of such layers and ReLUs (identity rule: the ReLU gradient passes
relevance where the unit is on) computes LRP. Biases and ``epsilon`` absorb the
part of the relevance the rule does not pass down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import torch
from torch.nn import functional

__all__ = [
    "STABILIZERS",
    "Epsilon",
    "Gamma",
    "HalfGradient",
    "Rule",
    "Stabilizer",
    "Zero",
    "denominator",
    "lrp_linear_output",
    "stabilise",
]

Stabilizer = Literal["signed", "unsigned"]
"""How ``epsilon`` enters the denominator: ``z + epsilon * sign(z)`` or ``z + epsilon``."""

STABILIZERS: tuple[str, ...] = get_args(Stabilizer)


class HalfGradient(torch.autograd.Function):
    """Identity forward, half the gradient backward: AttnLRP's uniform rule for one
    operand of a bilinear product ``a * b`` (each operand receives half of the product's
    relevance; Achtibat et al., ICML 2024), used for attention in transformers and GAT."""

    @staticmethod
    def forward(ctx: Any, value: torch.Tensor) -> torch.Tensor:
        return value.view_as(value)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return 0.5 * grad


def stabilise(z: torch.Tensor, epsilon: float) -> torch.Tensor:
    """``z + epsilon * sign(z)`` with ``sign(+0) = 1``, ``sign(-0) = -1``: a denominator
    that is never 0 when ``epsilon > 0``."""
    return z.abs().add_(epsilon).copysign_(z)


def denominator(z: torch.Tensor, epsilon: float, stabilizer: Stabilizer = "signed") -> torch.Tensor:
    """The stabilised denominator ``s(z)``: ``z + epsilon * sign(z)`` (``"signed"``, see
    :func:`stabilise`) or ``z + epsilon`` (``"unsigned"``, the Symbolic XAI reference
    code's convention)."""
    if stabilizer == "signed":
        return stabilise(z, epsilon)
    if stabilizer == "unsigned":
        return z + epsilon
    raise ValueError(f"stabilizer must be one of {STABILIZERS}, got {stabilizer!r}")


class Rule:
    """Base class of LRP rules: ``rho`` applied to weights and biases, and the
    stabiliser ``epsilon`` of the denominator, added as ``epsilon * sign(z)``
    (``stabilizer="signed"``) or as ``+epsilon`` (``"unsigned"``)."""

    epsilon: float = 0.0
    stabilizer: Stabilizer = "signed"

    def modify(self, parameter: torch.Tensor) -> torch.Tensor:
        """``rho(parameter)``."""
        return parameter

    @property
    def passes_gradient_unchanged(self) -> bool:
        """True when the rule is plain Input x Gradient (no hook needed)."""
        return False


@dataclass(frozen=True)
class Zero(Rule):
    """LRP-0: ``rho(w) = w``, no stabiliser; the plain gradient."""

    @property
    def passes_gradient_unchanged(self) -> bool:
        return True


@dataclass(frozen=True)
class Epsilon(Rule):
    """LRP-epsilon: ``rho(w) = w`` with stabiliser ``epsilon`` (absorbs weak relevance).

    ``stabilizer="signed"`` (default): ``R_j = sum_k a_j w_jk R_k / (z_k + epsilon *
    sign(z_k))``; ``"unsigned"``: ``... / (z_k + epsilon)`` whatever the sign of ``z_k``,
    the convention of the Symbolic XAI reference code (to reproduce its numbers).
    """

    epsilon: float = 1e-6
    stabilizer: Stabilizer = "signed"

    def __post_init__(self) -> None:
        _check_stabilizer(self.stabilizer)


@dataclass(frozen=True)
class Gamma(Rule):
    """LRP-gamma: ``rho(w) = w + gamma * max(0, w)`` favours positive contributions;
    ``epsilon`` only guards the denominator ``z'_k + epsilon * sign(z'_k)``
    (``stabilizer="signed"``, default) or ``z'_k + epsilon`` (``"unsigned"``, as the
    Symbolic XAI reference code), with ``z'_k = sum_j a_j rho(w_jk) + rho(b_k)``."""

    gamma: float = 0.25
    epsilon: float = 1e-9
    stabilizer: Stabilizer = "signed"

    def __post_init__(self) -> None:
        _check_stabilizer(self.stabilizer)

    def modify(self, parameter: torch.Tensor) -> torch.Tensor:
        return parameter + self.gamma * parameter.clamp(min=0)


def _check_stabilizer(stabilizer: str) -> None:
    if stabilizer not in STABILIZERS:
        raise ValueError(f"stabilizer must be one of {STABILIZERS}, got {stabilizer!r}")


class _RoutedGradient(torch.autograd.Function):
    """Identity on the forward value ``z``; backward ``g -> rho(W)^T (scale * g)``."""

    @staticmethod
    def forward(
        ctx: Any,
        inputs: torch.Tensor,
        value: torch.Tensor,
        weight: torch.Tensor,
        scale: torch.Tensor,
    ) -> torch.Tensor:
        ctx.save_for_backward(weight, scale)
        return value

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        weight, scale = ctx.saved_tensors
        return (grad * scale) @ weight, None, None, None


def lrp_linear_output(
    inputs: torch.Tensor,
    output: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    rule: Rule,
    activated: bool = False,
    modified_parameters: tuple[torch.Tensor, torch.Tensor | None] | None = None,
) -> torch.Tensor:
    """The hooked output ``z~`` of a linear layer under ``rule`` (see the module docstring):
    forward value ``z``, gradient ``rho(W)^T (z / s(z') * g)`` with respect to ``inputs``,
    ``s`` the rule's stabiliser (:func:`denominator`).

    ``activated``: the module applies an element-wise activation after its linear map
    (schnetpack's ``Dense``), so ``output = act(z)``. The activation then gets the identity
    rule on top of the linear rule: the gradient is ``rho(W)^T (act(z) / s(z') * g)``.
    ``modified_parameters``: ``(rho(W), rho(b))`` when already computed (they are then
    not recomputed from ``weight`` and ``bias``).
    """
    if rule.passes_gradient_unchanged and not activated:
        return output
    with torch.no_grad():
        if modified_parameters is None:
            weight = rule.modify(weight.detach())
            modified_bias = None if bias is None else rule.modify(bias.detach())
        else:
            weight, modified_bias = modified_parameters
        modified = functional.linear(inputs, weight, modified_bias)
        scale = output / denominator(modified, max(rule.epsilon, 1e-12), rule.stabilizer)
    return _RoutedGradient.apply(inputs, output.detach(), weight, scale)
