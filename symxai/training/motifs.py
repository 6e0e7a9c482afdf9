"""Training the GINs of the motif benchmarks, and the shipped weights.

* ``ba2motif_gin``: :class:`symxai.models.GIN` (3 GINConv layers, hidden 32, mean
  pooling, linear head, 2 classes) on BA-2motif (:func:`symxai.data.motifs.ba_2motif`),
  trained by :func:`train_ba2motif_gin` with Adam and cross-entropy on the 80 % training
  split, keeping the epoch of best validation accuracy.
* ``bashapes_gin``: :class:`symxai.models.NodeGIN` (3 GINConv layers, hidden 32, a
  linear head per node, 4 classes) on the BA-shapes graph
  (:func:`symxai.data.motifs.ba_shapes`), full-graph training on the training nodes
  (:func:`train_bashapes_gin`), same selection.

``examples/train_motif_gins.py`` runs both (seconds on 2 CPU cores); the weights in
``symxai/data/models`` were written by it and are loaded with ``weights_only=True``
(:func:`load_ba2motif_gin`, :func:`load_bashapes_gin`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from symxai.data.motifs import BA2MOTIF_CLASSES, BASHAPES_CLASSES, FEATURE_DIM
from symxai.models.gin import GIN
from symxai.models.node_gin import NodeGIN
from symxai.training.graph_classifier import Progress, train_graph_classifier
from symxai.training.store import StateDicts, Trained, load_or_train

__all__ = [
    "BA2MOTIF_WEIGHTS",
    "BASHAPES_WEIGHTS",
    "load_ba2motif_gin",
    "load_bashapes_gin",
    "save_trained_motif_gin",
    "train_ba2motif_gin",
    "train_bashapes_gin",
]

BA2MOTIF_WEIGHTS = "ba2motif_gin"
BASHAPES_WEIGHTS = "bashapes_gin"


def train_ba2motif_gin(
    *,
    epochs: int = 100,
    hidden: int = 32,
    num_layers: int = 3,
    learning_rate: float = 3e-3,
    batch_size: int = 64,
    seed: int = 0,
    progress: Progress | None = None,
) -> Trained[GIN]:
    """Train the BA-2motif GIN (module docstring); ``progress(epoch, loss, val_acc)``."""
    from symxai.data.motifs import ba_2motif, seeded_split

    graphs = [graph.data for graph in ba_2motif()]
    split = seeded_split(len(graphs), seed)
    torch.manual_seed(seed)
    model = GIN(FEATURE_DIM, hidden, num_layers, len(BA2MOTIF_CLASSES), pooling="add")
    accuracies = train_graph_classifier(
        model,
        graphs,
        split,
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )
    metrics: dict[str, Any] = {"config": model.config, "epochs": epochs, "seed": seed}
    metrics.update(accuracies)
    return Trained(model, metrics)


def train_bashapes_gin(
    *,
    epochs: int = 800,
    hidden: int = 32,
    num_layers: int = 3,
    learning_rate: float = 3e-3,
    seed: int = 0,
    progress: Progress | None = None,
) -> Trained[NodeGIN]:
    """Train the BA-shapes node GIN (module docstring); ``progress(epoch, loss, val_acc)``."""
    from symxai.data.motifs import ba_shapes, seeded_split

    graph = ba_shapes()
    data, labels = graph.data, graph.data.y
    split = {k: torch.as_tensor(v) for k, v in seeded_split(graph.num_nodes, seed).items()}
    torch.manual_seed(seed)
    model = NodeGIN(FEATURE_DIM, hidden, num_layers, len(BASHAPES_CLASSES))
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)

    def accuracy(indices: torch.Tensor) -> float:
        model.eval()
        with torch.no_grad():
            predicted = model(data.x, data.edge_index).argmax(1)
        return float((predicted[indices] == labels[indices]).float().mean())

    best_accuracy, best_state = -1.0, model.state_dict()
    for epoch in range(epochs):
        model.train()
        optimiser.zero_grad()
        logits = model(data.x, data.edge_index)
        loss = torch.nn.functional.cross_entropy(logits[split["train"]], labels[split["train"]])
        loss.backward()
        optimiser.step()
        validation = accuracy(split["val"])
        if validation > best_accuracy:
            best_accuracy = validation
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if progress is not None:
            progress(epoch, float(loss.detach()), validation)
    model.load_state_dict(best_state)
    model.eval()
    metrics: dict[str, Any] = {"config": model.config, "epochs": epochs, "seed": seed}
    for name, indices in split.items():
        metrics[f"{name}_accuracy"] = accuracy(indices)
    return Trained(model, metrics)


def save_trained_motif_gin(name: str, trained: Trained[Any], folder: Path) -> Path:
    """Write ``{name}.pt`` (state_dict) and ``{name}.json`` (metrics) to ``folder``."""
    return StateDicts(folder).save(name, trained)


def load_ba2motif_gin(*, train_if_missing: bool = True) -> Trained[GIN]:
    """The BA-2motif GIN: shipped weights, else cached ones, else trained now (and cached)."""
    return load_or_train(
        BA2MOTIF_WEIGHTS,
        lambda metrics: GIN(**metrics["config"]),
        train_ba2motif_gin,
        train_if_missing=train_if_missing,
        missing="no BA-2motif GIN weights found; run examples/train_motif_gins.py",
    )


def load_bashapes_gin(*, train_if_missing: bool = True) -> Trained[NodeGIN]:
    """The BA-shapes node GIN: shipped weights, else cached ones, else trained now."""
    return load_or_train(
        BASHAPES_WEIGHTS,
        lambda metrics: NodeGIN(**metrics["config"]),
        train_bashapes_gin,
        train_if_missing=train_if_missing,
        missing="no BA-shapes GIN weights found; run examples/train_motif_gins.py",
    )
