"""`symxai report` with bad input (issue 10): every case ends with exit code 2, one
line ``error: ...`` on stderr that names the problem (path, address, setting), and no
traceback; configuration errors that would fail every input are reported once, before
the run starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from symxai.cli import app

runner = CliRunner()


def report(
    tmp_path: Path,
    *args: object,
    smiles: str = "Nc1ccccc1 aniline\nCO methanol\n",
    query: str = "NO: N & O\n",
):
    """``symxai report`` on a small SMILES file with one query, serial, no progress."""
    data = tmp_path / "molecules.smi"
    data.write_text(smiles)
    queries = tmp_path / "q.txt"
    queries.write_text(query)
    options = ["--queries", queries, "--data", data, "--executor", "serial", "--no-progress"]
    if "-o" not in args:
        options += ["-o", tmp_path / "out"]
    return runner.invoke(app, ["report", *map(str, options), *map(str, args)])


def assert_clear_error(result, *fragments: str) -> str:
    """Exit 2, exactly one ``error:`` line on stderr with every fragment, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def test_output_that_is_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("mine")
    assert_clear_error(report(tmp_path, "-o", target), str(target), "is a file")
    assert target.read_text() == "mine"


def test_output_dev_null(tmp_path: Path) -> None:
    assert_clear_error(report(tmp_path, "-o", "/dev/null"), "/dev/null", "not a folder")


def test_read_only_output_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere a permission allows; /sys is read-only
        folder = Path("/sys/fs")
    else:
        folder = tmp_path / "readonly"
        folder.mkdir()
        folder.chmod(0o555)
    assert_clear_error(report(tmp_path, "-o", folder), str(folder), "not writable")


def test_unreachable_dask_scheduler_fails_fast_with_its_address(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    result = report(
        tmp_path, "--executor", "dask", "--scheduler", address, "--scheduler-timeout", "1"
    )
    assert_clear_error(result, address, "did not answer within 1 s")


@pytest.mark.parametrize("limit", ["0", "-2"])
def test_limit_must_be_positive(tmp_path: Path, limit: str) -> None:
    assert_clear_error(
        report(tmp_path, "--limit", limit), f"limit must be a positive integer, got {limit}"
    )


def test_every_input_failing_exits_2(tmp_path: Path) -> None:
    result = report(tmp_path, smiles="C1CC broken\nc1cc open\n")
    assert_clear_error(result, "every input failed (2 of 2)", "broken", "unclosed ring")
    assert "0 inputs x 1 queries" in result.stdout  # the summary is still printed
    assert (tmp_path / "out" / "failures.csv").is_file()


def test_target_out_of_range_is_reported_once_before_the_run(tmp_path: Path) -> None:
    result = report(tmp_path, "--target", "7")
    assert_clear_error(result, "target 7 is out of range", "2 outputs")
    assert not (tmp_path / "out").exists()  # nothing was run


def test_a_model_file_that_is_not_a_model(tmp_path: Path) -> None:
    weights = tmp_path / "model.pt"
    weights.write_bytes(b"not a state dict")
    weights.with_suffix(".json").write_text(
        '{"config": {"in_channels": 14, "hidden": 8, "num_layers": 1}}'
    )
    result = report(tmp_path, "--model", weights)
    assert_clear_error(result, str(weights), "is not a GIN weights file")
    assert not (tmp_path / "out").exists()


def test_an_output_folder_in_use_by_another_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    script = (
        "import sys, time\n"
        "from symxai.report.lock import FolderLock\n"
        "lock = FolderLock(sys.argv[1]); lock.acquire(); print('held', flush=True)\n"
        "time.sleep(120)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script, str(out)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        result = report(tmp_path)
        assert_clear_error(result, str(out), f"in use by another report (pid {holder.pid}")
    finally:
        holder.kill()
        holder.wait()


def test_a_changed_query_is_announced_on_resume(tmp_path: Path) -> None:
    first = report(tmp_path)
    assert first.exit_code == 0, first.output
    again = report(tmp_path, query="NO: C & ~N\n")
    assert again.exit_code == 0, again.output
    assert "query 'NO' changed since its rows were written: 2 input(s)" in again.stderr
    assert "2 explained now, 0 already written" in again.stdout


def test_shapley_summary_says_which_query_set(tmp_path: Path) -> None:
    result = report(tmp_path, "--mode", "shapley")
    assert result.exit_code == 0, result.output
    assert "shapley mode, Q = the report's 1 query" in result.stdout


def test_shapley_set_features_from_the_command_line_gives_shapley_values(tmp_path: Path) -> None:
    """``--shapley-set features``: Q = the feature singletons, the API's default Q, so a
    row equals ``Explanation.relevance(q, mode="shapley")``; the summary names that Q."""
    import pandas as pd

    from symxai.domains.molecules import explain_molecule

    result = report(tmp_path, "--mode", "shapley", "--shapley-set", "features", query="NC: N & C\n")
    assert result.exit_code == 0, result.output
    assert "shapley mode, Q = the single features" in result.stdout
    table = pd.read_csv(tmp_path / "out" / "relevance.csv")
    expected = explain_molecule("Nc1ccccc1", missing="absent").relevance("N & C", mode="shapley")
    assert abs(expected) > 1e-3
    assert table.set_index("input").loc["aniline", "relevance"] == pytest.approx(expected)


def test_unknown_shapley_set_is_named(tmp_path: Path) -> None:
    assert_clear_error(
        report(tmp_path, "--mode", "shapley", "--shapley-set", "atoms"),
        "shapley_set 'atoms'",
        "queries, features",
    )
