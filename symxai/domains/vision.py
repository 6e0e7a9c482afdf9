"""Vision: a small ViT that tells faces from non-faces, and its image patches as features.

Data. :func:`faces_dataset` loads scikit-image's ``lfw_subset()``: 200 grayscale 25x25
crops from Labeled Faces in the Wild, the first 100 aligned faces, the last 100 background
patches of the same photographs. Labels are ``1`` (:data:`FACE`) and ``0``
(:data:`NON_FACE`); the train/test split is fixed and stratified (70 + 30 images per
class). The images are float ``[0, 1]``; the model takes ``pixel_values =
(image - 0.5) / 0.5`` (:func:`to_pixel_values`, the Hugging Face ``ViTImageProcessor``
default normalisation).

Model. :func:`faces_vit` builds a ``transformers.ViTForImageClassification`` with
:data:`VIT_CONFIG` (25x25 input, 5x5 patches, one channel, hidden 64, 4 layers, 4 heads,
MLP 128, 2 labels) and eager attention, so that the attention softmax is an explicit op
that the transformer LRP backend can hook. The sequence has 26 tokens: token 0 is [CLS],
token ``1 + p`` is patch ``p`` (row-major). :func:`train_faces_vit` trains it with Adam
on flipped/shifted/brightness-jittered training images (about 15 s on one CPU core;
``examples/train_faces_vit.py`` runs it). The weights that ship in
``symxai/data/models/faces_vit.pt`` are a state_dict loaded with ``weights_only=True``;
``faces_vit.json`` holds the configuration and the accuracies.

Features. :func:`patch_space` names the patches ``p0 .. p24`` (``p{row * 5 + col}``), with a
``region`` label column and groups placed on the mean face of the data set (the crops are
aligned, so the parts of the face sit at nearly the same pixels in every image)::

    patch grid (5x5 pixels each)     regions
     0  1  2  3  4                   eyes  = p6 p7 p8     (pixel rows 6-9, columns 4-18)
     5  6  7  8  9                   nose  = p12          (pixel rows 10-15, columns 8-13)
    10 11 12 13 14                   mouth = p16 p17      (pixel rows 16-19, columns 5-15)
    15 16 17 18 19                   rest  = every other patch
    20 21 22 23 24

Regions are pixel boxes (:data:`REGION_BOXES`); a patch belongs to the region covering at
least half of its pixels, so other grids (:func:`patch_space` with ``grid=25`` is per
pixel) get consistent regions. Groups ``row0 .. row4`` and ``col0 .. col4`` name the rows
and columns of the grid. :func:`token_groups` maps features to ViT tokens for the
backend and :func:`patch_heatmap` draws per-patch relevances over the image.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from symxai.api import explain
from symxai.backends.lrp import RuleSpec
from symxai.cache import cache_dir, find_weights, load_state, save_weights
from symxai.explanation import Explanation
from symxai.features import FeatureSpace

__all__ = [
    "FACE",
    "IMAGE_SIZE",
    "NON_FACE",
    "PATCH_SIZE",
    "REGIONS",
    "REGION_BOXES",
    "VIT_CONFIG",
    "FaceImage",
    "FacesData",
    "TrainedVision",
    "accuracy",
    "augment",
    "explain_face",
    "faces_dataset",
    "faces_vit",
    "load_faces_vit",
    "patch_bounds",
    "patch_heatmap",
    "patch_regions",
    "patch_space",
    "save_trained",
    "to_pixel_values",
    "token_groups",
    "train_faces_vit",
]

FACE, NON_FACE = 1, 0
IMAGE_SIZE = 25
PATCH_SIZE = 5
GRID = IMAGE_SIZE // PATCH_SIZE
PIXEL_MEAN, PIXEL_STD = 0.5, 0.5
WEIGHTS_NAME = "faces_vit"

VIT_CONFIG: dict[str, Any] = {
    "image_size": IMAGE_SIZE,
    "patch_size": PATCH_SIZE,
    "num_channels": 1,
    "hidden_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "intermediate_size": 128,
    "num_labels": 2,
}
"""Configuration of the faces ViT (``transformers.ViTConfig`` keyword arguments)."""

REGION_BOXES: dict[str, tuple[int, int, int, int]] = {
    "eyes": (6, 10, 4, 19),
    "nose": (10, 16, 8, 14),
    "mouth": (16, 20, 5, 16),
}
"""Face regions as pixel boxes ``(row_start, row_stop, col_start, col_stop)`` (stops
exclusive) of the 25x25 crops, read off the mean face of ``lfw_subset()``."""

REGIONS = (*REGION_BOXES, "rest")
"""Values of the ``region`` label column."""


# ---------------------------------------------------------------------------- data
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


# --------------------------------------------------------------------------- model
def faces_vit(config: dict[str, Any] | None = None) -> Any:
    """A fresh ``ViTForImageClassification`` (default :data:`VIT_CONFIG`) with eager
    attention: the softmax over attention scores is an explicit op."""
    from transformers import ViTConfig, ViTForImageClassification

    vit_config = ViTConfig(**(config or VIT_CONFIG))
    vit_config._attn_implementation = "eager"
    model = ViTForImageClassification(vit_config)
    model.config._attn_implementation = "eager"
    return model


@dataclass
class TrainedVision:
    """A trained faces ViT and its metrics (configuration, accuracies, training settings)."""

    model: Any
    metrics: dict[str, Any] = field(default_factory=dict)


def accuracy(model: torch.nn.Module, pixel_values: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of images whose arg-max logit is the label."""
    model.eval()
    with torch.no_grad():
        logits = model(pixel_values=pixel_values).logits
    return float((logits.argmax(1) == labels).float().mean())


def train_faces_vit(
    *,
    epochs: int = 150,
    learning_rate: float = 1e-3,
    weight_decay: float = 1e-4,
    batch_size: int = 28,
    seed: int = 0,
    progress: Callable[[int, float, float], None] | None = None,
) -> TrainedVision:
    """Train the faces ViT on the training split of :func:`faces_dataset` (AdamW, cosine
    learning-rate decay, augmented images) for a fixed number of epochs; the test split is
    only evaluated, never used for selection.

    ``progress(epoch, train_loss, train_accuracy)`` is called after every epoch (the
    accuracy on the un-augmented training images).
    """
    data = faces_dataset(seed=0)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = faces_vit()
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    steps_per_epoch = -(-len(data.train) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, epochs * steps_per_epoch)
    train_images = data.images[torch.as_tensor(data.train)]
    train_labels = data.labels[torch.as_tensor(data.train)]
    train_inputs = to_pixel_values(train_images)
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(train_labels), generator=generator)
        total = 0.0
        for batch in order.split(batch_size):
            inputs = to_pixel_values(augment(train_images[batch], generator))
            loss = torch.nn.functional.cross_entropy(
                model(pixel_values=inputs).logits, train_labels[batch]
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        if progress is not None:
            train_accuracy = accuracy(model, train_inputs, train_labels)
            progress(epoch, total / len(train_labels), train_accuracy)
    model.eval()
    metrics = {
        "config": dict(VIT_CONFIG),
        "epochs": epochs,
        "learning_rate": learning_rate,
        "weight_decay": weight_decay,
        "batch_size": batch_size,
        "seed": seed,
        "training_seconds": round(time.perf_counter() - start, 1),
        "train_accuracy": accuracy(model, train_inputs, train_labels),
        "test_accuracy": accuracy(
            model, data.pixel_values(data.test), data.labels[torch.as_tensor(data.test)]
        ),
    }
    return TrainedVision(model, metrics)


def save_trained(trained: TrainedVision, folder: Path) -> Path:
    """Write ``faces_vit.pt`` (state_dict) and ``faces_vit.json`` (metrics) to ``folder``."""
    return save_weights(trained.model, trained.metrics, folder, WEIGHTS_NAME)


def load_faces_vit(*, train_if_missing: bool = True) -> TrainedVision:
    """The faces ViT: the shipped weights, else the cached ones, else trained now (and
    cached). Weights are loaded with ``weights_only=True``; the model is in eval mode."""
    found = find_weights(WEIGHTS_NAME)
    if found is not None:
        weights, info = found
        return TrainedVision(load_state(faces_vit(info["config"]), weights), info)
    if not train_if_missing:
        raise FileNotFoundError("no faces ViT weights found; run examples/train_faces_vit.py")
    trained = train_faces_vit()
    save_trained(trained, cache_dir("models"))
    return trained


# ------------------------------------------------------------------------ features
def token_groups(grid: int = GRID) -> list[list[int]]:
    """ViT token indices of each patch feature: feature ``p`` is token ``1 + p`` (token 0,
    [CLS], belongs to no feature and is always kept)."""
    return [[1 + patch] for patch in range(grid * grid)]


def patch_bounds(grid: int = GRID, size: int = IMAGE_SIZE) -> np.ndarray:
    """Pixel boundaries ``[grid + 1]`` of the grid rows (= columns) over a ``size`` image."""
    if not 1 <= grid <= size:
        raise ValueError(f"grid must be between 1 and {size}, got {grid}")
    return np.round(np.linspace(0, size, grid + 1)).astype(int)


def patch_regions(grid: int = GRID) -> list[str]:
    """Region of every patch (row-major): the :data:`REGION_BOXES` box that covers at least
    half of the patch's pixels, else ``"rest"``."""
    bounds = patch_bounds(grid)
    regions = []
    for row in range(grid):
        for col in range(grid):
            top, bottom = bounds[row], bounds[row + 1]
            left, right = bounds[col], bounds[col + 1]
            area = (bottom - top) * (right - left)
            best, best_overlap = "rest", 0
            for name, (r0, r1, c0, c1) in REGION_BOXES.items():
                overlap = max(0, min(bottom, r1) - max(top, r0)) * max(
                    0, min(right, c1) - max(left, c0)
                )
                if overlap > best_overlap:
                    best, best_overlap = name, overlap
            regions.append(best if 2 * best_overlap >= area else "rest")
    return regions


def patch_space(grid: int = GRID) -> FeatureSpace:
    """Features = the ``grid x grid`` patches, named ``p{row * grid + col}``.

    Label column ``region`` (``eyes``, ``nose``, ``mouth``, ``rest``; see
    :func:`patch_regions`), the same regions as groups, and groups ``row{r}`` / ``col{c}``.
    Queries such as ``eyes & mouth``, ``eyes & ~mouth`` or ``region:nose`` resolve here.
    """
    regions = patch_regions(grid)
    groups: dict[str, list[int]] = {}
    for name in REGIONS:
        members = [i for i, region in enumerate(regions) if region == name]
        if members:
            groups[name] = members
    for row in range(grid):
        groups[f"row{row}"] = [row * grid + col for col in range(grid)]
    for col in range(grid):
        groups[f"col{col}"] = [row * grid + col for row in range(grid)]
    return FeatureSpace(
        [f"p{i}" for i in range(grid * grid)], labels={"region": regions}, groups=groups
    )


# ------------------------------------------------------------------------- drawing
_FORMATS = (".png", ".svg")


def _grayscale(image: torch.Tensor | np.ndarray) -> np.ndarray:
    array = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    array = np.asarray(array, dtype=np.float64)
    while array.ndim > 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 3 and array.shape[0] == 3:
        array = array.mean(axis=0)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D (or 1-channel) image, got shape {array.shape}")
    return array


REGION_COLOURS = {"eyes": "#f2c12e", "nose": "#2ca25f", "mouth": "#d4409b"}
"""Outline colour of each named region in :func:`patch_heatmap`."""

UPSCALE = 8
"""Each pixel of a face becomes ``UPSCALE x UPSCALE`` pixels in :func:`patch_heatmap`."""


def _region_outlines(grid: int, size: int) -> dict[str, list[tuple[list[float], list[float]]]]:
    """Line segments ``(xs, ys)`` (in pixel coordinates of a ``size`` image) around the
    patches of every named region: the sides a region's patch does not share with
    another patch of the same region."""
    regions = patch_regions(grid)
    bounds = patch_bounds(grid, size) - 0.5
    segments: dict[str, list[tuple[list[float], list[float]]]] = {}
    for index, region in enumerate(regions):
        if region == "rest":
            continue
        row, col = divmod(index, grid)
        top, bottom = bounds[row], bounds[row + 1]
        left, right = bounds[col], bounds[col + 1]
        sides = {
            (row - 1, col): ([left, right], [top, top]),
            (row + 1, col): ([left, right], [bottom, bottom]),
            (row, col - 1): ([left, left], [top, bottom]),
            (row, col + 1): ([right, right], [top, bottom]),
        }
        for (r, c), segment in sides.items():
            inside = 0 <= r < grid and 0 <= c < grid
            if not inside or regions[r * grid + c] != region:
                segments.setdefault(region, []).append(segment)
    return segments


def patch_heatmap(
    values_per_patch: Sequence[float] | np.ndarray | torch.Tensor,
    image: torch.Tensor | np.ndarray,
    path: str | Path,
    *,
    title: str = "",
    grid: int = GRID,
    vmax: float | None = None,
    outline_regions: bool = True,
) -> Path:
    """Draw ``image`` (grayscale, smoothly upscaled :data:`UPSCALE` times) with every
    patch tinted by its relevance, a colour bar, and the eyes, nose and mouth outlined.

    The scale is symmetric (:mod:`symxai.domains.colours`): a patch of relevance ``R``
    is tinted red (``R > 0``) or blue (``R < 0``) with opacity ``0.75 |R| / vmax``
    (clipped to 1), so a patch of relevance 0 shows the bare image. ``vmax`` defaults to
    this picture's ``max |R|``; give several pictures the same ``vmax`` to compare them
    (near-zero relevances then stay faint). ``outline_regions`` draws the border of the
    patches of each region (:func:`patch_regions`, the features that ``eyes``, ``nose``
    and ``mouth`` resolve to). ``path`` ends in ``.png`` or ``.svg``.

    Raises ``ValueError`` for another suffix, a ``values_per_patch`` that is not a
    finite vector of ``grid * grid`` entries, or a ``vmax`` that is not positive.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    from symxai.domains.colours import colour_scale, relevance_colormap

    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise ValueError(
            f"cannot draw to {str(path)!r}: the suffix must be one of {', '.join(_FORMATS)}"
        )
    if isinstance(values_per_patch, torch.Tensor):
        values_per_patch = values_per_patch.detach().cpu().numpy()
    values = np.asarray(values_per_patch, dtype=np.float64)
    if values.ndim != 1 or values.size != grid * grid:
        raise ValueError(
            f"values_per_patch must be a vector of length {grid * grid} ({grid}x{grid} patches),"
            f" got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("values_per_patch must be finite")
    pixels = _grayscale(image)
    height, width = pixels.shape
    scale = colour_scale(values, vmax)
    cmap = relevance_colormap()
    norm = Normalize(-scale, scale)

    overlay = np.zeros((height, width, 4))
    rows, cols = patch_bounds(grid, height), patch_bounds(grid, width)
    for index, value in enumerate(values):
        row, col = divmod(index, grid)
        strength = min(abs(value) / scale, 1.0)
        overlay[rows[row] : rows[row + 1], cols[col] : cols[col + 1]] = (
            *cmap(norm(value))[:3],
            0.75 * strength,
        )

    extent = (-0.5, width - 0.5, height - 0.5, -0.5)
    figure = Figure(figsize=(5.6, 4.6), layout="constrained")
    axes = figure.add_subplot()
    smooth = torch.nn.functional.interpolate(
        torch.as_tensor(pixels, dtype=torch.float32)[None, None],
        scale_factor=UPSCALE,
        mode="bicubic",
        align_corners=False,
    )[0, 0].clamp(float(pixels.min()), float(pixels.max()))
    axes.imshow(smooth.numpy(), cmap="gray", interpolation="nearest", extent=extent)
    axes.imshow(overlay, interpolation="nearest", extent=extent)
    for boundary in rows[1:-1]:
        axes.axhline(boundary - 0.5, color="white", linewidth=0.4, alpha=0.5)
    for boundary in cols[1:-1]:
        axes.axvline(boundary - 0.5, color="white", linewidth=0.4, alpha=0.5)
    if outline_regions and (height, width) == (IMAGE_SIZE, IMAGE_SIZE):
        for region, segments in _region_outlines(grid, height).items():
            for number, (xs, ys) in enumerate(segments):
                axes.plot(
                    xs,
                    ys,
                    color=REGION_COLOURS[region],
                    linewidth=2.2,
                    solid_capstyle="round",
                    label=region if number == 0 else None,
                )
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncol=len(REGION_COLOURS),
            frameon=False,
            fontsize=8,
        )
    axes.set_xlim(extent[0], extent[1])
    axes.set_ylim(extent[2], extent[3])
    axes.set_xticks([])
    axes.set_yticks([])
    if title:
        axes.set_title(title, fontsize=10)
    figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axes, shrink=0.85, label="relevance")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=150 if path.suffix.lower() == ".png" else None)
    return path


# ---------------------------------------------------------------------- explanations
@dataclass
class FaceImage:
    """A ``25 x 25`` grey image prepared for :func:`symxai.explain` (a
    :class:`~symxai.backends.DomainInput`): the 25 patches are the features (``p0 ..
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


def explain_face(
    image: torch.Tensor | np.ndarray,
    model: torch.nn.Module | None = None,
    *,
    backend: str = "lrp",
    target: Any = None,
    rules: RuleSpec = None,
    attention: str | None = None,
    batch_size: int = 64,
) -> Explanation:
    """Explain the face-vs-non-face prediction of the ViT on one ``25 x 25`` image:
    ``symxai.explain(model, FaceImage(image))`` with the shipped ViT as the default model.

    Features are the 25 patches (``p0 .. p24`` with regions ``eyes``, ``nose``,
    ``mouth``, ``rest``). ``backend="lrp"``: token-set relevance of the patch tokens by
    :class:`~symxai.backends.transformer_lrp.TransformerLRPBackend` ([CLS] always on;
    ``attention`` ``"constant"`` by default, or ``"attnlrp"``);
    ``backend="perturbation"``: the output with the patches outside ``S`` set to the
    mean grey (pixel value 0.5, i.e. 0 after normalisation). The default target is the
    :class:`FaceImage`'s, the logit difference ``f_face - f_non_face``.
    """
    if backend not in ("lrp", "perturbation"):
        raise ValueError(f"backend must be 'lrp' or 'perturbation', got {backend!r}")
    if model is None:
        model = load_faces_vit().model
    prepared = FaceImage(image)
    given = {"target": target, "rules": rules, "attention": attention}
    overrides = {key: value for key, value in given.items() if value is not None}
    if backend == "lrp":
        return explain(model, prepared, "transformer-lrp", batch_size=batch_size, **overrides)
    grid = np.arange(GRID * GRID).reshape(GRID, GRID)
    patch_of_pixel = grid.repeat(PATCH_SIZE, axis=0).repeat(PATCH_SIZE, axis=1)
    return explain(
        lambda batch: model(pixel_values=batch),
        prepared.pixel_values[0],
        "perturbation",
        space=prepared.feature_space(),
        batch_size=batch_size,
        target=overrides.get("target", prepared.backend_options("perturbation")["target"]),
        baseline=0.0,
        feature_mask=torch.as_tensor(patch_of_pixel)[None],
    )
