"""Fine-tuning MiniLM on Rotten Tomatoes sentiment, and the cached classifier.

:func:`train_sentiment_classifier` fine-tunes all-MiniLM-L6-v2
(:func:`symxai.models.minilm.minilm_classifier`) on the training split of
:func:`symxai.data.rotten_tomatoes.rotten_tomatoes`. ``examples/train_sentiment.py``
runs it (one epoch, 85 s of training on 2 CPU cores, held-out test accuracy 0.83).
The weights (90 MB) do not ship: :func:`load_sentiment_classifier` reads them from the
symxai cache (``models/sentiment_minilm``, written with ``save_pretrained`` as
safetensors, no pickle) and trains them on demand when the cache is empty, saying so on
stderr with a progress bar (:func:`training_progress`).
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import BertForSequenceClassification

from symxai.data.rotten_tomatoes import rotten_tomatoes, sentiment_split
from symxai.models.minilm import (
    MAX_LENGTH,
    load_tokenizer,
    minilm_classifier,
    predict_logits,
    quiet_transformers,
)
from symxai.training.store import PretrainedFolder, Trained, load_or_train

__all__ = [
    "MODEL_NAME",
    "TrainedText",
    "load_sentiment_classifier",
    "save_trained",
    "train_sentiment_classifier",
    "training_progress",
]

MODEL_NAME = "sentiment_minilm"
"""The cache folder ``models/sentiment_minilm`` holds the fine-tuned classifier."""

TrainedText = Trained
"""A fine-tuned sentence classifier and its metrics (test accuracy, config ...)."""


@contextlib.contextmanager
def _threads(count: int | None) -> Iterator[None]:
    previous = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _training_order(
    rows: np.ndarray,
    epochs: float,
    batch_size: int,
    token_counts: np.ndarray,
    rng: np.random.Generator,
) -> list[list[int]]:
    """Batches of row indices: every epoch a fresh permutation (a fractional epoch is a
    prefix of one), cut into pools of 16 batches sorted by token count, so that a batch
    holds sentences of similar length (less padding), and the batches shuffled."""
    order: list[int] = []
    for _ in range(math.ceil(epochs)):
        order.extend(rng.permutation(rows).tolist())
    order = order[: max(1, round(epochs * len(rows)))]
    pool = 16 * batch_size
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda row: token_counts[row])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def train_sentiment_classifier(
    *,
    epochs: float = 1.0,
    max_train: int | None = None,
    seed: int = 0,
    learning_rate: float = 1e-4,
    batch_size: int = 32,
    max_length: int = MAX_LENGTH,
    threads: int | None = 2,
    freeze_word_embeddings: bool = True,
    model: BertForSequenceClassification | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> TrainedText:
    """Fine-tune MiniLM (all layers plus a new head) on the training split.

    AdamW (weight decay 0.01) with 10 % linear warm-up then linear decay, batches of
    ``batch_size`` sentences of similar length truncated to ``max_length`` tokens,
    cross-entropy loss. The word-embedding matrix (half of MiniLM's 22.7 M parameters)
    stays frozen unless ``freeze_word_embeddings=False``; every other weight is trained.
    ``epochs`` may be fractional (``0.25`` = a quarter of the shuffled training set);
    ``max_train`` caps the training sentences (a random subset). ``threads`` sets
    ``torch.set_num_threads`` for the run (restored afterwards); ``model`` replaces
    MiniLM (e.g. :func:`~symxai.models.minilm.tiny_bert` in tests).
    ``progress(step, total_steps, loss)`` is called after every optimiser step with the
    running mean loss. The returned model is
    in eval mode; ``metrics`` holds ``test_accuracy`` and the settings.
    """
    frame = rotten_tomatoes()
    split = sentiment_split(seed)
    rng = np.random.default_rng(seed)
    train_rows = split["train"]
    if max_train is not None and max_train < len(train_rows):
        train_rows = np.sort(rng.choice(train_rows, size=max_train, replace=False))
    texts = frame["text"].to_numpy()
    labels = frame["label"].to_numpy()
    tokenizer = load_tokenizer()
    encoded = tokenizer([str(t) for t in texts], truncation=True, max_length=max_length)
    token_counts = np.asarray([len(ids) for ids in encoded["input_ids"]])
    start = time.perf_counter()
    with _threads(threads):
        torch.manual_seed(seed)  # the new head's initialisation and dropout
        if model is None:
            model = minilm_classifier()
            base = "sentence-transformers/all-MiniLM-L6-v2"
        else:
            base = type(model).__name__
        embeddings = model.get_input_embeddings()
        if freeze_word_embeddings:
            embeddings.requires_grad_(False)
        order = _training_order(train_rows, epochs, batch_size, token_counts, rng)
        steps = len(order)
        warmup = max(1, steps // 10)
        optimiser = torch.optim.AdamW(
            [p for p in model.parameters() if p.requires_grad],
            lr=learning_rate,
            weight_decay=0.01,
        )
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser,
            lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup + 1))),
        )
        model.train()
        total = 0.0
        for step in range(steps):
            rows = order[step]
            batch = dict(
                tokenizer(
                    [str(texts[r]) for r in rows],
                    padding=True,
                    truncation=True,
                    max_length=max_length,
                    return_tensors="pt",
                )
            )
            target = torch.as_tensor(labels[rows], dtype=torch.long)
            loss = torch.nn.functional.cross_entropy(model(**batch).logits, target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item()
            if progress is not None:
                progress(step + 1, steps, total / (step + 1))
        model.eval()
        embeddings.requires_grad_(True)  # the returned model is like a loaded one
        seconds = time.perf_counter() - start
        test_rows = split["test"]
        logits = predict_logits(
            model, [str(t) for t in texts[test_rows]], tokenizer=tokenizer, max_length=max_length
        )
    accuracy = float((logits.argmax(1).numpy() == labels[test_rows]).mean())
    metrics = {
        "base_model": base,
        "epochs": epochs,
        "max_train": max_train,
        "train_sentences": len(train_rows),
        "test_sentences": len(test_rows),
        "seed": seed,
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "max_length": max_length,
        "threads": threads,
        "freeze_word_embeddings": freeze_word_embeddings,
        "steps": steps,
        "train_loss": total / max(1, steps),
        "training_seconds": round(seconds, 1),
        "test_accuracy": accuracy,
    }
    return TrainedText(model, metrics)


def _folder(folder: Path | None) -> PretrainedFolder:
    return PretrainedFolder(folder, quiet=quiet_transformers)


def save_trained(trained: Trained[Any], folder: Path | None = None) -> Path:
    """Write the model (``config.json`` + ``model.safetensors``) and ``metrics.json`` to
    ``folder`` (default: the symxai cache ``models/sentiment_minilm``); returns the folder.
    The metrics are written last, so their presence marks a complete save."""
    return _folder(folder).save(MODEL_NAME, trained)


@contextlib.contextmanager
def training_progress(
    description: str = "fine-tuning MiniLM", *, enabled: bool = True
) -> Iterator[Callable[[int, int, float], None]]:
    """A ``progress(step, total_steps, loss)`` callback for
    :func:`train_sentiment_classifier` that drives a rich progress bar on stderr
    (steps done, running mean loss, time elapsed and remaining); a no-op when
    ``enabled`` is false."""
    if not enabled:
        yield lambda step, steps, loss: None
        return
    from symxai.progress import progress_bar

    bar = progress_bar("loss {task.fields[loss]:.3f}")
    task = bar.add_task(description, total=None, loss=float("nan"))

    def update(step: int, steps: int, loss: float) -> None:
        bar.update(task, completed=step, total=steps, loss=loss)

    with bar:
        yield update


def load_sentiment_classifier(
    *,
    folder: Path | None = None,
    train_if_missing: bool = True,
    progress: bool = True,
    training: dict[str, Any] | None = None,
) -> Trained[Any]:
    """The fine-tuned MiniLM sentiment classifier (eval mode, eager attention).

    Loaded from ``folder`` (default: the symxai cache, ``models/sentiment_minilm`` under
    ``$SYMXAI_CACHE``, else ``$XDG_CACHE_HOME/symxai``, else ``~/.cache/symxai``) with
    ``from_pretrained`` (local files only, safetensors). When nothing is saved there it
    is trained now with :func:`train_sentiment_classifier` (the defaults: about 1.5
    minutes on 2 CPU cores; ``training`` overrides its keyword arguments) and saved,
    unless ``train_if_missing=False``, which raises :class:`FileNotFoundError`. While
    it trains, a message and a progress bar go to stderr (``progress=False``: silent).
    """
    store = _folder(folder)
    where = store.location(MODEL_NAME)

    def train() -> Trained[Any]:
        _say(
            progress,
            f"symxai: no sentiment classifier cached in {where}; fine-tuning "
            "all-MiniLM-L6-v2 on the Rotten Tomatoes sentences now (once; about 1.5 minutes "
            "on 2 CPU cores)",
        )
        with training_progress("fine-tuning MiniLM", enabled=progress) as report:
            return train_sentiment_classifier(progress=report, **(training or {}))

    def saved(trained: Trained[Any], folder: Path) -> None:
        _say(
            progress,
            f"symxai: saved the sentiment classifier to {folder} "
            f"(held-out accuracy {trained.metrics['test_accuracy']:.2f})",
        )

    return load_or_train(
        MODEL_NAME,
        lambda folder: BertForSequenceClassification.from_pretrained(
            folder, attn_implementation="eager", local_files_only=True
        ),
        train,
        train_if_missing=train_if_missing,
        missing=f"no sentiment classifier saved in {where}; run examples/train_sentiment.py",
        store=store,
        saved=saved,
    )


def _say(enabled: bool, message: str) -> None:
    if enabled:
        print(message, file=sys.stderr, flush=True)
