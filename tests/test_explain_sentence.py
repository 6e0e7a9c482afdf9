"""explain_sentence on a tiny random BERT: words as features, both backends."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from symxai import UnknownAtomError
from symxai.domains.text import explain_sentence, tiny_bert

SENTENCE = "schwarzenegger is not good , and not great either"


@pytest.fixture(scope="module")
def model():
    return tiny_bert(seed=3)


def test_lrp_words_are_features_and_relevance_is_conserved(model, tokenizer) -> None:
    explanation = explain_sentence(SENTENCE, model, tokenizer)
    backend = explanation.source
    groups = explanation.metadata["token_groups"]
    assert explanation.space.texts[0] == "schwarzenegger" and len(groups[0]) > 1
    assert explanation.n == len(SENTENCE.split())
    # tiny_bert has zero biases (Hugging Face initialisation): nothing is absorbed.
    assert explanation.value() == pytest.approx(explanation.prediction, rel=1e-4, abs=1e-6)
    masks = np.random.default_rng(0).random((12, explanation.n)) < 0.5
    batched = backend(masks)
    looped = np.array([backend(mask[None])[0] for mask in masks])
    np.testing.assert_allclose(batched, looped, rtol=1e-5, atol=1e-7)
    resolved = explanation.resolve('"not" & ("good" | "great")')
    assert {str(a): list(v) for a, v in resolved.items()} == {
        '"not"': [2, 6],
        '"good"': [3],
        '"great"': [7],
    }


def test_perturbation_backends_are_model_outputs(model, tokenizer) -> None:
    encoded = tokenizer(SENTENCE, return_tensors="pt")
    for mode in ("mask", "remove"):
        explanation = explain_sentence(
            SENTENCE, model, tokenizer, backend="perturbation", perturbation=mode
        )
        assert explanation.value() == pytest.approx(explanation.prediction, rel=1e-5)
        ids, attention = encoded["input_ids"].clone(), encoded["attention_mask"].clone()
        if mode == "mask":
            ids[0, 1:-1] = tokenizer.mask_token_id
        else:
            attention[0, 1:-1] = 0
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=attention).logits[0]
        assert explanation.value([]) == pytest.approx(float(logits[1] - logits[0]), abs=1e-5)


def test_absent_words_are_errors_with_suggestions_unless_absent_is_asked(model, tokenizer) -> None:
    explanation = explain_sentence(SENTENCE, model, tokenizer)
    with pytest.raises(UnknownAtomError) as info:
        explanation.relevance('"not" & "grate"')
    assert "great" in info.value.suggestions and info.value.column == 9
    assert explanation.relevance('"not" & "bad"', missing="absent") == 0.0
    with pytest.raises(ValueError, match="backend"):
        explain_sentence(SENTENCE, model, backend="shap")


def test_token_heatmap_writes_images_and_checks_its_input(tmp_path) -> None:
    from symxai.domains.text import token_heatmap

    words = ["not", "good"]
    path = token_heatmap(words, [-1.0, 0.5], tmp_path / "words.png", title="t")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in token_heatmap(words, [0.0, 0.0], tmp_path / "words.svg").read_text()
    with pytest.raises(ValueError, match="2 finite"):
        token_heatmap(words, [1.0], tmp_path / "bad.png")
    with pytest.raises(ValueError, match="suffix"):
        token_heatmap(words, [1.0, 2.0], tmp_path / "words.jpg")
