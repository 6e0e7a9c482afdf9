"""LRP for Hugging Face BERT and ViT (tiny models built from configs, no downloads)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    ViTConfig,
    ViTForImageClassification,
)

from symxai import FeatureSpaceError
from symxai.backends.lrp import Gamma
from symxai.backends.transformer_lrp import TransformerLRPBackend, transformer_lrp_rules


def tiny_bert(zero_biases: bool, seed: int = 0) -> BertForSequenceClassification:
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=60,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
    )
    model = BertForSequenceClassification(config).double().eval()
    for name, parameter in model.named_parameters():
        if name.endswith("bias"):
            with torch.no_grad():
                parameter.copy_(0.0 if zero_biases else 0.2 * torch.randn_like(parameter))
    return model


def tiny_vit(zero_biases: bool) -> ViTForImageClassification:
    torch.manual_seed(1)
    config = ViTConfig(
        image_size=10,
        patch_size=5,
        num_channels=1,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=2,
    )
    model = ViTForImageClassification(config).double().eval()
    for name, parameter in model.named_parameters():
        if name.endswith("bias"):
            with torch.no_grad():
                parameter.copy_(0.0 if zero_biases else 0.2 * torch.randn_like(parameter))
    return model


SENTENCE = {"input_ids": torch.tensor([[1, 5, 7, 9, 11, 13, 2]])}
WORDS = [[1], [2, 3], [4], [5]]  # word 1 is split into two pieces; tokens 0 and 6 are special
IMAGE = {
    "pixel_values": torch.randn(1, 1, 10, 10, generator=torch.Generator().manual_seed(0)).double()
}
PATCHES = [[1], [2], [3], [4]]


@pytest.mark.parametrize("rules", [None, Gamma(0.3)])
def test_conservation_with_zero_biases(rules) -> None:
    for model, inputs, groups in [
        (tiny_bert(True), SENTENCE, WORDS),
        (tiny_vit(True), IMAGE, PATCHES),
    ]:
        backend = TransformerLRPBackend(model, inputs, token_groups=groups, target=1, rules=rules)
        total = backend(np.ones((1, backend.n), bool))[0]
        # LRP-gamma's stabiliser (epsilon = 1e-9) absorbs O(epsilon / |z'|) per layer.
        tolerance = 1e-8 if rules is None else 1e-6
        assert total == pytest.approx(backend.prediction(), rel=tolerance, abs=1e-12)
        assert backend.token_relevance().sum() == pytest.approx(total, rel=1e-9)


def test_batched_token_set_relevance_equals_loop_and_respects_masks() -> None:
    backend = TransformerLRPBackend(tiny_bert(False), SENTENCE, token_groups=WORDS, target=(1, 0))
    masks = np.random.default_rng(0).random((24, 4)) < 0.5
    batched = backend(masks)
    looped = np.array([backend(mask[None])[0] for mask in masks])
    np.testing.assert_allclose(batched, looped, rtol=1e-10, atol=1e-12)
    # Tokens outside S carry no relevance; the special tokens always may.
    token_masks = backend._token_masks(masks)
    relevance = backend.token_relevance_batch(token_masks)
    assert np.all(relevance[~token_masks[:, 0, :]] == 0.0)
    assert relevance[:, [0, 6]].any()


def test_constant_attention_passes_no_relevance_through_queries_and_keys() -> None:
    """With the softmax held constant, the query/key weights do not enter the backward
    pass: their gradient is zero while the value weights' gradient is not."""
    model = tiny_bert(False)
    with transformer_lrp_rules(model, None, "constant"):
        output = model(**SENTENCE).logits[0, 1]
    attention = model.bert.encoder.layer[0].attention.self
    grads = torch.autograd.grad(
        output,
        [attention.query.weight, attention.key.weight, attention.value.weight],
        allow_unused=True,
    )
    assert grads[0] is None or float(grads[0].abs().max()) == 0.0
    assert grads[1] is None or float(grads[1].abs().max()) == 0.0
    assert float(grads[2].abs().max()) > 0.0


def test_attnlrp_option_differs_and_stays_finite() -> None:
    constant = TransformerLRPBackend(tiny_bert(True), SENTENCE, token_groups=WORDS, target=1)
    attnlrp = TransformerLRPBackend(
        tiny_bert(True), SENTENCE, token_groups=WORDS, target=1, attention="attnlrp"
    )
    a, b = constant.feature_relevance(), attnlrp.feature_relevance()
    assert np.isfinite(b).all() and not np.allclose(a, b)
    with pytest.raises(ValueError, match="attention"):
        TransformerLRPBackend(tiny_bert(True), SENTENCE, token_groups=WORDS, attention="other")


def test_layer_norm_and_gelu_rules() -> None:
    """LayerNorm with sigma held constant conserves sum (y - b) * g; GELU passes R unchanged."""
    torch.manual_seed(0)
    norm = torch.nn.LayerNorm(6).double()
    with torch.no_grad():
        norm.weight.copy_(torch.randn(6))
        norm.bias.copy_(torch.randn(6))
    gelu = (
        BertForSequenceClassification(
            BertConfig(
                hidden_size=8,
                num_hidden_layers=1,
                num_attention_heads=2,
                intermediate_size=8,
                vocab_size=10,
            )
        )
        .bert.encoder.layer[0]
        .intermediate.intermediate_act_fn
    )
    model = torch.nn.Sequential(norm, gelu).double()
    x = torch.randn(3, 6, dtype=torch.float64, requires_grad=True)
    with transformer_lrp_rules(model):
        y = model(x)
    torch.testing.assert_close(y, gelu(norm(x)))
    upstream = torch.randn_like(y)
    (gradient,) = torch.autograd.grad(y, x, upstream)
    expected = ((norm(x) - norm.bias) * upstream * gelu(norm(x)) / norm(x)).sum()
    assert float((x * gradient).sum().detach()) == pytest.approx(float(expected.detach()), rel=1e-9)


def test_clear_errors() -> None:
    with pytest.raises(FeatureSpaceError, match="disjoint"):
        TransformerLRPBackend(tiny_bert(True), SENTENCE, token_groups=[[1], [1, 2]])
    with pytest.raises(FeatureSpaceError, match="disjoint"):
        TransformerLRPBackend(tiny_bert(True), SENTENCE, token_groups=[[1], [9]])
    with pytest.raises(FeatureSpaceError, match="batch of one"):
        TransformerLRPBackend(
            tiny_bert(True), {"input_ids": SENTENCE["input_ids"].repeat(2, 1)}, token_groups=WORDS
        )
    with pytest.raises(FeatureSpaceError, match="perturbation backend"):
        TransformerLRPBackend(torch.nn.Linear(3, 2), {"x": torch.zeros(1, 3)}, token_groups=[[0]])
