"""LRP for stock schnetpack SchNet: conservation, batching, walks, frames, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from symxai import Decomposition, FeatureSpaceError, harsanyi_dividends
from symxai._compat import import_schnetpack
from symxai.backends.lrp import Gamma
from symxai.backends.schnet_lrp import SchNetLRPBackend

spk = import_schnetpack()
NUMBERS = [6, 6, 8, 1, 1, 1]


def tiny_schnet(zero_biases: bool) -> torch.nn.Module:
    torch.manual_seed(0)
    cutoff = 4.0
    representation = spk.representation.SchNet(
        n_atom_basis=16,
        n_interactions=2,
        radial_basis=spk.nn.GaussianRBF(10, cutoff),
        cutoff_fn=spk.nn.CosineCutoff(cutoff),
    )
    model = spk.model.NeuralNetworkPotential(
        representation=representation,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[spk.atomistic.Atomwise(16, output_key="energy")],
    )
    for name, parameter in model.named_parameters():
        if name.endswith("bias"):
            with torch.no_grad():
                parameter.copy_(0.0 if zero_biases else 0.1 * torch.randn_like(parameter))
    return model


def frames(count: int = 3) -> np.ndarray:
    rng = np.random.default_rng(0)
    base = np.array(
        [[0, 0, 0], [1.5, 0, 0], [2.2, 1.1, 0], [-0.5, 0.9, 0], [-0.5, -0.9, 0], [2.0, -0.9, 0.3]]
    )
    return np.stack([base + 0.05 * rng.normal(size=base.shape) for _ in range(count)])


@pytest.mark.parametrize("rules", [None, Gamma(0.3)])
def test_conservation_without_biases(rules) -> None:
    backend = SchNetLRPBackend(tiny_schnet(True), NUMBERS, frames(1)[0], rules=rules)
    total = backend(np.ones((1, 6), bool))[0]
    assert total == pytest.approx(backend.prediction(), rel=1e-4)
    assert backend.feature_relevance().sum() == pytest.approx(total, rel=1e-4)


def test_batched_relevance_equals_loop_walk_sums_and_moebius() -> None:
    backend = SchNetLRPBackend(tiny_schnet(False), NUMBERS, frames(1)[0], batch_size=7)
    masks = np.random.default_rng(1).random((20, 6)) < 0.5
    batched = backend(masks)
    looped = np.array([backend(mask[None])[0] for mask in masks])
    np.testing.assert_allclose(batched, looped, rtol=1e-5, atol=1e-6)
    walks = backend.walks()
    assert len(walks) == 6**3
    inside = np.array([walks.relevance[mask[walks.nodes].all(axis=1)].sum() for mask in masks])
    np.testing.assert_allclose(batched, inside, rtol=1e-4, atol=1e-5)
    exact = harsanyi_dividends(backend.set_function())
    from_walks = Decomposition.from_dividends(walks.dividends())
    for subset, value in zip(exact.subsets(), exact.values, strict=True):
        assert from_walks[subset] == pytest.approx(value, abs=1e-4)


def test_frames_are_evaluated_together() -> None:
    trajectory = frames(3)
    backend = SchNetLRPBackend(tiny_schnet(False), NUMBERS, trajectory)
    masks = np.random.default_rng(2).random((6, 6)) < 0.6
    which = np.array([0, 1, 2, 2, 1, 0])
    together = backend.frame_values(masks, which)
    separate = [backend.for_frame(int(f))(m[None])[0] for m, f in zip(masks, which, strict=True)]
    np.testing.assert_allclose(together, separate, rtol=1e-5, atol=1e-6)
    assert backend.for_frame(1).prediction() != pytest.approx(backend.prediction())


def test_clear_errors() -> None:
    model = tiny_schnet(True)
    with pytest.raises(FeatureSpaceError, match="empty"):
        SchNetLRPBackend(model, [], np.zeros((0, 3)))
    with pytest.raises(FeatureSpaceError, match="shape"):
        SchNetLRPBackend(model, NUMBERS, np.zeros((5, 3)))
    with pytest.raises(FeatureSpaceError, match="SchNet"):
        SchNetLRPBackend(torch.nn.Linear(2, 2), NUMBERS, frames(1)[0])
