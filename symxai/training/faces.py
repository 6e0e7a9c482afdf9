"""Training the faces ViT, and the shipped weights.

:func:`train_faces_vit` trains :func:`symxai.models.vit.faces_vit` with AdamW on
flipped/shifted/brightness-jittered training images of
:func:`symxai.data.faces.faces_dataset` (about 15 s on one CPU core;
``examples/train_faces_vit.py`` runs it). The weights that ship in
``symxai/data/models/faces_vit.pt`` are a state_dict loaded with ``weights_only=True``;
``faces_vit.json`` holds the configuration and the accuracies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from symxai.data.faces import augment, faces_dataset, to_pixel_values
from symxai.models.vit import VIT_CONFIG, faces_vit
from symxai.training.store import StateDicts, Trained, load_or_train

__all__ = [
    "WEIGHTS_NAME",
    "TrainedVision",
    "accuracy",
    "load_faces_vit",
    "save_trained",
    "train_faces_vit",
]

WEIGHTS_NAME = "faces_vit"

TrainedVision = Trained
"""A trained faces ViT and its metrics (configuration, accuracies, training settings)."""


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


def save_trained(trained: Trained[Any], folder: Path) -> Path:
    """Write ``faces_vit.pt`` (state_dict) and ``faces_vit.json`` (metrics) to ``folder``."""
    return StateDicts(folder).save(WEIGHTS_NAME, trained)


def load_faces_vit(*, train_if_missing: bool = True) -> Trained[Any]:
    """The faces ViT: the shipped weights, else the cached ones, else trained now (and
    cached). Weights are loaded with ``weights_only=True``; the model is in eval mode."""
    return load_or_train(
        WEIGHTS_NAME,
        lambda metrics: faces_vit(metrics["config"]),
        train_faces_vit,
        train_if_missing=train_if_missing,
        missing="no faces ViT weights found; run examples/train_faces_vit.py",
    )
