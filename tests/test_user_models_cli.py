"""A user's model and featurizer from the command line and a report spec:
``--model module:function``, ``--featurizer tu|ogb|module:function``, weights files
whose configuration names the architecture and the featurizer, named targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symxai.cache import save_weights
from symxai.models import GIN
from tests.conftest import invoke_cli

TINY_GIN = "tests.user_chemistry:tiny_gin"
TINY_GINE = "tests.user_chemistry:tiny_gine"
RING = "tests.user_chemistry:ring_featurizer"
FLOAT_OGB = "tests.user_chemistry:float_ogb_featurizer"


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_user_model_with_its_declared_featurizer() -> None:
    result = invoke_cli("query", "c1ccncc1O", "N", "O & ~N", "--model", TINY_GIN, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["target"] == "score"
    assert [row["query"] for row in payload["relevance"]] == ["N", "O & ~N"]


def test_user_featurizer_given_on_the_command_line() -> None:
    declared = invoke_cli("query", "c1ccncc1O", "N", "--model", TINY_GIN, "--json")
    given = invoke_cli(
        "query", "c1ccncc1O", "N", "--model", TINY_GIN, "--featurizer", RING, "--json"
    )
    assert given.exit_code == 0, given.output
    assert json.loads(given.stdout) == json.loads(declared.stdout)


def test_named_task_from_the_command_line() -> None:
    result = invoke_cli(
        "query",
        "[Na+].[O-]C(=O)C",
        "O",
        "--model",
        TINY_GINE,
        "--featurizer",
        FLOAT_OGB,
        "--target",
        "logS",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("[Na+].[O-]C(=O)C: f(logS) = ")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--model", "tests.user_chemistry:missing"], "has no attribute 'missing'"),
        (["--model", "no_such_module_xyz:build"], "module 'no_such_module_xyz' cannot be imported"),
        (["--model", "tests.user_chemistry:not_a_model"], "returned str, not a torch.nn.Module"),
        (["--featurizer", "no_such_module_xyz:f"], "cannot be imported"),
        (["--featurizer", "tests.user_chemistry:wrong_rows"], "x of shape (3, 2)"),
        (["--featurizer", "morgan"], "featurizer 'morgan' is not one of tu, ogb"),
        (["--model", TINY_GINE, "--target", "pIC50"], "outputs are logS, logP, toxic"),
        (["--model", TINY_GINE, "--target", "7"], "has 3 outputs (0..2)"),
    ],
)
def test_bad_user_models_and_featurizers_give_one_line(options: list[str], fragment: str) -> None:
    assert fragment in one_error_line(invoke_cli("query", "CO", "O", *options))


def test_featurizer_in_a_report_spec(tmp_path: Path) -> None:
    data = tmp_path / "molecules.smi"
    data.write_text("c1ccncc1O hydroxypyridine\nCC(=O)O acetic\nC[Se]C selenide\n")
    (tmp_path / "spec.toml").write_text(
        f'domain = "molecules"\ndata = "molecules.smi"\nmodel = "{TINY_GINE}"\n'
        f'featurizer = "{FLOAT_OGB}"\ntarget = "logP"\nqueries = ["O", "N | Se"]\n'
        'output = "out"\nformats = ["csv"]\n'
    )
    result = invoke_cli("report", tmp_path / "spec.toml", "--executor", "serial")
    assert result.exit_code == 0, result.output
    table = (tmp_path / "out").glob("*.csv")
    text = "\n".join(path.read_text() for path in table)
    for name in ("hydroxypyridine", "acetic", "selenide"):
        assert name in text


def test_spec_featurizer_only_for_molecules(tmp_path: Path) -> None:
    (tmp_path / "spec.toml").write_text('domain = "text"\nfeaturizer = "ogb"\nqueries = ["a"]\n')
    line = one_error_line(invoke_cli("report", tmp_path / "spec.toml"))
    assert "featurizer applies to molecules only" in line


def test_weights_file_names_architecture_featurizer_and_outputs(tmp_path: Path) -> None:
    model = GIN(in_channels=9, hidden=8, num_layers=2, out_channels=1)
    info = {
        "config": model.config,
        "architecture": "GIN",
        "featurizer": FLOAT_OGB,
        "output_names": ["logS"],
    }
    weights = save_weights(model, info, tmp_path, "solubility")
    result = invoke_cli("query", "C[Se]C", "Se", "--model", weights, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"] == "logS"
    broken = save_weights(model, info | {"architecture": "Nope"}, tmp_path, "broken")
    line = one_error_line(invoke_cli("query", "CCO", "O", "--model", broken))
    assert "unknown architecture 'Nope'" in line


def test_evaluate_a_user_model_on_a_named_task(tmp_path: Path) -> None:
    data = tmp_path / "molecules.smi"
    data.write_text("c1ccncc1O a\nCCO b\nNc1ccccc1 c\n")
    common = ["evaluate", "--data", data, "--model", TINY_GINE, "--featurizer", FLOAT_OGB]
    common += ["--orderings", "random", "--repeats", "2", "-o", tmp_path / "out"]
    result = invoke_cli(*common, "--target", "logS")
    assert result.exit_code == 0, result.output
    assert "3 of 3 inputs evaluated" in result.stdout
    line = one_error_line(invoke_cli(*common, "--target", "pIC50"))
    assert "an output name (logS, logP, toxic)" in line


def test_ogb_featurizer_and_atom_encoder_model_from_the_command_line() -> None:
    result = invoke_cli(
        "query", "C[Se]C", "Se", "C", "--model", "tests.user_chemistry:ogb_gin", "--json"
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["target"] == "logS" and payload["backend"] == "gnn-lrp"


def test_user_groups_survive_the_models_featurizer(tmp_path: Path) -> None:
    groups = tmp_path / "groups.txt"
    groups.write_text("pyridine_n: [nX2]1ccccc1\n")
    common = ["query", "c1ccncc1O", "group:hydroxyl", "pyridine_n", "O", "N", "--json"]
    result = invoke_cli(*common, "--model", TINY_GIN, "--group-file", groups)
    assert result.exit_code == 0, result.output
    rows = {row["query"]: row["relevance"] for row in json.loads(result.stdout)["relevance"]}
    assert rows["group:hydroxyl"] == pytest.approx(rows["O"])
    assert rows["pyridine_n"] != 0.0
