"""Every result names its explained target (issue 15, "named in every result"): the
report's tidy table, search results and output, decompositions and evaluations; and the
group vocabulary file is ``--group-file`` (``--groups`` a deprecated alias that warns).

Targets: the shipped Mutagenicity GIN's default ``(0, 1)`` is
``mutagen - nonmutagen``; the shipped solubility ``PropertyGNN`` names its one output
``log_solubility``; the tiny user model of :mod:`tests.user_chemistry` names ``score``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import torch

from symxai.domains.molecules import explain_molecule, molecule_from_smiles
from symxai.report.runner import run_report
from symxai.report.spec import spec_from_mapping
from symxai.report.store import JOURNAL_COLUMNS, TABLE_COLUMNS, validate_row
from symxai.search import search_over_inputs
from tests.conftest import invoke_cli

MUTAGEN_TARGET = "mutagen - nonmutagen"
SOLUBILITY = "tests.test_target_names:solubility_gnn"
TINY_GIN = "tests.user_chemistry:tiny_gin"
NITROANILINE = "O=[N+]([O-])c1ccccc1N"
GROUPS_FILE = "phenol: [OX2H]c1ccccc1 a phenol\n"


def solubility_gnn() -> torch.nn.Module:
    """The shipped solubility regressor as a user passes it (``module:function``), with
    the featurizer it was trained on (``ogb``)."""
    from symxai.training.properties import load_solubility_gnn

    model = load_solubility_gnn(train_if_missing=False).model
    model.featurizer = "ogb"
    return model


def _spec(folder: Path, data: str, **values: object) -> object:
    mapping = {
        "domain": "molecules",
        "data": data,
        "queries": ["N", "O & ~N"],
        "formats": ["csv", "parquet"],
        "output": str(folder),
        "chunk_size": 4,
        **values,
    }
    return spec_from_mapping(mapping, "test")


# ---------------------------------------------------------------------- report
def test_report_table_names_the_default_target_and_a_resumed_run_keeps_its_rows(
    tmp_path: Path,
) -> None:
    spec = _spec(tmp_path / "out", "Mutagenicity", limit=6)
    first = run_report(spec, executor="serial", progress=False)
    assert list(first.table.columns) == list(TABLE_COLUMNS) and "target" in TABLE_COLUMNS
    assert (first.table["target"] == MUTAGEN_TARGET).all() and len(first.table) == 12
    for path in (first.files["csv"], first.files["parquet"]):
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        assert (frame["target"] == MUTAGEN_TARGET).all()
    # the journal keeps its columns (no target): rows written before the column existed
    # validate, and the run's fingerprint is that of the same spec before the change
    journal = [json.loads(line) for line in (spec.output / "rows.jsonl").read_text().splitlines()]
    assert all(set(row) == {*JOURNAL_COLUMNS, "definition", "checksum"} for row in journal)
    assert all(validate_row(row) is None for row in journal)
    fingerprint = json.loads((spec.output / "run.json").read_text())["fingerprint"]
    resumed = run_report(spec, executor="serial", progress=False)
    assert resumed.computed == [] and resumed.skipped == 6
    assert json.loads((spec.output / "run.json").read_text())["fingerprint"] == fingerprint
    pd.testing.assert_frame_equal(resumed.table, first.table)


def test_report_table_names_a_regressors_output(tmp_path: Path) -> None:
    data = tmp_path / "molecules.smi"
    data.write_text("c1ccncc1O a\nCCO b\nNc1ccccc1 c\n")
    spec = _spec(tmp_path / "out", str(data), model=SOLUBILITY, formats=["csv", "html"])
    result = run_report(spec, executor="serial", progress=False)
    assert result.failures.empty and len(result.table) == 6
    assert (result.table["target"] == "log_solubility").all()
    assert (pd.read_csv(result.files["csv"])["target"] == "log_solubility").all()
    assert "f(log_solubility)" in result.files["html"].read_text()
    assert result.task is not None and result.task.target_label() == "log_solubility"


# ---------------------------------------------------------------------- search
def test_decompositions_and_search_results_name_their_target(gin) -> None:
    explanation = explain_molecule(molecule_from_smiles(NITROANILINE), gin)
    decomposition = explanation.dividends()
    assert decomposition.target == MUTAGEN_TARGET
    assert decomposition.restrict(max_order=2).target == MUTAGEN_TARGET
    assert explanation.search(["N", "O", "C"], top=3).target == MUTAGEN_TARGET
    atom_sets = {str(atom): indices for atom, indices in explanation.resolve("N | O").items()}
    assert search_over_inputs([(decomposition, atom_sets)], top=2).target == MUTAGEN_TARGET
    decomposition.target = None  # a decomposition built by hand names no target
    assert search_over_inputs([(decomposition, atom_sets)], top=2).target is None


def test_search_output_names_the_target() -> None:
    result = invoke_cli("search", NITROANILINE, "--top", "2", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"] == MUTAGEN_TARGET
    result = invoke_cli("search", NITROANILINE, "--top", "2")
    assert result.stdout.startswith(f"{NITROANILINE}: f({MUTAGEN_TARGET}) = +")
    result = invoke_cli("search", "c1ccncc1O", "-a", "N", "-a", "O", "--model", TINY_GIN, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"] == "score"
    result = invoke_cli(
        "search", "--data", "Mutagenicity", "--limit", "3", "-a", "N", "-a", "O", "--top", "2"
    )
    assert result.exit_code == 0, result.output
    assert f"target f({MUTAGEN_TARGET})" in result.stdout.splitlines()[0]


# ---------------------------------------------------------------------- evaluate
def test_evaluation_names_the_target_per_row_and_in_its_settings(tmp_path: Path) -> None:
    data = tmp_path / "molecules.smi"
    data.write_text("c1ccncc1O a\nCCO b\n")
    common = ["evaluate", "--data", data, "--model", SOLUBILITY, "--orderings", "random"]
    named = invoke_cli(*common, "--target", "log_solubility", "-o", tmp_path / "named")
    assert named.exit_code == 0, named.output
    result = invoke_cli(*common, "-o", tmp_path / "out")  # a regressor's one output
    assert result.exit_code == 0, result.output
    assert "target f(log_solubility)" in result.stdout
    saved = json.loads((tmp_path / "out" / "evaluation.json").read_text())
    assert saved["settings"]["target_name"] == "log_solubility"
    areas = pd.read_csv(tmp_path / "out" / "areas.csv")
    assert (areas["target"] == "log_solubility").all()
    assert "log_solubility" in (tmp_path / "out" / "index.html").read_text()


# ---------------------------------------------------------------------- --group-file
def test_group_file_option_and_its_deprecated_alias(tmp_path: Path) -> None:
    path = tmp_path / "groups.txt"
    path.write_text(GROUPS_FILE)
    query = ["query", "Oc1ccccc1", "phenol"]
    current = invoke_cli(*query, "--group-file", path, "--json")
    assert current.exit_code == 0, current.output
    assert "deprecated" not in current.stderr
    old = invoke_cli(*query, "--groups", path, "--json")
    assert old.exit_code == 0, old.output
    assert "--groups FILE is deprecated, use --group-file FILE" in old.stderr
    assert json.loads(old.stdout) == json.loads(current.stdout)
    both = invoke_cli(*query, "--groups", path, "--group-file", path)
    assert both.exit_code == 2 and "as --group-file FILE" in both.stderr
    listed = invoke_cli("groups", "--groups", path, "--json")
    assert listed.exit_code == 0 and "phenol" in listed.stdout and "deprecated" in listed.stderr
    for command in ("query", "search", "report", "groups"):
        shown = invoke_cli(command, "--help").stdout
        assert "--group-file" in shown and "--groups " not in shown
    assert "Not a file" in invoke_cli("search", "--help").stdout
