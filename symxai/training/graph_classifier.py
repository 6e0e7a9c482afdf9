"""Training a graph classifier (a PyG GNN with ``model(x, edge_index, batch)``) by
cross-entropy, keeping the epoch with the best validation accuracy.

Shared by the Mutagenicity GIN and the BA-2motif GIN: Adam, shuffled mini-batches from a
seeded generator, ``torch.manual_seed(seed)`` before the model is built by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

__all__ = ["Progress", "graph_accuracy", "train_graph_classifier"]

Progress = Callable[[int, float, float], None]
"""``progress(epoch, train_loss, val_accuracy)``, called after every epoch."""


def graph_accuracy(model: torch.nn.Module, graphs: Sequence[Any]) -> float:
    """Share of ``graphs`` whose arg-max logit is their label ``y`` (batches of 512)."""
    from torch_geometric.loader import DataLoader

    model.eval()
    correct = 0
    with torch.no_grad():
        for batch in DataLoader(list(graphs), batch_size=512):
            predicted = model(batch.x, batch.edge_index, batch.batch).argmax(1)
            correct += int((predicted == batch.y).sum())
    return correct / max(1, len(graphs))


def train_graph_classifier(
    model: torch.nn.Module,
    graphs: Sequence[Any],
    split: dict[str, Any],
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    seed: int,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Train ``model`` on ``graphs[split["train"]]`` (cross-entropy, Adam), keep the
    weights of the epoch with the best accuracy on ``split["val"]``, and return the
    accuracy on every part of ``split`` (``train_accuracy``, ``val_accuracy``, ...)."""
    from torch_geometric.loader import DataLoader

    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    loader = DataLoader(
        [graphs[i] for i in split["train"]],
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    validation = [graphs[i] for i in split["val"]]
    best_accuracy, best_state = -1.0, model.state_dict()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for batch in loader:
            optimiser.zero_grad()
            logits = model(batch.x, batch.edge_index, batch.batch)
            loss = torch.nn.functional.cross_entropy(logits, batch.y)
            loss.backward()
            optimiser.step()
            total += loss.item() * batch.num_graphs
        accuracy = graph_accuracy(model, validation)
        if accuracy > best_accuracy:
            best_accuracy = accuracy
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if progress is not None:
            progress(epoch, total / len(split["train"]), accuracy)
    model.load_state_dict(best_state)
    model.eval()
    return {
        f"{name}_accuracy": graph_accuracy(model, [graphs[i] for i in indices])
        for name, indices in split.items()
    }
