"""Explanations of the face-vs-non-face prediction of a ViT over image patches."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from symxai.api import explain
from symxai.backends.lrp import RuleSpec
from symxai.domains.vision.image import FaceImage
from symxai.domains.vision.patches import GRID
from symxai.explanation import Explanation
from symxai.models.vit import PATCH_SIZE
from symxai.training.faces import load_faces_vit

__all__ = ["explain_face"]


def explain_face(
    image: torch.Tensor | np.ndarray,
    model: torch.nn.Module | None = None,
    *,
    backend: str = "lrp",
    target: Any = None,
    rules: RuleSpec = None,
    attention: str | None = None,
    batch_size: int = 64,
    missing: str = "error",
) -> Explanation:
    """Explain the face-vs-non-face prediction of the ViT on one ``25 x 25`` image:
    ``symxai.explain(model, FaceImage(image))`` with the shipped ViT as the default model.

    Features are the 25 patches (``p0 .. p24`` with regions ``eyes``, ``nose``,
    ``mouth``, ``rest``). ``backend="lrp"``: token-set relevance of the patch tokens by
    :class:`~symxai.backends.transformer_lrp.TransformerLRPBackend` ([CLS] always on;
    ``attention`` ``"constant"`` by default, or ``"attnlrp"``);
    ``backend="perturbation"``: the output with the patches outside ``S`` set to the
    mean grey (pixel value 0.5, i.e. 0 after normalisation). The default target is the
    :class:`FaceImage`'s, the logit difference ``f_face - f_non_face``. ``missing``: what
    a query atom naming no patch does (see :class:`~symxai.Explanation`).
    ``explanation.metadata["image"]`` is the explained image (for drawing).
    """
    if backend not in ("lrp", "perturbation"):
        raise ValueError(f"backend must be 'lrp' or 'perturbation', got {backend!r}")
    if model is None:
        model = load_faces_vit().model
    prepared = FaceImage(image)
    given = {"target": target, "rules": rules, "attention": attention}
    overrides = {key: value for key, value in given.items() if value is not None}
    if backend == "lrp":
        explanation = explain(
            model,
            prepared,
            "transformer-lrp",
            batch_size=batch_size,
            missing=missing,
            **overrides,
        )
        explanation.metadata["image"] = prepared.image
        return explanation
    grid = np.arange(GRID * GRID).reshape(GRID, GRID)
    patch_of_pixel = grid.repeat(PATCH_SIZE, axis=0).repeat(PATCH_SIZE, axis=1)
    explanation = explain(
        lambda batch: model(pixel_values=batch),
        prepared.pixel_values[0],
        "perturbation",
        space=prepared.feature_space(),
        batch_size=batch_size,
        target=overrides.get("target", prepared.backend_options("perturbation")["target"]),
        baseline=0.0,
        feature_mask=torch.as_tensor(patch_of_pixel)[None],
        missing=missing,
    )
    explanation.metadata["image"] = prepared.image
    return explanation
