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
from symxai.backends.lrp import Epsilon, Gamma
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


def test_unknown_attention_rule_is_refused() -> None:
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


# --- A one-layer BERT whose LRP is computed by hand --------------------------------------
#
# The reference below propagates relevance layer by layer with the LRP formulas (no
# autograd, no hooks, nothing from symxai): it is independent of the modified-gradient
# implementation it checks.

HAND_IDS = [1, 4, 9, 3, 7, 2]


def one_layer_bert(
    zero_biases: bool, heads: int = 1, seed: int = 0
) -> BertForSequenceClassification:
    """BERT with one encoder layer, hidden size 4 and fixed seeded weights of order one
    (so that attention is far from uniform and every rule matters)."""
    config = BertConfig(
        vocab_size=12,
        hidden_size=4,
        num_hidden_layers=1,
        num_attention_heads=heads,
        intermediate_size=8,
        max_position_embeddings=8,
        type_vocab_size=1,
    )
    model = BertForSequenceClassification(config).double().eval()
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            noise = torch.randn(parameter.shape, generator=generator, dtype=torch.float64)
            if "LayerNorm.weight" in name:
                parameter.copy_(1.0 + 0.3 * noise)
            elif name.endswith("bias"):
                parameter.copy_(0.0 if zero_biases else 0.3 * noise)
            else:
                parameter.copy_(0.8 * noise)
    return model


def _rho(weight: torch.Tensor, gamma: float) -> torch.Tensor:
    return weight + gamma * weight.clamp(min=0)


def _linear(a, layer, relevance, gamma: float, epsilon: float):
    """R_j = sum_k a_j rho(w_jk) / (z'_k + epsilon sign z'_k) R_k, z' = a rho(W) + rho(b)."""
    weight = _rho(layer.weight, gamma)
    bias = _rho(layer.bias, gamma)
    modified = a @ weight.T + bias
    denominator = modified + epsilon * torch.where(modified >= 0, 1.0, -1.0)
    return a * ((relevance / denominator) @ weight)


def _layer_norm(x, norm, relevance):
    """y_k = sum_j x_j (delta_jk - 1/D) w_k / sigma + b_k with sigma a constant (LRP-0 on
    this linear map): R_j = x_j (h_j - mean(h)), h_k = w_k R_k / (sigma y_k)."""
    sigma = (x.var(-1, unbiased=False, keepdim=True) + norm.eps).sqrt()
    y = (x - x.mean(-1, keepdim=True)) / sigma * norm.weight + norm.bias
    h = norm.weight * relevance / (sigma * y)
    return x * (h - h.mean(-1, keepdim=True))


def _split_sum(a, b, relevance):
    """z = a + b (residual): R_a = a / z R, R_b = b / z R."""
    return a / (a + b) * relevance, b / (a + b) * relevance


def _normalise(x, norm):
    sigma = (x.var(-1, unbiased=False, keepdim=True) + norm.eps).sqrt()
    return (x - x.mean(-1, keepdim=True)) / sigma * norm.weight + norm.bias


def hand_lrp(
    model: BertForSequenceClassification,
    ids: list[int],
    target: int | tuple[int, int],
    rule: tuple[float, float],
    attention: str,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Token relevance of the one-layer BERT, propagated by hand.

    Forward (T tokens, H heads of size d, no attention mask):

        e      = LN_0(W_word[ids] + W_pos[0..T-1] + W_type[0])     (embedding output)
        Q,K,V  = e W_q^T + b_q, e W_k^T + b_k, e W_v^T + b_v       (split into heads)
        A      = softmax(Q K^T / sqrt(d));   C = A V                (per head)
        y_1    = LN_1(C W_o^T + b_o + e)
        u      = y_1 W_i^T + b_i;  m = GELU(u)
        y_2    = LN_2(m W_2^T + b_2 + y_1)
        p      = tanh(y_2[CLS] W_p^T + b_p);  logits = p W_c^T + b_c

    Backward, starting from R(logits) = the explained output on the target logits
    (``target=(i, j)``: R_i = z_i, R_j = -z_j):

    * every linear layer: R_j = sum_k a_j rho(w_jk) / (z'_k + eps sign z'_k) R_k with
      z' = a rho(W) + rho(b), rho(w) = w + gamma max(0, w) (LRP-0: gamma = eps = 0);
    * tanh and GELU: R_in = R_out (identity rule);
    * LayerNorm with sigma held constant: LRP-0 on the linear map x -> y (``_layer_norm``);
    * residual sums z = a + b: R_a = a / z R, R_b = b / z R;
    * ``attention="constant"``: A is a constant, so C = A V is linear in V:
      R(V_td) = sum_i A_it V_td / C_id R(C_id); Q and K receive nothing;
    * ``attention="attnlrp"``: the products C = A V and P = Q K^T give each operand half
      of R: R(A_it) = 1/2 sum_d A_it V_td R(C_id) / C_id, R(V_td) = 1/2 sum_i (same),
      and likewise for Q, K from R(P); the softmax s = softmax(x) passes
      R(x_ij) = x_ij (R(A_ij) - s_ij sum_k R(A_ik)) (AttnLRP, Prop. 3.1: Taylor at x, with
      a bias term, so the softmax absorbs sum R(A) - sum R(x));
      the constant 1/sqrt(d) passes R unchanged.

    The relevance of token t is sum_d R(e_td). Returns (token relevance, logits,
    relevance absorbed by the softmax).
    """
    gamma, epsilon = rule
    bert, layer = model.bert, model.bert.encoder.layer[0]
    attention_in, heads = layer.attention.self, model.config.num_attention_heads
    with torch.no_grad():
        ids = torch.tensor(ids)
        positions = torch.arange(len(ids))
        summed = (
            bert.embeddings.word_embeddings.weight[ids]
            + bert.embeddings.position_embeddings.weight[positions]
            + bert.embeddings.token_type_embeddings.weight[0]
        )
        e = _normalise(summed, bert.embeddings.LayerNorm)
        tokens, width = e.shape
        size = width // heads

        def split(x):
            return x.view(tokens, heads, size).transpose(0, 1)

        def merge(x):
            return x.transpose(0, 1).reshape(tokens, width)

        q = split(attention_in.query(e))
        k = split(attention_in.key(e))
        v = split(attention_in.value(e))
        scores = q @ k.transpose(1, 2) / size**0.5
        weights = scores.softmax(-1)
        context = merge(weights @ v)
        attended = layer.attention.output.dense(context)
        y1 = _normalise(attended + e, layer.attention.output.LayerNorm)
        u = layer.intermediate.dense(y1)
        m = torch.nn.functional.gelu(u)
        out = layer.output.dense(m)
        y2 = _normalise(out + y1, layer.output.LayerNorm)
        pooled = torch.tanh(bert.pooler.dense(y2[0]))
        logits = model.classifier(pooled)

        relevance = torch.zeros_like(logits)
        if isinstance(target, tuple):
            relevance[target[0]] = logits[target[0]]
            relevance[target[1]] = -logits[target[1]]
        else:
            relevance[target] = logits[target]
        r_pooled = _linear(pooled, model.classifier, relevance, gamma, epsilon)
        r_y2 = torch.zeros_like(y2)
        r_y2[0] = _linear(y2[0], bert.pooler.dense, r_pooled, gamma, epsilon)
        r_sum2 = _layer_norm(out + y1, layer.output.LayerNorm, r_y2)
        r_out, r_y1 = _split_sum(out, y1, r_sum2)
        r_u = _linear(m, layer.output.dense, r_out, gamma, epsilon)
        r_y1 = r_y1 + _linear(y1, layer.intermediate.dense, r_u, gamma, epsilon)
        r_sum1 = _layer_norm(attended + e, layer.attention.output.LayerNorm, r_y1)
        r_attended, r_e = _split_sum(attended, e, r_sum1)
        r_context = split(
            _linear(context, layer.attention.output.dense, r_attended, gamma, epsilon)
        )
        share = r_context / (weights @ v)  # R(C_id) / C_id, per head
        absorbed = torch.tensor(0.0, dtype=torch.float64)
        if attention == "constant":
            r_v = v * (weights.transpose(1, 2) @ share)
        else:
            r_v = 0.5 * v * (weights.transpose(1, 2) @ share)
            r_weights = 0.5 * weights * (share @ v.transpose(1, 2))
            r_scores = scores * (r_weights - weights * r_weights.sum(-1, keepdim=True))
            absorbed = r_weights.sum() - r_scores.sum()
            product_share = r_scores / (q @ k.transpose(1, 2))  # R(P_ij) / P_ij, R(P) = R(x)
            r_q = 0.5 * q * (product_share @ k)
            r_k = 0.5 * k * (product_share.transpose(1, 2) @ q)
            r_e = r_e + _linear(e, attention_in.query, merge(r_q), gamma, epsilon)
            r_e = r_e + _linear(e, attention_in.key, merge(r_k), gamma, epsilon)
        r_e = r_e + _linear(e, attention_in.value, merge(r_v), gamma, epsilon)
    return r_e.sum(-1).numpy(), logits.numpy(), float(absorbed)


RULES = {
    "lrp-0": (None, (0.0, 0.0)),
    "epsilon": (Epsilon(0.05), (0.0, 0.05)),
    "gamma": (Gamma(0.25), (0.25, 1e-9)),
}


@pytest.mark.parametrize("attention", ["constant", "attnlrp"])
@pytest.mark.parametrize("rule", sorted(RULES))
def test_one_layer_bert_equals_hand_computed_lrp(rule: str, attention: str) -> None:
    """The backend's token relevance equals the layer-by-layer LRP of ``hand_lrp`` (the
    derivation is its docstring), for each linear rule and both attention rules, with
    non-zero biases; the hand forward pass reproduces the model's logits."""
    model = one_layer_bert(zero_biases=False, heads=1 if attention == "constant" else 2)
    rules, hand_rule = RULES[rule]
    expected, logits, _ = hand_lrp(model, HAND_IDS, 1, hand_rule, attention)
    np.testing.assert_allclose(
        logits, model(input_ids=torch.tensor([HAND_IDS])).logits[0].detach().numpy(), rtol=1e-12
    )
    backend = TransformerLRPBackend(
        model, {"input_ids": torch.tensor([HAND_IDS])}, target=1, rules=rules, attention=attention
    )
    relevance = backend.token_relevance()
    assert np.abs(expected).max() > 1e-2  # a non-trivial heatmap
    np.testing.assert_allclose(relevance, expected, rtol=1e-6, atol=1e-9)


def test_attnlrp_conserves_all_but_the_softmax_bias_with_zero_biases() -> None:
    """With zero biases every rule but AttnLRP's softmax is conservative, so the token
    relevances plus what the softmax absorbs (its Taylor bias, computed by hand) sum to
    the explained logit difference; the constant-attention rule conserves exactly. The
    two rule sets give different heatmaps."""
    model = one_layer_bert(zero_biases=True, heads=2, seed=3)
    rng = np.random.default_rng(7)
    for _ in range(4):
        ids = [1, *rng.integers(3, 12, size=5).tolist(), 2]
        inputs = {"input_ids": torch.tensor([ids])}
        logits = model(**inputs).logits[0].detach()
        difference = float(logits[1] - logits[0])
        attnlrp = TransformerLRPBackend(model, inputs, target=(1, 0), attention="attnlrp")
        constant = TransformerLRPBackend(model, inputs, target=(1, 0))
        relevance = attnlrp.token_relevance()
        absorbed = hand_lrp(model, ids, (1, 0), (0.0, 0.0), "attnlrp")[2]
        assert abs(absorbed) > 1e-6  # the softmax bias is real, not a rounding error
        assert relevance.sum() + absorbed == pytest.approx(difference, rel=1e-9, abs=1e-12)
        assert constant.token_relevance().sum() == pytest.approx(difference, rel=1e-9)
        assert np.abs(relevance - constant.token_relevance()).max() > 1e-3 * np.abs(relevance).max()
