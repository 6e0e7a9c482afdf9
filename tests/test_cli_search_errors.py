"""`symxai search` with bad input: exit code 2 and one line that names the problem, no
traceback; inputs of --data that fail are skipped and listed; --sign is honoured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NITROANILINE, invoke_cli


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "Mutagenicity", "--limit", "0"], "--limit must be a positive integer, got 0"),
        (["--data", "Mutagenicity", "--limit", "-3"], "--limit must be a positive integer, got -3"),
        (["--data", "Mutagenicity", "--top", "0"], "--top must be a positive integer, got 0"),
        ([NITROANILINE, "--max-literals", "0"], "--max-literals must be a positive integer"),
        ([NITROANILINE, "--limit", "5"], "--limit applies to --data only"),
        ([NITROANILINE, "--sign", "sideways"], "--sign must be one of abs, positive, negative"),
    ],
)
def test_bad_options_exit_2_with_one_line(args: list[str], message: str) -> None:
    assert_one_line_error(invoke_cli("search", *args, "-a", "N", "-a", "O"), message)


def test_an_unknown_group_is_an_error_listing_the_groups_of_the_input() -> None:
    result = invoke_cli("search", NITROANILINE, "-a", "N", "-a", "O", "-g", "ring")
    assert_one_line_error(result, "search group ring", "groups that exist here: O, N, C, H")
    absent = invoke_cli("search", NITROANILINE, "-a", "N", "-g", "Cl")
    assert_one_line_error(absent, "search group Cl", "O, N, C, H")


def test_a_group_absent_from_every_data_set_input_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "molecules.csv"
    data.write_text("smiles\nO=[N+]([O-])c1ccccc1N\nCCO\n", encoding="utf-8")
    result = invoke_cli("search", "--data", data, "-a", "N", "-a", "Cl", "-g", "Cl", "--top", "2")
    assert_one_line_error(result, "search group Cl matches nothing", "exist there: N")


def test_failing_inputs_of_a_data_set_are_skipped_and_listed(tmp_path: Path) -> None:
    data = tmp_path / "molecules.csv"
    data.write_text(
        "id,smiles\nnitro,O=[N+]([O-])c1ccccc1N\nbroken,C1CC(\nethanol,CCO\n", encoding="utf-8"
    )
    args = ["search", "--data", data, "-a", "N", "-a", "O", "--max-literals", "2", "--top", "3"]
    text = invoke_cli(*args)
    assert text.exit_code == 0, text.output
    assert "3 inputs (2 searched)" in text.stdout
    assert "1 input failed: broken (MoleculeError: invalid SMILES 'C1CC('" in text.stdout
    payload = json.loads(invoke_cli(*args, "--json").stdout)
    assert payload["inputs"] == 2 and len(payload["queries"]) == 3
    assert [f["input"] for f in payload["failed"]] == ["broken"]
    assert "C1CC(" in payload["failed"][0]["error"]


def test_a_data_set_whose_inputs_all_fail_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "broken.csv"
    data.write_text("id,smiles\nfirst,C1CC(\nsecond,XYZ\n", encoding="utf-8")
    result = invoke_cli("search", "--data", data, "-a", "N", "--top", "2")
    assert_one_line_error(result, "all 2 inputs failed", "first")


@pytest.mark.parametrize("sign", ["positive", "negative", "abs"])
def test_the_sign_ranks_the_scores_and_is_shown(sign: str) -> None:
    args = ["search", NITROANILINE, "-a", "N", "-a", "O", "-a", "C", "--top", "6"]
    payload = json.loads(invoke_cli(*args, "--sign", sign, "--json").stdout)
    assert payload["sign"] == sign
    scores = [row["score"] for row in payload["queries"]]
    key = {"positive": scores, "negative": [-s for s in scores]}.get(sign, [abs(s) for s in scores])
    assert key == sorted(key, reverse=True)
    if sign == "negative":
        assert scores[0] < 0
    text = invoke_cli(*args, "--sign", sign)
    assert text.exit_code == 0, text.output
    header, columns = text.stdout.splitlines()[:2]
    assert "ranked by" in header and "sign" in columns.split()


def test_console_search_error_has_no_traceback() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "symxai", "search", "--data", "Mutagenicity", "--limit", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2
    assert process.stderr.strip() == "error: --limit must be a positive integer, got 0"
