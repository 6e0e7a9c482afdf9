"""load_or_train: shipped weights first, then the cache, else train once and cache; and
the training data built below the domains equals what the domains build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from symxai.data.mutagenicity import mutagenicity_graphs
from symxai.domains.molecules import load_molecules
from symxai.models import GIN
from symxai.training import PretrainedFolder, StateDicts, Trained, load_or_train
from symxai.training.mutagenicity import WEIGHTS_NAME, load_mutagenicity_gin


def _gin(metrics: dict) -> GIN:
    return GIN(**metrics["config"])


def _trainer(calls: list[int], seed: int = 0):
    def train() -> Trained[GIN]:
        calls.append(1)
        torch.manual_seed(seed)
        model = GIN(3, hidden=4, num_layers=1)
        return Trained(model, {"config": model.config, "seed": seed})

    return train


def test_shipped_weights_win_and_nothing_is_trained(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SYMXAI_CACHE", str(tmp_path))
    calls: list[int] = []
    loaded = load_or_train(WEIGHTS_NAME, _gin, _trainer(calls))
    shipped = load_mutagenicity_gin(train_if_missing=False)
    assert calls == [] and loaded.metrics == shipped.metrics
    for key, value in shipped.model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[key], value)
    assert not loaded.model.training
    assert not any(tmp_path.rglob("*.pt"))  # nothing written to the cache


def test_missing_model_is_trained_once_then_loaded_from_the_cache(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("SYMXAI_CACHE", str(tmp_path))
    calls: list[int] = []
    with pytest.raises(FileNotFoundError, match=r"run examples/train_toy\.py"):
        load_or_train(
            "toy_gin",
            _gin,
            _trainer(calls),
            train_if_missing=False,
            missing="run examples/train_toy.py",
        )
    assert calls == []
    saved: list[Path] = []
    first = load_or_train(
        "toy_gin", _gin, _trainer(calls), saved=lambda t, where: saved.append(where)
    )
    assert calls == [1] and saved == [tmp_path / "models" / "toy_gin.pt"]
    assert json.loads((tmp_path / "models" / "toy_gin.json").read_text()) == first.metrics
    again = load_or_train("toy_gin", _gin, _trainer(calls, seed=1))
    assert calls == [1] and again.metrics == first.metrics
    for key, value in first.model.state_dict().items():
        assert torch.equal(again.model.state_dict()[key], value)


def test_state_dicts_save_to_a_given_folder(tmp_path: Path) -> None:
    trained = _trainer([])()
    weights = StateDicts(tmp_path / "out").save("toy", trained)
    assert weights == tmp_path / "out" / "toy.pt"
    state = torch.load(weights, weights_only=True)
    assert state.keys() == trained.model.state_dict().keys()


def test_pretrained_folder_round_trip(tmp_path: Path) -> None:
    from transformers import BertForSequenceClassification

    from symxai.models.minilm import tiny_bert

    store = PretrainedFolder(tmp_path / "bert")
    assert store.load("tiny", BertForSequenceClassification.from_pretrained) is None
    trained = Trained(tiny_bert(seed=3), {"test_accuracy": 0.5})
    assert store.save("tiny", trained) == tmp_path / "bert"
    loaded = store.load("tiny", BertForSequenceClassification.from_pretrained)
    assert loaded is not None and loaded.metrics == {"test_accuracy": 0.5}
    assert not loaded.model.training
    for key, value in trained.model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[key], value)
    (tmp_path / "bert" / "metrics.json").unlink()  # an unfinished save is not found
    assert store.load("tiny", BertForSequenceClassification.from_pretrained) is None


def test_training_graphs_equal_the_domain_graphs() -> None:
    """The GIN is trained on graphs built in symxai.data (below the domains); they are
    the graphs Molecule.to_data gives the explanations."""
    graphs = mutagenicity_graphs()
    molecules = load_molecules("Mutagenicity")
    assert len(graphs) == len(molecules) == 4337
    for graph, molecule in zip(graphs, molecules, strict=True):
        data = molecule.to_data()
        assert torch.equal(graph.x, data.x)
        assert torch.equal(graph.edge_index, data.edge_index)
        assert torch.equal(graph.y, data.y)
