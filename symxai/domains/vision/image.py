"""A face image prepared for :func:`symxai.explain`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from symxai.data.faces import FACE, NON_FACE, to_pixel_values
from symxai.domains.vision.patches import patch_space, token_groups
from symxai.features import FeatureSpace

__all__ = ["FaceImage"]


@dataclass
class FaceImage:
    """A ``25 x 25`` grey image prepared for :func:`symxai.explain` (a
    :class:`~symxai.api.DomainInput`): the 25 patches are the features (``p0 ..
    p24`` with regions ``eyes``, ``nose``, ``mouth``, ``rest``), the default target the
    logit difference ``f_face - f_non_face``."""

    image: torch.Tensor | np.ndarray
    pixel_values: torch.Tensor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.pixel_values = to_pixel_values(self.image)

    def model_input(self) -> dict[str, torch.Tensor]:
        """``{"pixel_values": [1, 1, 25, 25]}`` (normalised, :func:`to_pixel_values`)."""
        return {"pixel_values": self.pixel_values}

    def feature_space(self) -> FeatureSpace:
        """The patches (:func:`patch_space`)."""
        return patch_space()

    def backend_options(self, backend: str) -> dict[str, Any]:
        """The target ``(FACE, NON_FACE)``; for transformer-LRP also the patch tokens."""
        options: dict[str, Any] = {"target": (FACE, NON_FACE)}
        if backend == "transformer-lrp":
            options["token_groups"] = token_groups()
        return options
