"""One shared forward pass for all coalitions (the masked backward batched) gives the
values of one masked pass per batch of input copies, and the parameters are frozen
during every pass and restored after it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from symxai.backends.lrp.frozen import frozen_parameters
from symxai.backends.transformer_lrp import TransformerLRPBackend
from tests.test_transformer_lrp import (
    HAND_IDS,
    IMAGE,
    PATCHES,
    RULES,
    SENTENCE,
    WORDS,
    hand_lrp,
    one_layer_bert,
    tiny_bert,
    tiny_vit,
)


def both_passes(model, inputs, masks: np.ndarray, **options) -> tuple[np.ndarray, np.ndarray]:
    """Token relevance of feature ``masks`` by the shared forward pass and by input copies."""
    shared = TransformerLRPBackend(model, inputs, **options)
    copies = TransformerLRPBackend(model, inputs, shared_forward=False, **options)
    assert shared.shared_forward and not copies.shared_forward
    return (
        shared.token_relevance_batch(shared._token_masks(masks)),
        copies.token_relevance_batch(copies._token_masks(masks)),
    )


@pytest.mark.parametrize("attention", ["constant", "attnlrp"])
@pytest.mark.parametrize("rule", sorted(RULES))
def test_shared_forward_equals_input_copies_on_tiny_bert_and_vit(rule: str, attention: str) -> None:
    """Float64 models with non-zero biases, batches that do not divide the subset count."""
    masks = np.random.default_rng(3).random((23, 4)) < 0.5
    masks[0] = True
    for model, inputs, groups in [
        (tiny_bert(False), SENTENCE, WORDS),
        (tiny_vit(False), IMAGE, PATCHES),
    ]:
        shared, copies = both_passes(
            model,
            inputs,
            masks,
            token_groups=groups,
            target=(1, 0),
            rules=RULES[rule][0],
            attention=attention,
            batch_size=5,
        )
        assert np.abs(copies).max() > 1e-4
        np.testing.assert_allclose(shared, copies, rtol=0, atol=1e-14)


@pytest.mark.parametrize("attention", ["constant", "attnlrp"])
@pytest.mark.parametrize("rule", sorted(RULES))
def test_shared_forward_on_the_hand_computed_one_layer_bert(rule: str, attention: str) -> None:
    """All tokens on: the hand-propagated LRP; random coalitions: the input-copies pass."""
    model = one_layer_bert(zero_biases=False, heads=1 if attention == "constant" else 2)
    rules, hand_rule = RULES[rule]
    inputs = {"input_ids": torch.tensor([HAND_IDS])}
    expected = hand_lrp(model, HAND_IDS, 1, hand_rule, attention)[0]
    backend = TransformerLRPBackend(model, inputs, target=1, rules=rules, attention=attention)
    np.testing.assert_allclose(backend.token_relevance(), expected, rtol=1e-6, atol=1e-9)
    masks = np.random.default_rng(0).random((16, backend.n)) < 0.5
    shared, copies = both_passes(model, inputs, masks, target=1, rules=rules, attention=attention)
    np.testing.assert_allclose(shared, copies, rtol=0, atol=1e-14)


@pytest.mark.parametrize("attention", ["constant", "attnlrp"])
def test_shared_forward_equals_input_copies_on_minilm_and_tiny_bert(tokenizer, attention) -> None:
    """Float32 all-MiniLM-L6-v2 and the library's tiny BERT on real sentences: equal to
    1e-6 (float32 summation order differs between the two passes)."""
    from symxai.models.minilm import minilm_classifier
    from symxai.models.minilm import tiny_bert as library_tiny_bert

    sentences = [
        "the film is not good , but the actors are wonderful",
        "a dull , lifeless and overlong mess",
        "an engaging and often very funny story about growing up",
    ]
    for model in (minilm_classifier(), library_tiny_bert(seed=2)):
        for index, sentence in enumerate(sentences):
            inputs = dict(tokenizer(sentence, return_tensors="pt"))
            words = inputs["input_ids"].shape[1] - 2
            masks = np.random.default_rng(index).random((20, words)) < 0.5
            shared, copies = both_passes(
                model, inputs, masks, target=(1, 0), attention=attention, batch_size=8
            )
            assert np.abs(copies).max() > 1e-4
            np.testing.assert_allclose(shared, copies, rtol=0, atol=1e-6)


def test_shared_forward_under_no_grad_gives_the_same_values() -> None:
    """A caller inside ``torch.no_grad()`` (an inference script) gets the same values."""
    backend = TransformerLRPBackend(tiny_bert(False), SENTENCE, token_groups=WORDS, target=1)
    masks = np.random.default_rng(2).random((6, 4)) < 0.5
    expected = backend(masks)
    with torch.no_grad():
        np.testing.assert_array_equal(backend(masks), expected)


class EarlyReadingHead(torch.nn.Module):
    """A BERT whose classifier reads the [CLS] state after every encoder layer and the
    mean of the embedding output, not only the last layer's."""

    def __init__(self) -> None:
        super().__init__()
        bert = tiny_bert(False).bert
        bert.set_attn_implementation("eager")
        self.embeddings, self.encoder = bert.embeddings, bert.encoder
        self.bert = bert
        self.classifier = torch.nn.Linear(16, 2).double()

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        states = self.bert(input_ids=input_ids, output_hidden_states=True).hidden_states
        read = sum(layer[:, 0] for layer in states[1:]) + states[0].mean(dim=1)
        return self.classifier(torch.tanh(read))


def test_shared_forward_adds_what_the_head_reads_from_earlier_layers() -> None:
    torch.manual_seed(0)
    model = EarlyReadingHead().eval()
    masks = np.random.default_rng(1).random((11, 4)) < 0.5
    shared, copies = both_passes(model, SENTENCE, masks, token_groups=WORDS, target=1)
    assert np.abs(copies).max() > 1e-3
    np.testing.assert_allclose(shared, copies, rtol=0, atol=1e-14)


def test_parameters_are_frozen_during_a_pass_and_restored_after() -> None:
    """Inside a pass no parameter requires gradients (so none is computed); after it,
    exactly the parameters that required them do again."""
    model = tiny_bert(False)
    model.classifier.weight.requires_grad_(False)
    before = [p.requires_grad for p in model.parameters()]
    seen: list[bool] = []

    def record(module, args, output) -> None:
        if torch.is_grad_enabled():  # an explanation pass, not the constructor's forward
            seen.append(any(p.requires_grad for p in model.parameters()))

    handle = model.bert.encoder.layer[0].register_forward_hook(record)
    for shared_forward in (True, False):
        backend = TransformerLRPBackend(
            model, SENTENCE, token_groups=WORDS, target=1, shared_forward=shared_forward
        )
        backend(np.ones((3, 4), bool))
    handle.remove()
    assert seen and not any(seen)
    assert [p.requires_grad for p in model.parameters()] == before
    assert all(p.grad is None for p in model.parameters())


def test_frozen_parameters_stay_frozen_until_the_last_concurrent_block_ends() -> None:
    """Two overlapping blocks in two threads: the one that ends first thaws nothing."""
    model = torch.nn.Linear(2, 2)
    entered, first_left = threading.Barrier(2), threading.Event()
    observed: list[bool] = []

    def short() -> None:
        with frozen_parameters(model):
            entered.wait()
        first_left.set()

    def long() -> None:
        with frozen_parameters(model):
            entered.wait()
            first_left.wait()
            observed.append(model.weight.requires_grad)

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(short), pool.submit(long)]:
            future.result()
    assert observed == [False]
    assert model.weight.requires_grad and model.bias.requires_grad


def test_frozen_parameters_are_restored_after_an_error() -> None:
    model = torch.nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="inside"), frozen_parameters(model):
        assert not model.weight.requires_grad
        raise RuntimeError("inside")
    assert model.weight.requires_grad
