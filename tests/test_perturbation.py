"""Perturbation backend on real torch modules: planted ground truths and batching."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import symxai
from symxai import FeatureSpaceError, PerturbationBackend, harsanyi_dividends


class Planted(torch.nn.Module):
    """f(x) = 2 x0 x1 - x2 + 3 x1 x3 x4 + 0.5, a known polynomial."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 2 * x[:, 0] * x[:, 1] - x[:, 2] + 3 * x[:, 1] * x[:, 3] * x[:, 4] + 0.5


def test_linear_model_has_only_first_order_dividends() -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(6, 1).double()
    x = torch.randn(6, dtype=torch.float64)
    backend = PerturbationBackend(model, x)
    decomposition = harsanyi_dividends(backend.set_function())
    contributions = (model.weight[0] * x).detach().numpy()
    for i in range(6):
        assert decomposition[(i,)] == pytest.approx(contributions[i], abs=1e-12)
    high = decomposition.to_pandas(min_order=2)["dividend"].abs().max()
    assert high < 1e-12
    assert decomposition.empty_value == pytest.approx(float(model.bias.detach()), abs=1e-12)


def test_planted_polynomial_dividends_and_queries() -> None:
    x = torch.tensor([1.5, -2.0, 0.7, 1.1, 0.9], dtype=torch.float64)
    explanation = symxai.explain(Planted(), x, backend="perturbation", names=list("abcde"))
    decomposition = explanation.dividends()
    expected = {
        (): 0.5,
        (0, 1): 2 * 1.5 * -2.0,
        (2,): -0.7,
        (1, 3, 4): 3 * -2.0 * 1.1 * 0.9,
    }
    for subset in decomposition.subsets():
        assert decomposition[subset] == pytest.approx(expected.get(subset, 0.0), abs=1e-12)
    assert explanation.prediction == pytest.approx(explanation.value())
    # R(a & b) collects exactly the planted {a, b} term; R(b & d & ~a) the {b, d, e} term.
    assert explanation.relevance("a & b") == pytest.approx(-6.0)
    assert explanation.relevance("b & d & ~a") == pytest.approx(3 * -2.0 * 1.1 * 0.9)


def test_batched_evaluation_equals_per_subset_loop() -> None:
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(8 * 4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)
    )
    x = torch.randn(8, 4)
    backend = PerturbationBackend(model, x, target=2, baseline=0.3, batch_size=7)
    masks = np.random.default_rng(2).random((50, 8)) < 0.5
    batched = backend(masks)
    with torch.no_grad():
        looped = []
        for mask in masks:
            keep = torch.as_tensor(mask)[:, None].expand(8, 4)
            perturbed = torch.where(keep, x, torch.full_like(x, 0.3))
            looped.append(float(model(perturbed[None])[0, 2]))
    np.testing.assert_allclose(batched, looped, rtol=1e-6, atol=1e-6)


def test_feature_mask_groups_pixels_into_patches() -> None:
    image = torch.arange(16, dtype=torch.float64).reshape(4, 4)
    patches = torch.tensor([[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])
    model = lambda batch: batch.reshape(batch.shape[0], -1).sum(1)  # noqa: E731
    backend = PerturbationBackend(model, image, feature_mask=patches)
    assert backend.n == 4
    values = backend(np.eye(4, dtype=bool))
    np.testing.assert_allclose(values, [image[patches == i].sum() for i in range(4)])


def test_baselines_tensor_and_function_and_targets() -> None:
    model = torch.nn.Identity()
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    mean = PerturbationBackend(model, x, baseline=lambda t: t.mean(0, keepdim=True), target=(1, 0))
    # v(∅) = mean row in both rows: (3 - 2) + ... difference of flat outputs 1 and 0.
    assert mean(np.zeros((1, 2), bool))[0] == pytest.approx(3.0 - 2.0)
    given = PerturbationBackend(model, x, baseline=torch.tensor([10.0, 20.0]), target=3)
    np.testing.assert_allclose(given(np.array([[True, False], [False, True]])), [20.0, 4.0])
    chosen = PerturbationBackend(model, x, target=lambda out: out.sum((1, 2)))
    assert chosen.prediction() == pytest.approx(10.0)


def test_bad_inputs_give_clear_errors() -> None:
    x = torch.randn(4, 3)
    model = torch.nn.Flatten()
    with pytest.raises(ValueError, match="target"):
        PerturbationBackend(model, x).prediction()
    with pytest.raises(FeatureSpaceError, match="does not broadcast"):
        PerturbationBackend(model, x, baseline=torch.zeros(5))
    with pytest.raises(FeatureSpaceError, match=r"0\.\.n-1"):
        PerturbationBackend(model, x, feature_mask=torch.tensor([0, 2, 2, 3])[:, None])
    with pytest.raises(FeatureSpaceError, match="nothing to explain"):
        PerturbationBackend(model, torch.zeros(0))
    with pytest.raises(ValueError, match="unknown backend 'lrp-typo'"):
        symxai.explain(model, x, backend="lrp-typo")
    with pytest.raises(FeatureSpaceError, match="3 features"):
        symxai.explain(model, x, names=["a", "b", "c"], target=0)


def test_elements_marked_minus_one_are_never_perturbed() -> None:
    x = torch.tensor([5.0, 1.0, 2.0, 7.0])
    backend = PerturbationBackend(
        lambda batch: batch.sum(1), x, feature_mask=torch.tensor([-1, 0, 1, -1])
    )
    assert backend.n == 2
    np.testing.assert_allclose(backend(np.array([[False, False], [True, False]])), [12.0, 13.0])
