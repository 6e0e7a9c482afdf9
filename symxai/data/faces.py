"""Faces: 200 grayscale 25x25 crops, faces and non-faces, with a fixed split.

:func:`faces_dataset` loads scikit-image's ``lfw_subset()``: 200 grayscale 25x25 crops
from Labeled Faces in the Wild, the first 100 aligned faces, the last 100 background
patches of the same photographs. Labels are ``1`` (:data:`FACE`) and ``0``
(:data:`NON_FACE`); the train/test split is fixed and stratified (70 + 30 images per
class). The images are float ``[0, 1]``; models take ``pixel_values =
(image - 0.5) / 0.5`` (:func:`to_pixel_values`, the Hugging Face ``ViTImageProcessor``
default normalisation). :func:`augment` jitters images for training.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "FACE",
    "IMAGE_SIZE",
    "NON_FACE",
    "FacesData",
    "augment",
    "faces_dataset",
    "to_pixel_values",
]

FACE, NON_FACE = 1, 0
IMAGE_SIZE = 25
"""Height and width of every image, in pixels."""
PIXEL_MEAN, PIXEL_STD = 0.5, 0.5


@dataclass(frozen=True)
class FacesData:
    """The 200 ``lfw_subset`` images, their labels and a fixed stratified split.

    ``images`` is float32 ``[200, 1, 25, 25]`` in ``[0, 1]``, ``labels`` int64 ``[200]``
    (1 = face), ``train`` and ``test`` disjoint index arrays covering all images.
    """

    images: torch.Tensor
    labels: torch.Tensor
    train: np.ndarray
    test: np.ndarray

    def pixel_values(self, indices: np.ndarray | Sequence[int] | None = None) -> torch.Tensor:
        """Model inputs (normalised images) of the given images (all by default)."""
        images = self.images if indices is None else self.images[torch.as_tensor(indices)]
        return to_pixel_values(images)


def faces_dataset(seed: int = 0, test_fraction: float = 0.3) -> FacesData:
    """``skimage.data.lfw_subset()`` as tensors, with a stratified train/test split.

    The first 100 images are faces (label 1), the last 100 non-faces (label 0). The split
    draws ``round(test_fraction * 100)`` test images from each class with ``seed``.
    """
    from skimage.data import lfw_subset

    raw = np.asarray(lfw_subset(), dtype=np.float32)
    if raw.max() > 1.0:  # documented as uint8 in some scikit-image versions
        raw = raw / 255.0
    images = torch.from_numpy(raw).unsqueeze(1).contiguous()
    labels = torch.cat([torch.full((100,), FACE), torch.full((100,), NON_FACE)]).long()
    rng = np.random.default_rng(seed)
    per_class = round(test_fraction * 100)
    train: list[np.ndarray] = []
    test: list[np.ndarray] = []
    for start in (0, 100):
        order = start + rng.permutation(100)
        test.append(order[:per_class])
        train.append(order[per_class:])
    return FacesData(
        images=images,
        labels=labels,
        train=np.sort(np.concatenate(train)),
        test=np.sort(np.concatenate(test)),
    )


def to_pixel_values(images: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Normalise ``[0, 1]`` images to model inputs ``(x - 0.5) / 0.5`` of shape
    ``[B, 1, 25, 25]`` (accepts ``[25, 25]``, ``[1, 25, 25]`` or ``[B, 1, 25, 25]``)."""
    tensor = torch.as_tensor(images, dtype=torch.float32)
    while tensor.dim() < 4:
        tensor = tensor.unsqueeze(0)
    if tuple(tensor.shape[1:]) != (1, IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(
            f"expected images of shape [B, 1, {IMAGE_SIZE}, {IMAGE_SIZE}],"
            f" got {tuple(tensor.shape)}"
        )
    return (tensor - PIXEL_MEAN) / PIXEL_STD


def augment(images: torch.Tensor, generator: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Random horizontal flips, shifts by up to ``max_shift`` pixels (edge-replicated) and
    brightness/contrast jitter of ``[B, 1, H, W]`` images in ``[0, 1]``; for training only."""
    count, _, height, width = images.shape
    flip = torch.rand(count, generator=generator) < 0.5
    out = torch.where(flip[:, None, None, None], images.flip(-1), images)
    if max_shift > 0:
        padded = torch.nn.functional.pad(out, (max_shift,) * 4, mode="replicate")
        offsets = torch.randint(0, 2 * max_shift + 1, (count, 2), generator=generator)
        out = torch.stack(
            [
                padded[i, :, top : top + height, left : left + width]
                for i, (top, left) in enumerate(offsets.tolist())
            ]
        )
    contrast = 1.0 + 0.2 * (2 * torch.rand(count, 1, 1, 1, generator=generator) - 1)
    brightness = 0.1 * (2 * torch.rand(count, 1, 1, 1, generator=generator) - 1)
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    return ((out - mean) * contrast + mean + brightness).clamp(0.0, 1.0)
