"""The `symxai` command line end to end on the shipped molecules: answers equal the
API, bad input ends with a located message and exit code 2, reports resume."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from symxai.domains.molecules import explain_molecule
from tests.conftest import NITROANILINE, invoke_cli

NITRO = 'smarts"[N+](=O)[O-]"'


@pytest.mark.parametrize("command", ["query", "search", "report", "domains", "demo"])
def test_every_command_has_help(command: str) -> None:
    result = invoke_cli(command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_query_prints_the_api_relevances() -> None:
    result = invoke_cli("query", NITROANILINE, f"nitro: {NITRO}", "N & O", "N & ~Cl", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    explanation = explain_molecule(NITROANILINE, missing="absent")
    expected = explanation.relevances([NITRO, "N & O", "N & ~Cl"]).to_numpy()
    assert [row["query"] for row in payload["relevance"]] == ["nitro", "N & O", "N & ~Cl"]
    assert [row["relevance"] for row in payload["relevance"]] == pytest.approx(expected, rel=1e-6)
    assert payload["prediction"] == pytest.approx(explanation.prediction)


def test_query_reads_a_data_set_molecule_and_a_query_file(tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text(f"# two queries\nnitro: {NITRO}\nNO: N & O  # comment\n")
    result = invoke_cli("query", "Mutagenicity:3", "--queries", queries)
    assert result.exit_code == 0, result.output
    assert "nitro" in result.stdout and "NO" in result.stdout


def test_bad_query_file_line_exits_2_with_line_column_and_caret(tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("nitro: N & O\nbroken: N & | O\n")
    result = invoke_cli("query", NITROANILINE, "--queries", queries)
    assert result.exit_code == 2
    assert f"{queries}, line 2, column 13" in result.stderr
    line, caret = result.stderr.rstrip("\n").splitlines()[-2:]
    assert caret.index("^") == line.index("| O")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((NITROANILINE, "N & Oxy"), "Oxy is not an element symbol"),
        ((NITROANILINE, "element:Xx"), "no such element"),
        ((NITROANILINE, 'smarts"C(("'), "invalid SMARTS"),
        ((NITROANILINE, "C", "--strict", "N & Cl"), "Cl matches no feature"),
        (("C1CC", "N"), "invalid SMILES"),
        ((NITROANILINE, "N", "--mode", "banzhaf"), "mode 'banzhaf'"),
        ((NITROANILINE, "N", "--target", "first"), "unknown target 'first'"),
        ((NITROANILINE, "--queries", "missing.txt"), "missing.txt' does not exist"),
        ((NITROANILINE,), "give at least one query"),
        (("Mutagenicity:99999", "N"), "has no input '99999'"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(args: tuple[str, ...], message: str) -> None:
    result = invoke_cli("query", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_unknown_option_is_a_usage_error() -> None:
    result = invoke_cli("query", NITROANILINE, "N", "--bogus")
    assert result.exit_code == 2 and "No such option" in result.output


def test_report_runs_and_resumes_from_a_spec(tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text(f"nitro: {NITRO}\nNO: N & O\nhalogen: Cl | Br | I\n")
    spec = tmp_path / "spec.toml"
    spec.write_text('queries = "q.txt"\ndata = "Mutagenicity"\noutput = "out"\nlimit = 12\n')
    first = invoke_cli("report", spec, "--executor", "serial", "--no-progress")
    assert first.exit_code == 0, first.output
    assert "12 inputs x 3 queries" in first.stdout and "12 explained now" in first.stdout
    table = pd.read_csv(tmp_path / "out" / "relevance.csv")
    assert len(table) == 36 and not table.duplicated(["input", "query"]).any()
    assert (tmp_path / "out" / "report.html").is_file()
    more = invoke_cli("report", spec, "--limit", "20", "--executor", "serial", "--no-progress")
    assert more.exit_code == 0, more.output
    assert "8 explained now, 12 already written" in more.stdout
    assert len(pd.read_csv(tmp_path / "out" / "relevance.csv")) == 60


def test_report_without_spec_and_bad_spec_keys(tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("N & O\n")
    out = tmp_path / "plain"
    ok = invoke_cli(
        "report",
        "--queries",
        queries,
        "--data",
        "MUTAG",
        "--limit",
        "5",
        "-o",
        out,
        "--formats",
        "csv",
        "--executor",
        "serial",
    )
    assert ok.exit_code == 0, ok.output
    assert len(pd.read_csv(out / "relevance.csv")) == 5
    spec = tmp_path / "bad.toml"
    spec.write_text('queries = "q.txt"\nouptut = "x"\n')
    bad = invoke_cli("report", spec)
    assert bad.exit_code == 2 and "unknown key 'ouptut'; did you mean 'output'" in bad.stderr
    missing = invoke_cli("report", tmp_path / "none.toml")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def test_search_one_molecule_prints_ranked_queries() -> None:
    result = invoke_cli(
        "search", NITROANILINE, "-a", "N", "-a", "O", "-a", "C", "--top", "5", "--json"
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    rows = payload["queries"]
    assert len(rows) == 5 and payload["sign"] == "abs" and payload["failed"] == []
    magnitudes = [abs(row["score"]) for row in rows]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_search_over_a_data_set(tmp_path: Path) -> None:
    result = invoke_cli(
        "search",
        "--data",
        "Mutagenicity",
        "--limit",
        "25",
        "-a",
        "N",
        "-a",
        "O",
        "-a",
        "Cl",
        "--max-literals",
        "2",
        "--top",
        "3",
    )
    assert result.exit_code == 0, result.output
    assert "25 inputs" in result.stdout
    no_atoms = invoke_cli("search", "--data", "Mutagenicity")
    assert no_atoms.exit_code == 2 and "--atom" in no_atoms.stderr


def test_console_entry_point_exits_2_without_traceback() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "symxai", "query", "CCO", "N & & O"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2
    assert "column 5" in process.stderr and "Traceback" not in process.stderr


def test_readme_query_example_prints_what_the_readme_shows() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = re.search(r"```sh\n\$ (symxai query [^\n]+)\n(.*?)```", readme, re.S)
    assert block is not None
    command, shown = block[1], block[2]
    result = invoke_cli(*shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    assert result.stdout == shown
