"""explain_face: patch queries on the shipped ViT with both backends."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from symxai.domains.vision import explain_face, faces_dataset, to_pixel_values


@pytest.fixture(scope="module")
def face() -> torch.Tensor:
    data = faces_dataset()
    return data.images[data.test[0]]


def test_perturbation_backend_values_are_model_outputs(face) -> None:
    explanation = explain_face(face, backend="perturbation")
    assert explanation.value() == pytest.approx(explanation.prediction, rel=1e-5)
    backend = explanation.source
    grey = torch.full_like(face, 0.5)
    with torch.no_grad():
        logits = backend.model(to_pixel_values(grey)).logits[0]
    assert explanation.value([]) == pytest.approx(float(logits[1] - logits[0]), rel=1e-5)
    # R(eyes) = v(all) - v(all but the eyes)
    eyes = explanation.resolve("eyes")
    (patches,) = eyes.values()
    rest = [p for p in range(25) if p not in patches]
    assert explanation.relevance("eyes") == pytest.approx(
        explanation.value() - explanation.value(rest), abs=1e-5
    )


def test_lrp_backend_token_relevance_adds_up_and_queries_partition(face) -> None:
    explanation = explain_face(face)
    backend = explanation.source
    tokens = backend.token_relevance()
    assert tokens.sum() == pytest.approx(explanation.value(), rel=1e-5)
    assert backend.feature_relevance() == pytest.approx(tokens[1:], rel=1e-6)
    together = explanation.relevances(["eyes & mouth", "eyes & ~mouth", "eyes"])
    assert together.iloc[0] + together.iloc[1] == pytest.approx(together.iloc[2], abs=1e-5)
    assert np.isfinite(together.to_numpy()).all()
    with pytest.raises(ValueError, match="backend"):
        explain_face(face, backend="gradcam")
