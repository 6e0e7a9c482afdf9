"""Targets: scalar regression, tasks by index or by name, logit differences and node
outputs, each named in ``explanation.metadata["target"]``; clear errors."""

from __future__ import annotations

import pytest
import torch

import symxai
from symxai.backends.target import output_names_of, resolve_target, target_name
from symxai.domains.molecules import explain_molecule, molecule_from_smiles
from symxai.models import NodeGIN
from tests.conftest import NITROANILINE
from tests.user_chemistry import tiny_gin, tiny_gine


def test_resolve_target_by_name_index_and_task_number() -> None:
    names = ("logS", "logP", "toxic")
    assert resolve_target("logP", names) == 1
    assert resolve_target("task_2", names) == 2
    assert resolve_target("task 0", None) == 0
    assert resolve_target(("toxic", "logS"), names) == (2, 0)
    assert resolve_target(None, names) is None
    with pytest.raises(ValueError, match="the model's outputs are logS, logP, toxic"):
        resolve_target("pIC50", names)
    with pytest.raises(ValueError, match="declares no output names"):
        resolve_target("pIC50", None)
    with pytest.raises(ValueError, match=r"the model has 3 outputs \(0..2\)"):
        resolve_target(3, names, count=3)


def test_target_names() -> None:
    assert target_name((0, 1), ("mutagen", "nonmutagen")) == "mutagen - nonmutagen"
    assert target_name(2, None) == "task 2"
    assert target_name(0, ("logS", "logP")) == "logS"
    assert target_name(None, ("logS",)) == "logS"
    assert target_name(None, None) == "output"
    assert target_name(1, None, node=4) == "task 1 at node 4"


def test_output_names_from_attribute_or_config() -> None:
    model = torch.nn.Linear(2, 2)
    assert output_names_of(model) is None
    model.config = {"output_names": ["a", "b"]}
    assert output_names_of(model) == ("a", "b")
    model.task_names = ["c", "d"]
    assert output_names_of(model) == ("c", "d")


def test_default_mutagenicity_target_is_named(mutagenicity_gin) -> None:
    explanation = explain_molecule(NITROANILINE, mutagenicity_gin.model)
    assert explanation.metadata["target"] == "mutagen - nonmutagen"
    assert explanation.metadata["target_value"] == (0, 1)


def test_regression_model_explains_its_one_output() -> None:
    model = tiny_gin()
    explanation = explain_molecule("c1ccncc1O", model)
    assert explanation.metadata["target"] == "score"
    assert explanation.metadata["target_value"] is None
    molecule = molecule_from_smiles("c1ccncc1O", featurizer=model.featurizer)
    with torch.no_grad():
        data = molecule.to_data()
        expected = float(model(data.x, data.edge_index))
    assert explanation.prediction == pytest.approx(expected, rel=1e-5)


def test_multitask_by_name_by_index_and_out_of_range() -> None:
    model = tiny_gine()
    by_name = explain_molecule("CCO", model, target="toxic")
    by_index = explain_molecule("CCO", model, target=2)
    assert by_name.metadata["target"] == by_index.metadata["target"] == "toxic"
    assert by_name.prediction == pytest.approx(by_index.prediction)
    assert explain_molecule("CCO", model, target=("logS", "logP")).metadata["target"] == (
        "logS - logP"
    )
    with pytest.raises(ValueError, match="the model's outputs are logS, logP, toxic"):
        explain_molecule("CCO", model, target="pIC50")
    with pytest.raises(ValueError, match="the model has 3 outputs per sample"):
        explain_molecule("CCO", model, target=5)
    del model.task_names
    assert explain_molecule("CCO", model, target=1).metadata["target"] == "task 1"


def test_node_level_target_is_named() -> None:
    from torch_geometric.data import Data

    torch.manual_seed(0)
    model = NodeGIN(in_channels=3, hidden=8, num_layers=2, out_channels=2).eval()
    data = Data(
        x=torch.rand(5, 3), edge_index=torch.tensor([[0, 1, 1, 2, 3, 4], [1, 0, 2, 1, 4, 3]])
    )
    explanation = symxai.explain(model, data, "gnn-lrp", target=1, node=2)
    assert explanation.metadata["target"] == "task 1 at node 2"
