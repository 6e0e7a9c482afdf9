"""Molecular property data, the PropertyGNN and its trainer, and the two shipped
property models (solubility regressor, blood-brain barrier classifier)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from rdkit import Chem

from symxai.cache import load_state, save_weights
from symxai.data.properties import load_b3db, load_solubility, random_split
from symxai.models.property_gnn import ATOM_VOCABULARY, BOND_VOCABULARY, PropertyGNN
from symxai.training.properties import (
    evaluate_property_model,
    load_bbb_gnn,
    load_solubility_gnn,
    property_graphs,
    roc_auc,
    train_bbb_gnn,
    train_property_model,
    train_solubility_gnn,
)

LOADERS = {"solubility": (load_solubility, 1282), "b3db": (load_b3db, 7805)}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_loader_counts_targets_and_smiles(name: str) -> None:
    loader, count = LOADERS[name]
    data = loader()
    assert len(data) == len(data.targets) == len(data.names) == count
    assert np.isfinite(data.targets.astype(float)).all()
    assert all(Chem.MolFromSmiles(smiles) is not None for smiles in data.smiles)
    if data.task == "classification":
        assert set(np.unique(data.targets)) == {0, 1}
    else:
        assert -12 < data.targets.min() < data.targets.max() < 3  # log10 mol/L


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_split_is_disjoint_complete_80_10_10_and_fixed(name: str) -> None:
    loader, count = LOADERS[name]
    split = loader().split
    parts = [set(split[part].tolist()) for part in ("train", "val", "test")]
    assert sum(map(len, parts)) == count
    assert set.union(*parts) == set(range(count))
    assert len(split["train"]) == int(0.8 * count)
    assert len(split["val"]) == int(0.9 * count) - int(0.8 * count)
    again = loader(seed=0).split
    assert all(np.array_equal(split[part], again[part]) for part in split)
    other = loader(seed=1).split
    assert not np.array_equal(split["test"], other["test"])


def test_split_is_the_recorded_permutation() -> None:
    """The split must never change silently: the shipped models' metrics refer to it."""
    assert load_solubility().split["test"][:5].tolist() == [501, 759, 249, 233, 940]
    assert load_b3db().split["test"][:5].tolist() == [3096, 4335, 3350, 962, 4617]
    assert np.array_equal(
        random_split(10, 3)["train"], np.random.default_rng(3).permutation(10)[:8]
    )


def test_property_gnn_shapes_config_and_weights_file(tmp_path) -> None:
    graphs = property_graphs(["CCO", "c1ccccc1O", "[Na+].[Cl-]", "C"])
    from torch_geometric.data import Batch

    batch = Batch.from_data_list(graphs)
    assert batch.x.shape[1] == len(ATOM_VOCABULARY) and batch.edge_attr.shape[1] == len(
        BOND_VOCABULARY
    )
    torch.manual_seed(0)
    model = PropertyGNN(hidden=16, num_layers=2, num_tasks=2, task_names=["a", "b"]).eval()
    output = model(batch.x, batch.edge_index, batch.edge_attr, batch.batch)
    assert output.shape == (4, 2)
    single = model(graphs[1].x, graphs[1].edge_index, graphs[1].edge_attr)
    torch.testing.assert_close(single[0], output[1])
    save_weights(model, {"config": model.config}, tmp_path, "toy")
    rebuilt = load_state(PropertyGNN(**model.config), tmp_path / "toy.pt")
    torch.testing.assert_close(
        rebuilt(batch.x, batch.edge_index, batch.edge_attr, batch.batch), output
    )
    assert rebuilt.task_names == ["a", "b"]


def test_property_gnn_gin_variant_and_errors() -> None:
    (graph,) = property_graphs(["CC(=O)O"])
    gin = PropertyGNN(hidden=8, num_layers=2, conv="gin", pooling="mean")
    assert gin(graph.x, graph.edge_index).shape == (1, 1)
    assert not any("bond" in name for name, _ in gin.named_parameters())
    with pytest.raises(ValueError, match="edge_attr"):
        PropertyGNN(hidden=8)(graph.x, graph.edge_index)
    with pytest.raises(ValueError, match="integer features of shape"):
        PropertyGNN(hidden=8)(graph.x[:, :5], graph.edge_index, graph.edge_attr)
    with pytest.raises(ValueError, match="task_names"):
        PropertyGNN(num_tasks=2, task_names=["only one"])
    with pytest.raises(ValueError, match="conv"):
        PropertyGNN(conv="gat")


def test_roc_auc_equals_pairwise_count() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 40)
    scores = rng.integers(0, 6, 40).astype(float)  # many ties
    pairs = list(itertools.product(np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)))
    expected = np.mean(
        [1.0 if scores[p] > scores[n] else 0.5 if scores[p] == scores[n] else 0.0 for p, n in pairs]
    )
    assert roc_auc(labels, scores) == pytest.approx(expected)
    with pytest.raises(ValueError, match="both classes"):
        roc_auc(np.ones(3), np.arange(3.0))


def test_regression_output_is_in_target_units() -> None:
    """Training standardises the target, then folds mean and scale into the last layer:
    the trained model's outputs are solubilities, and the recorded RMSE is theirs."""
    data = load_solubility()
    trained = train_property_model(data, hidden=16, num_layers=2, epochs=3, patience=3)
    graphs = property_graphs(data.smiles[:200])
    outputs = evaluate_property_model(trained.model, graphs, data.targets[:200], "regression")
    assert outputs < 2 * data.targets.std()
    assert trained.metrics["target_mean"] == pytest.approx(data.targets[data.split["train"]].mean())
    test = data.split["test"]
    rmse = evaluate_property_model(
        trained.model,
        property_graphs([data.smiles[i] for i in test]),
        data.targets[test],
        "regression",
    )
    assert rmse == pytest.approx(trained.metrics["test_rmse"])


SHIPPED = {
    "solubility": (load_solubility_gnn, load_solubility, "test_rmse"),
    "bbb": (load_bbb_gnn, load_b3db, "test_roc_auc"),
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_model_reproduces_its_recorded_test_metric(name: str) -> None:
    load_model, load_data, key = SHIPPED[name]
    trained = load_model(train_if_missing=False)  # weights_only=True inside
    data = load_data(trained.metrics["settings"]["seed"])
    test = data.split["test"]
    graphs = property_graphs([data.smiles[i] for i in test])
    metric = evaluate_property_model(trained.model, graphs, data.targets[test], data.task)
    assert metric == pytest.approx(trained.metrics[key], abs=1e-6)
    if name == "solubility":
        assert metric <= 1.0
    else:
        assert metric >= 0.85
    assert trained.model.task_names == [data.task_name]


@pytest.mark.slow
def test_retraining_the_property_models_reaches_the_goals() -> None:
    torch.set_num_threads(2)
    solubility = train_solubility_gnn()
    assert solubility.metrics["test_rmse"] <= 1.0
    bbb = train_bbb_gnn()
    assert bbb.metrics["test_roc_auc"] >= 0.85
