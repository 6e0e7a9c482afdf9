"""Trained models and where they are kept: shipped with symxai, cached, or trained now.

:func:`load_or_train` is the one way every default model is obtained::

    found = store.load(name, build)          # shipped weights, else the user's cache
    if found:                 return found
    if not train_if_missing:  raise FileNotFoundError(missing)
    trained = train()                        # minutes, once
    store.save(name, trained)                # so the next call loads it
    return trained

Two stores exist. :class:`StateDicts` keeps ``{name}.pt`` (a state_dict, loaded with
``weights_only=True``) beside ``{name}.json`` (the metrics, including the configuration
``build`` needs to make a fresh model); the copy shipped in ``symxai/data/models`` wins
over the one in the cache folder ``models`` (:func:`symxai.cache.cache_dir`), and new
weights are written to the cache. :class:`PretrainedFolder` keeps a Hugging Face model
in a folder (``save_pretrained``: ``config.json`` + safetensors, no pickle) with its
``metrics.json``, by default the cache folder ``models/{name}``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from symxai.cache import cache_dir, find_weights, load_state, save_weights

__all__ = ["PretrainedFolder", "StateDicts", "Trained", "WeightStore", "load_or_train"]

ModelT = TypeVar("ModelT")


@dataclass
class Trained(Generic[ModelT]):
    """A trained model and its metrics (configuration, accuracies or errors, settings)."""

    model: ModelT
    metrics: dict[str, Any] = field(default_factory=dict)


class WeightStore(Protocol):
    """Where the trained model called ``name`` is found and saved."""

    def load(self, name: str, build: Callable[..., Any]) -> Trained[Any] | None:
        """The stored model (made by ``build``), or ``None`` when nothing is stored."""

    def save(self, name: str, trained: Trained[Any]) -> Path:
        """Store ``trained``; returns where it went."""


@dataclass(frozen=True)
class StateDicts:
    """``{name}.pt`` + ``{name}.json``: shipped in ``symxai/data/models``, else cached.

    ``build(metrics)`` makes a fresh model from the stored metrics (their ``config``);
    the state_dict is loaded into it with ``weights_only=True`` and it is returned in
    eval mode. :meth:`save` writes to ``folder`` (default: the cache folder ``models``).
    """

    folder: Path | None = None

    def load(self, name: str, build: Callable[[dict[str, Any]], Any]) -> Trained[Any] | None:
        found = find_weights(name)
        if found is None:
            return None
        weights, metrics = found
        return Trained(load_state(build(metrics), weights), metrics)

    def save(self, name: str, trained: Trained[Any]) -> Path:
        folder = cache_dir("models") if self.folder is None else self.folder
        return save_weights(trained.model, trained.metrics, folder, name)


@dataclass(frozen=True)
class PretrainedFolder:
    """A Hugging Face model saved with ``save_pretrained`` plus ``metrics.json``.

    ``folder`` defaults to the cache folder ``models/{name}``. ``build(folder)`` loads
    the model from the folder (``from_pretrained``, local files only). The metrics are
    written last, so their presence marks a complete save. ``quiet`` wraps the library
    calls (to silence their log messages).
    """

    folder: Path | None = None
    quiet: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext

    METRICS = "metrics.json"

    def location(self, name: str) -> Path:
        """The folder the model called ``name`` is kept in."""
        return cache_dir("models", name) if self.folder is None else Path(self.folder)

    def load(self, name: str, build: Callable[[Path], Any]) -> Trained[Any] | None:
        folder = self.location(name)
        if not ((folder / self.METRICS).is_file() and (folder / "config.json").is_file()):
            return None
        with self.quiet():
            model = build(folder)
        return Trained(model.eval(), json.loads((folder / self.METRICS).read_text()))

    def save(self, name: str, trained: Trained[Any]) -> Path:
        folder = self.location(name)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / self.METRICS).unlink(missing_ok=True)
        with self.quiet():
            trained.model.save_pretrained(folder)
        (folder / self.METRICS).write_text(json.dumps(trained.metrics, indent=2))
        return folder


def load_or_train(
    name: str,
    build: Callable[..., Any],
    train: Callable[[], Trained[Any]],
    *,
    train_if_missing: bool = True,
    missing: str | None = None,
    store: WeightStore | None = None,
    saved: Callable[[Trained[Any], Path], None] | None = None,
) -> Trained[Any]:
    """The trained model called ``name``: loaded from ``store`` (default
    :class:`StateDicts`: shipped weights, else cached ones), else ``train()``-ed now and
    saved to the store (``saved(trained, where)`` is called afterwards).

    With ``train_if_missing=False`` a missing model raises :class:`FileNotFoundError`
    with the message ``missing`` (default: names ``name``).
    """
    store = StateDicts() if store is None else store
    found = store.load(name, build)
    if found is not None:
        return found
    if not train_if_missing:
        raise FileNotFoundError(missing or f"no trained model {name!r} found")
    trained = train()
    where = store.save(name, trained)
    if saved is not None:
        saved(trained, where)
    return trained
