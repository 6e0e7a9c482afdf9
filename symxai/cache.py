"""Where symxai keeps trained weights: ``$SYMXAI_CACHE``, else ``$XDG_CACHE_HOME/symxai``,
else ``~/.cache/symxai``. Weights are saved as state_dicts and loaded with
``weights_only=True``."""

from __future__ import annotations

import json
import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "find_weights", "load_state", "save_weights"]


def cache_dir(*parts: str) -> Path:
    """The cache folder (created), optionally a sub-folder of it."""
    root = os.environ.get("SYMXAI_CACHE")
    if root is None:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = str(Path(base) / "symxai")
    path = Path(root, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_weights(model: Any, metrics: dict[str, Any], folder: Path, name: str) -> Path:
    """Write ``{name}.pt`` (the model's state_dict) and ``{name}.json`` (its metrics, which
    include the configuration needed to rebuild it) to ``folder``; returns the weights path."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / f"{name}.pt"
    state = {key: value.detach().clone() for key, value in model.state_dict().items()}
    torch.save(state, weights)
    (folder / f"{name}.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return weights


def find_weights(name: str) -> tuple[Traversable, dict[str, Any]] | None:
    """The weights file and metrics of a trained model called ``name``: the copy shipped in
    ``symxai/data/models``, else the one in the cache folder, else ``None``."""
    cached = cache_dir("models")
    shipped = resources.files("symxai.data") / "models"
    for folder in (shipped, cached):
        weights, metrics = folder / f"{name}.pt", folder / f"{name}.json"
        if weights.is_file() and metrics.is_file():
            return weights, json.loads(metrics.read_text())
    return None


def load_state(model: Any, weights: Traversable) -> Any:
    """Load a state_dict into ``model`` with ``weights_only=True``; returns it in eval mode."""
    import torch

    with weights.open("rb") as handle:
        model.load_state_dict(torch.load(handle, weights_only=True))
    return model.eval()
