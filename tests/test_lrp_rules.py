"""LRP rules as modified gradients equal the textbook LRP backward pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from symxai.backends.lrp import Epsilon, Gamma, Zero, lrp_hooks, rule_for


def textbook_lrp(layers: list[torch.nn.Linear], x: np.ndarray, rules: list) -> np.ndarray:
    """Explicit LRP for Linear -> ReLU -> ... -> Linear, output relevance = the output."""
    activations = [x]
    for index, layer in enumerate(layers):
        z = activations[-1] @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
        activations.append(np.maximum(z, 0) if index < len(layers) - 1 else z)
    relevance = activations[-1].copy()
    for index in reversed(range(len(layers))):
        a = activations[index]
        w = layers[index].weight.detach().numpy().T
        b = layers[index].bias.detach().numpy()
        rule = rules[index]
        gamma = rule.gamma if isinstance(rule, Gamma) else 0.0
        w_mod, b_mod = w + gamma * np.maximum(w, 0), b + gamma * np.maximum(b, 0)
        z_mod = a @ w_mod + b_mod
        z_mod = z_mod + rule.epsilon * np.where(z_mod >= 0, 1.0, -1.0)
        relevance = a * ((relevance / z_mod) @ w_mod.T)
    return relevance


@pytest.mark.parametrize(
    "rules",
    [
        [Zero(), Zero(), Zero()],
        [Epsilon(0.1), Epsilon(0.01), Epsilon(1e-3)],
        [Gamma(0.5), Gamma(0.25), Zero()],
        [Gamma(1.0), Epsilon(0.05), Gamma(0.1)],
    ],
)
def test_modified_gradient_equals_textbook_lrp(rules: list) -> None:
    torch.manual_seed(3)
    layers = [torch.nn.Linear(6, 5), torch.nn.Linear(5, 4), torch.nn.Linear(4, 1)]
    model = torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2])
    model = model.double()
    x = torch.randn(3, 6, dtype=torch.float64, requires_grad=True)
    names = {"0": rules[0], "2": rules[1], "4": rules[2]}
    with lrp_hooks(model, names) as chosen:
        output = model(x)
    assert chosen == names
    plain = model(x)
    torch.testing.assert_close(output, plain)  # the forward value is unchanged
    (gradient,) = torch.autograd.grad(output.sum(), x)
    expected = textbook_lrp(layers, x.detach().numpy(), rules)
    np.testing.assert_allclose((x * gradient).detach().numpy(), expected, rtol=1e-9, atol=1e-12)


def test_rules_take_their_own_parameter_first() -> None:
    assert Gamma(0.5) == Gamma(gamma=0.5) and Gamma(0.5).epsilon == 1e-9
    assert Epsilon(0.1).epsilon == 0.1 and Zero().epsilon == 0.0


def test_rule_patterns_first_match_wins_and_default_is_lrp0() -> None:
    rules = {"convs.0.*": Gamma(0.3), "convs.*": Epsilon(), "head": Gamma(0.0)}
    assert rule_for("convs.0.nn.0", rules) == Gamma(0.3)
    assert rule_for("convs.2.nn.2", rules) == Epsilon()
    assert rule_for("head", rules) == Gamma(0.0)
    assert rule_for("encoder", rules) == Zero()
    assert rule_for("anything", None) == Zero()
    assert rule_for("anything", Epsilon(0.5)) == Epsilon(0.5)


def test_hooks_are_removed_after_the_block() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(3, 3))
    with lrp_hooks(model, Gamma(1.0)):
        assert len(model[0]._forward_hooks) == 1
    assert len(model[0]._forward_hooks) == 0
