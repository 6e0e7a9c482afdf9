"""Text domain: Rotten Tomatoes data, words as features, tiny/MiniLM BERT classifiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from symxai import parse_query
from symxai.domains.text import (
    POSITIVE_WORDS,
    TrainedText,
    load_sentiment_classifier,
    minilm_path,
    negation_sentences,
    predict_logits,
    rotten_tomatoes,
    sentence_space,
    sentiment_split,
    tiny_bert,
    words_and_token_groups,
)
from symxai.models.minilm import minilm_classifier
from symxai.training.sentiment import save_trained, train_sentiment_classifier


def pre_tokenizer_words(tokenizer, sentence: str) -> list[str]:
    backend = tokenizer.backend_tokenizer
    normalised = backend.normalizer.normalize_str(sentence)
    return [word for word, _ in backend.pre_tokenizer.pre_tokenize_str(normalised)]


def check_groups(tokenizer, sentence, words, groups, encoded) -> None:
    """[CLS]/[SEP] in no group, every other token in exactly one, groups contiguous and in
    sentence order, and each group's pieces spell its word (WordPiece-decoded)."""
    ids = encoded["input_ids"][0].tolist()
    assert len(words) == len(groups)
    assert set(encoded) == {"input_ids", "token_type_ids", "attention_mask"}
    assert all(tensor.shape == (1, len(ids)) for tensor in encoded.values())
    flat = [position for group in groups for position in group]
    special = {i for i, token in enumerate(ids) if token in tokenizer.all_special_ids}
    assert ids[0] == tokenizer.cls_token_id and ids[-1] == tokenizer.sep_token_id
    assert special == {0, len(ids) - 1}
    assert sorted(flat) == flat == [i for i in range(len(ids)) if i not in special]
    for word, group in zip(words, groups, strict=True):
        assert group == list(range(group[0], group[-1] + 1))
        assert tokenizer.decode([ids[i] for i in group]) == word.lower()


def test_rotten_tomatoes_has_8530_balanced_sentences():
    frame = rotten_tomatoes()
    assert list(frame.columns) == ["text", "label"]
    assert len(frame) == 8530
    assert frame["label"].value_counts().to_dict() == {0: 4265, 1: 4265}
    assert frame["text"].str.len().min() > 0
    assert frame["text"].iloc[0].startswith("the rock is destined")
    assert frame.loc[0, "label"] == 1
    frame.loc[0, "text"] = "changed"  # a copy: the cached frame is unaffected
    assert rotten_tomatoes().loc[0, "text"] != "changed"


def test_split_is_disjoint_covering_and_fixed():
    split = sentiment_split()
    train, test = split["train"], split["test"]
    assert (len(train), len(test)) == (7677, 853)
    assert np.intersect1d(train, test).size == 0
    assert np.array_equal(np.union1d(train, test), np.arange(8530))
    again = sentiment_split(seed=0)
    assert np.array_equal(again["test"], test)
    assert not np.array_equal(sentiment_split(seed=1)["test"], test)
    labels = rotten_tomatoes()["label"].to_numpy()
    assert 0.45 < labels[test].mean() < 0.55


def test_word_pieces_form_one_feature(tokenizer):
    sentence = rotten_tomatoes()["text"].iloc[0]  # "... arnold schwarzenegger , jean-claud ..."
    words, groups, encoded = words_and_token_groups(sentence, tokenizer)
    check_groups(tokenizer, sentence, words, groups, encoded)
    assert [word.lower() for word in words] == pre_tokenizer_words(tokenizer, sentence)
    index = words.index("schwarzenegger")
    ids = encoded["input_ids"][0]
    assert len(groups[index]) == 3  # schwarz ##ene ##gger
    assert tokenizer.decode(ids[groups[index]]) == "schwarzenegger"
    # the pre-tokenizer splits at punctuation: jean-claud is three words
    assert words[words.index("jean") : words.index("jean") + 3] == ["jean", "-", "claud"]
    assert len(encoded["input_ids"][0]) == 2 + sum(len(group) for group in groups)


def test_words_keep_original_text_and_case(tokenizer):
    sentence = "An  UNWATCHABLE mess, don't   bother!"
    words, groups, encoded = words_and_token_groups(sentence, tokenizer)
    check_groups(tokenizer, sentence, words, groups, encoded)
    assert words == ["An", "UNWATCHABLE", "mess", ",", "don", "'", "t", "bother", "!"]
    assert len(groups[1]) == 3  # un ##watch ##able
    space = sentence_space(words)
    assert space.resolve(parse_query('"unwatchable"').atoms()[0]).tolist() == [1]


def test_whitespace_unit_keeps_contractions_together(tokenizer):
    sentence = "it isn't good , it's too-tepid"
    words, groups, encoded = words_and_token_groups(sentence, tokenizer, unit="whitespace")
    assert words == ["it", "isn't", "good", ",", "it's", "too-tepid"]
    ids = encoded["input_ids"][0].tolist()
    flat = [position for group in groups for position in group]
    assert flat == list(range(1, len(ids) - 1))
    assert tokenizer.decode([ids[i] for i in groups[1]]) == "isn ' t"
    by_word, _, _ = words_and_token_groups(sentence, tokenizer)
    assert len(by_word) == len(pre_tokenizer_words(tokenizer, sentence)) == 12
    with pytest.raises(ValueError, match="unit"):
        words_and_token_groups(sentence, tokenizer, unit="sentence")
    with pytest.raises(ValueError, match="no words"):
        words_and_token_groups("   ", tokenizer)


def test_truncation_drops_words_cut_off(tokenizer):
    sentence = "one two three unwatchable five six"
    words, groups, encoded = words_and_token_groups(sentence, tokenizer, max_length=6)
    # [CLS] one two three un [SEP]: a word cut in the middle keeps its kept pieces' span
    assert words == ["one", "two", "three", "un"]
    assert encoded["input_ids"].shape == (1, 6)
    assert groups == [[1], [2], [3], [4]]
    check_groups(tokenizer, sentence, words, groups, encoded)


def test_negation_query_resolves_to_positions(tokenizer):
    sentence = "the movie is not good , it is not great"
    words, groups, _ = words_and_token_groups(sentence, tokenizer)
    space = sentence_space(words)
    assert space.names[:3] == ("w0", "w1", "w2")
    query = parse_query('"not" & ("good" | "great")')
    resolved = {
        atom.value: indices.tolist() for atom, indices in space.resolve_query(query).items()
    }
    assert resolved == {"not": [3, 8], "good": [4], "great": [9]}
    assert [groups[i] for i in (3, 4, 8, 9)] == [[4], [5], [9], [10]]
    assert space.resolve(parse_query('"GOOD"').atoms()[0]).tolist() == [4]


def test_tiny_bert_is_deterministic(tokenizer):
    state = torch.random.get_rng_state()
    first, second, other = tiny_bert(seed=3), tiny_bert(seed=3), tiny_bert(seed=4)
    assert torch.equal(torch.random.get_rng_state(), state)  # global RNG untouched
    for name, tensor in first.state_dict().items():
        assert torch.equal(tensor, second.state_dict()[name]), name
    assert not torch.equal(first.classifier.weight, other.classifier.weight)
    assert first.config._attn_implementation == "eager"
    assert not first.training
    assert first.config.vocab_size == len(tokenizer)
    _, _, encoded = words_and_token_groups("not good at all", tokenizer)
    with torch.no_grad():
        logits = first(**encoded).logits
    assert logits.shape == (1, 2)
    assert torch.equal(logits, second(**encoded).logits)
    assert predict_logits(first, ["good", "a bad , bad film"]).shape == (2, 2)
    assert tiny_bert(num_labels=3)(**encoded).logits.shape == (1, 3)


def test_minilm_loads_pretrained_encoder_with_eager_attention():
    from safetensors.torch import load_file

    model = minilm_classifier()
    assert model.config._attn_implementation == "eager"
    assert model.config.num_hidden_layers == 6 and model.config.hidden_size == 384
    stored = load_file(minilm_path() / "model.safetensors")
    key = next(k for k in stored if k.endswith("encoder.layer.5.output.dense.weight"))
    assert torch.equal(model.bert.encoder.layer[5].output.dense.weight, stored[key])


def test_training_loop_save_and_load_round_trip(tmp_path):
    model = tiny_bert(seed=1)
    before = model.classifier.weight.detach().clone()
    steps = []
    trained = train_sentiment_classifier(
        model=model, max_train=96, epochs=1, threads=1, progress=lambda *args: steps.append(args)
    )
    assert [s[:2] for s in steps] == [(1, 3), (2, 3), (3, 3)]
    assert not torch.equal(trained.model.classifier.weight, before)
    assert trained.metrics["train_sentences"] == 96 and trained.metrics["test_sentences"] == 853
    assert 0.0 <= trained.metrics["test_accuracy"] <= 1.0
    assert not trained.model.training
    assert all(parameter.requires_grad for parameter in trained.model.parameters())
    folder = save_trained(trained, tmp_path / "model")
    assert {p.name for p in folder.iterdir()} >= {"config.json", "model.safetensors"}
    loaded = load_sentiment_classifier(folder=folder, train_if_missing=False)
    assert loaded.metrics == trained.metrics
    assert loaded.model.config._attn_implementation == "eager"
    sentences = ["a gorgeous , witty film", "dull and lifeless"]
    assert torch.allclose(
        predict_logits(loaded.model, sentences), predict_logits(trained.model, sentences)
    )
    with pytest.raises(FileNotFoundError, match=r"train_sentiment\.py"):
        load_sentiment_classifier(folder=tmp_path / "empty", train_if_missing=False)


def test_negation_sentences():
    frame = pd.DataFrame(
        {
            "text": [
                "it is not good .",
                "not very funny , but not bad",
                "not , good",
                "nothing good here",
                "not goodness",
                "not a very good film",
                "good , not great",
                "never good",
                "Not really GOOD.",
            ]
        }
    )
    assert negation_sentences(frame) == [
        ("it is not good .", "good"),
        ("not very funny , but not bad", "funny"),
        ("good , not great", "great"),
        ("Not really GOOD.", "good"),
    ]
    assert len(negation_sentences(frame, max_gap=2)) == 5
    assert len(negation_sentences(frame, max_gap=0)) == 2
    held_out = negation_sentences()
    assert held_out, "the test split has negated positive words"
    test_texts = set(rotten_tomatoes()["text"].iloc[sentiment_split()["test"]])
    for sentence, word in held_out:
        assert sentence in test_texts and word in POSITIVE_WORDS
        assert " not " in f" {sentence} "


@pytest.mark.slow
def test_fine_tuned_minilm_reaches_075(tmp_path):
    trained = train_sentiment_classifier()
    assert trained.metrics["test_accuracy"] >= 0.75
    save_trained(trained, tmp_path)
    loaded = load_sentiment_classifier(folder=tmp_path, train_if_missing=False)
    assert isinstance(loaded, TrainedText)
    logits = predict_logits(loaded.model, ["a masterpiece", "a waste of time"])
    assert logits.argmax(1).tolist() == [1, 0]
