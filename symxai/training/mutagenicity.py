"""Training the Mutagenicity GIN, and the shipped weights.

The classifier is :class:`symxai.models.GIN` (3 GINConv layers, hidden 64, sum pooling,
linear head) on one-hot element features (:mod:`symxai.data.mutagenicity`), trained by
:func:`train_mutagenicity_gin` (``examples/train_mutagenicity_gin.py`` runs it; about a
minute on 2 CPU cores). The weights that ship in ``symxai/data/models`` were produced
by that script; they are a state_dict loaded with ``weights_only=True``
(:func:`load_mutagenicity_gin`). Class 0 is *mutagen*, class 1 *nonmutagen*.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from symxai.data.mutagenicity import (
    MUTAGENICITY_ELEMENTS,
    mutagenicity_graphs,
    mutagenicity_split,
)
from symxai.models.gin import GIN
from symxai.training.graph_classifier import train_graph_classifier
from symxai.training.store import StateDicts, Trained, load_or_train

__all__ = [
    "WEIGHTS_NAME",
    "TrainedModel",
    "load_mutagenicity_gin",
    "save_trained",
    "train_mutagenicity_gin",
]

WEIGHTS_NAME = "mutagenicity_gin"

TrainedModel = Trained
"""A trained model with its configuration and metrics (accuracies per split)."""


def train_mutagenicity_gin(
    *,
    epochs: int = 50,
    hidden: int = 64,
    num_layers: int = 3,
    learning_rate: float = 3e-3,
    batch_size: int = 64,
    seed: int = 0,
    progress: Callable[[int, float, float], None] | None = None,
) -> TrainedModel:
    """Train a GIN on Mutagenicity; keep the epoch with the best validation accuracy.

    ``progress(epoch, train_loss, val_accuracy)`` is called after every epoch.
    """
    data = mutagenicity_graphs()
    split = mutagenicity_split(len(data), seed)
    torch.manual_seed(seed)
    model = GIN(len(MUTAGENICITY_ELEMENTS), hidden, num_layers, 2)
    accuracies = train_graph_classifier(
        model,
        data,
        split,
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )
    metrics = {"config": model.config, "epochs": epochs, "seed": seed, **accuracies}
    return TrainedModel(model, metrics)


def save_trained(trained: Trained[GIN], folder: Path) -> Path:
    """Write ``mutagenicity_gin.pt`` (state_dict) and ``mutagenicity_gin.json`` to ``folder``."""
    return StateDicts(folder).save(WEIGHTS_NAME, trained)


def load_mutagenicity_gin(*, train_if_missing: bool = True) -> Trained[GIN]:
    """The Mutagenicity GIN: the shipped weights, else the cached ones, else trained now
    (and cached). Weights are loaded with ``weights_only=True``. The model names its
    outputs ``output_names = ("mutagen", "nonmutagen")`` (class 0, class 1)."""
    trained = load_or_train(
        WEIGHTS_NAME,
        lambda metrics: GIN(**metrics["config"]),
        train_mutagenicity_gin,
        train_if_missing=train_if_missing,
        missing="no Mutagenicity GIN weights found; run examples/train_mutagenicity_gin.py",
    )
    trained.model.output_names = ("mutagen", "nonmutagen")
    return trained
