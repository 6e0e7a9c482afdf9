"""Explanations of a sentiment prediction over the words of a sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from symxai.api import explain
from symxai.backends.lrp import RuleSpec
from symxai.domains.text.sentence import Sentence
from symxai.explanation import Explanation
from symxai.training.sentiment import load_sentiment_classifier

__all__ = ["BACKENDS", "PERTURBATIONS", "explain_sentence"]

BACKENDS = ("lrp", "perturbation")
PERTURBATIONS = ("mask", "remove")


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
