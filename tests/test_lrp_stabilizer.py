"""The ``stabilizer`` option of LRP-epsilon and LRP-gamma (issue 14, item 6).

``"signed"`` (default) divides by ``z + eps * sign(z)``, ``"unsigned"`` by ``z + eps``
(the Symbolic XAI reference code). On a one-unit linear layer the relevance
``R_j = a_j rho(w_j) z / s(z')`` (output relevance ``R = z``) is computed by hand.
"""

from __future__ import annotations

import pytest
import torch

from symxai.backends.lrp import STABILIZERS, Epsilon, Gamma, Rule, lrp_hooks


def one_unit_relevance(rule: Rule, inputs: list[float]) -> list[float]:
    """``a * d z^LRP / d a`` of ``z = a_0 - 2 a_1`` (no bias) under ``rule``."""
    layer = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, -2.0]], dtype=layer.weight.dtype))
    model = torch.nn.Sequential(layer).double()
    a = torch.tensor([inputs], dtype=torch.float64, requires_grad=True)
    with lrp_hooks(model, {"*": rule}):
        output = model(a)
    (gradient,) = torch.autograd.grad(output.sum(), a)
    return (a * gradient).detach()[0].tolist()


def test_unsigned_epsilon_matches_the_hand_computed_one_unit_case() -> None:
    # a = (1, 1): z = 1 - 2 = -1; R_j = a_j w_j * z / s(z), w = (1, -2)
    unsigned = one_unit_relevance(Epsilon(0.5, stabilizer="unsigned"), [1.0, 1.0])
    assert unsigned == pytest.approx([1 * -1 / -0.5, -2 * -1 / -0.5])  # s = -1 + 0.5
    signed = one_unit_relevance(Epsilon(0.5), [1.0, 1.0])
    assert signed == pytest.approx([1 * -1 / -1.5, -2 * -1 / -1.5])  # s = -1 - 0.5
    assert unsigned != pytest.approx(signed)
    # z > 0: both stabilisers add +eps, the same relevance
    # a = (3, 1): z = 1, R = (3, -2) / 1.5
    positive = [3 / 1.5, -2 / 1.5]
    assert one_unit_relevance(Epsilon(0.5, stabilizer="unsigned"), [3.0, 1.0]) == pytest.approx(
        positive
    )
    assert one_unit_relevance(Epsilon(0.5), [3.0, 1.0]) == pytest.approx(positive)


def test_unsigned_gamma_matches_the_hand_computed_one_unit_case() -> None:
    # gamma = 1: rho(w) = w + max(0, w) = (2, -2); a = (1, 2): z = -3, z' = 2 - 4 = -2
    unsigned = one_unit_relevance(Gamma(1.0, epsilon=0.5, stabilizer="unsigned"), [1.0, 2.0])
    assert unsigned == pytest.approx([1 * 2 * -3 / -1.5, 2 * -2 * -3 / -1.5])  # s = -2 + 0.5
    signed = one_unit_relevance(Gamma(1.0, epsilon=0.5), [1.0, 2.0])
    assert signed == pytest.approx([1 * 2 * -3 / -2.5, 2 * -2 * -3 / -2.5])  # s = -2 - 0.5


def test_the_default_stays_signed_and_unknown_stabilizers_are_errors() -> None:
    assert STABILIZERS == ("signed", "unsigned")
    assert Epsilon().stabilizer == "signed" and Gamma().stabilizer == "signed"
    assert Epsilon(1e-6) == Epsilon(1e-6, stabilizer="signed")
    with pytest.raises(ValueError, match="stabilizer must be one of"):
        Epsilon(stabilizer="absolute")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stabilizer must be one of"):
        Gamma(stabilizer="+")  # type: ignore[arg-type]
