"""A sentence's words as features: word pieces grouped into words, and the input object.

:func:`words_and_token_groups` encodes a sentence and groups its word pieces into words,
the features a user reasons about. A *word* is what the tokenizer's pre-tokenizer calls
one (``word_ids()`` of the fast tokenizer): text split at whitespace **and at every
punctuation character**, so ``unwatchable`` is one feature made of the pieces
``un ##watch ##able``, but ``don't`` is three features (``don``, ``'``, ``t``) and
``jean-claud`` three (``jean``, ``-``, ``claud``). Pass ``unit="whitespace"`` to group by
whitespace-separated chunks instead (``don't`` and ``too-tepid`` are then one feature
each). The feature text is the original span of the sentence (case preserved; quoted
atoms match it case-folded). ``[CLS]`` and ``[SEP]`` belong to no feature: backends keep
them always present. :class:`Sentence` is the input :func:`symxai.explain` takes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from symxai.data.rotten_tomatoes import NEGATIVE, POSITIVE
from symxai.features import FeatureSpace
from symxai.models.minilm import load_tokenizer

__all__ = ["UNITS", "Sentence", "sentence_space", "words_and_token_groups"]

UNITS = ("word", "whitespace")


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


@dataclass
class Sentence:
    """A sentence prepared for :func:`symxai.explain` (a
    :class:`~symxai.api.DomainInput`): its words are the features (sub-word pieces
    merged, ``[CLS]``/``[SEP]`` always on and no feature), quoted atoms match words by text.

    ``tokenizer`` defaults to the MiniLM tokenizer
    (:func:`~symxai.models.minilm.load_tokenizer`). The default target of every backend
    is the logit difference ``f_positive - f_negative``.
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
