"""Batch reports under hostile conditions (issue 10): changed queries and hand-edited
journals on resume, two runs into one folder, resuming from another directory,
shapley mode's query set, configuration errors that would fail every input, and the
names shown in the HTML page."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from symxai.domains.molecules import explain_molecule
from symxai.report import (
    ReportSpec,
    ResumeError,
    SpecError,
    load_spec,
    parse_query_lines,
    run_report,
)
from symxai.report.lock import LOCK_NAME, FolderLock, OutputLockedError
from symxai.report.store import row_checksum, validate_row
from symxai.report.tasks import ReportTask

MOLECULES = {
    "nitrobenzene": "O=[N+]([O-])c1ccccc1",
    "chloronitro": "O=[N+]([O-])c1ccccc1Cl",
    "aniline": "Nc1ccccc1",
    "octylnitro": "O=[N+]([O-])c1ccc(CCCCCCCC)cc1",  # 38 atoms with hydrogens
}


def smiles_file(
    folder: Path, molecules: dict[str, str] = MOLECULES, name: str = "molecules.smi"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(f"{smiles} {name}\n" for name, smiles in molecules.items()))
    return path


def spec_for(folder: Path, queries: str, **changes) -> ReportSpec:
    values = {
        "domain": "molecules",
        "data": changes.pop("data", None) or str(smiles_file(folder)),
        "queries": parse_query_lines(queries, "queries.txt"),
        "output": folder / "out",
        "chunk_size": 2,
        "formats": ("csv", "parquet"),
    }
    return ReportSpec(**(values | changes))


def run(spec: ReportSpec, **options):
    return run_report(spec, executor="serial", progress=False, **options)


# ------------------------------------------------------- item 1: changed queries
def test_a_changed_query_is_explained_again_never_mixed(tmp_path: Path) -> None:
    first = run(spec_for(tmp_path, "target: N & O\nnitrogen: N\n"))
    assert len(first.computed) == 4
    changed = spec_for(tmp_path, "target: C & ~N\nnitrogen: N\n")
    resumed = run(changed)
    assert sorted(resumed.computed) == sorted(MOLECULES)
    assert resumed.check.stale == {"target": set(MOLECULES)}
    assert "query 'target' changed" in resumed.check.messages()[0]
    fresh = run(spec_for(tmp_path / "fresh", "target: C & ~N\nnitrogen: N\n"))
    pd.testing.assert_frame_equal(resumed.table, fresh.table)
    assert set(resumed.table.loc[resumed.table["query"] == "target", "formula"]) == {"C & ~N"}
    # the stale rows are gone from the journal: a third run has nothing to do
    again = run(changed)
    assert again.computed == [] and again.check.stale == {} and again.skipped == 4


# -------------------------------------------------------- item 4: shapley's Q
def test_shapley_report_shares_among_its_own_queries(tmp_path: Path) -> None:
    queries = "nitrogen: N\noxygen: O\nboth: N & O\n"
    result = run(spec_for(tmp_path, queries, mode="shapley"))
    assert result.failures.empty and len(result.computed) == 4  # 38 atoms are fine
    formulas = ["N", "O", "N & O"]
    for name, smiles in MOLECULES.items():
        explanation = explain_molecule(smiles, missing="absent")
        rows = result.table[result.table["input"] == name].set_index("query")["relevance"]
        expected = explanation.relevances(formulas, mode="shapley", query_set=formulas)
        np.testing.assert_allclose(rows.to_numpy(), expected.to_numpy(), rtol=1e-5, atol=1e-6)
        # efficiency over Q: the shares add up to the harsanyi relevance of "some q of Q"
        union = explanation.relevances(["N | O | (N & O)"]).iloc[0]
        assert rows.sum() == pytest.approx(union, rel=1e-5, abs=1e-6)
    described = json.loads((tmp_path / "out" / "run.json").read_text())
    assert described["shapley_set"] == "Q = the report's 3 queries"


def test_shapley_report_on_the_features_when_the_spec_asks(tmp_path: Path) -> None:
    small = {"methanol": "CO", "hydroxylamine": "NO"}
    spec = spec_for(
        tmp_path,
        "nitrogen: N\noxygen: O\n",
        mode="shapley",
        shapley_set="features",
        data=str(smiles_file(tmp_path, small, "small.smi")),
    )
    result = run(spec)
    for name, smiles in small.items():
        explanation = explain_molecule(smiles, missing="absent")
        expected = explanation.relevances(["N", "O"], mode="shapley")  # Q = the features
        rows = result.table[result.table["input"] == name]["relevance"].to_numpy()
        np.testing.assert_allclose(rows, expected.to_numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(SpecError, match="shapley_set 'atoms' is not one of queries, features"):
        spec_for(tmp_path, "N\n", mode="shapley", shapley_set="atoms")


# ---------------------------------------------------- item 6: journal validation
def test_hand_edited_journal_rows_are_detected_and_explained_again(tmp_path: Path) -> None:
    spec = spec_for(tmp_path, "nitrogen: N\nboth: N & O\n", formats=("csv", "parquet"))
    fresh = run(spec).table
    journal = spec.output / "rows.jsonl"
    rows = [json.loads(line) for line in journal.read_text().splitlines()]
    assert all(validate_row(row) is None for row in rows)
    by_input = {row["input"]: row for row in rows if row["query"] == "both"}
    by_input["nitrobenzene"]["relevance"] += 1.0  # altered value, still valid JSON
    del by_input["aniline"]["relevance"]  # missing value
    by_input["chloronitro"]["relevance"] = "1e9"  # a string
    journal.write_text("".join(json.dumps(row) + "\n" for row in rows))
    resumed = run(spec)
    assert sorted(resumed.computed) == ["aniline", "chloronitro", "nitrobenzene"]
    reasons = " ".join(resumed.check.invalid)
    assert "checksum does not match" in reasons and "missing relevance" in reasons
    assert "relevance must be float, got '1e9'" in reasons
    pd.testing.assert_frame_equal(resumed.table, fresh)
    parquet = pd.read_parquet(resumed.files["parquet"])
    np.testing.assert_allclose(parquet["relevance"], fresh["relevance"])


def test_journal_rows_need_finite_numbers_and_every_field() -> None:
    good = {
        "input": "0",
        "query": "q",
        "formula": "N",
        "relevance": float("nan"),
        "mode": "harsanyi",
        "prediction": 1.5,
        "label": 0,
        "definition": "abc",
    }
    assert validate_row(good | {"checksum": row_checksum(good)}) is None  # NaN is allowed
    infinite = good | {"relevance": float("inf")}
    assert "finite" in validate_row(infinite | {"checksum": row_checksum(infinite)})
    assert "missing checksum" in validate_row(good)


# ------------------------------------------------- item 7: one run per folder
def _hold_lock(folder: Path) -> subprocess.Popen:
    script = (
        "import sys, time\n"
        "from symxai.report.lock import FolderLock\n"
        "lock = FolderLock(sys.argv[1]); lock.acquire(); print('held', flush=True)\n"
        "time.sleep(120)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_into_a_locked_folder_is_refused(tmp_path: Path) -> None:
    spec = spec_for(tmp_path, "N & O\n")
    spec.output.mkdir()
    (spec.output / "failures.jsonl").write_text('{"input": "x", "error": "kept"}\n')
    holder = _hold_lock(spec.output)
    try:
        with pytest.raises(
            OutputLockedError, match=rf"in use by another report \(pid {holder.pid} on"
        ):
            run(spec)
        assert (spec.output / "failures.jsonl").is_file()  # the holder's files are untouched
        assert not (spec.output / "rows.jsonl").exists()
    finally:
        holder.kill()
        holder.wait()
    result = run(spec)  # the kernel released the dead holder's lock
    assert len(result.computed) == 4
    assert not (spec.output / LOCK_NAME).exists()


def test_a_lock_whose_holder_pid_is_dead_on_this_host_is_stale(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    holder = _hold_lock(folder)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        record = {"pid": dead.pid, "host": socket.gethostname(), "since": "then"}
        (folder / LOCK_NAME).write_text(json.dumps(record))
        with FolderLock(folder) as lock:
            assert json.loads(lock.path.read_text())["pid"] == os.getpid()
    finally:
        holder.kill()
        holder.wait()


# ---------------------------------------------- item 8: resume from anywhere
def test_a_spec_resumes_from_another_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    smiles_file(project)
    (project / "q.txt").write_text("N & O\n")
    (project / "spec.toml").write_text(
        'data = "molecules.smi"\nqueries = "q.txt"\noutput = "out"\nchunk_size = 2\n'
        'formats = ["csv"]\n'
    )
    monkeypatch.chdir(tmp_path)
    first = run(load_spec("project/spec.toml", limit=2))
    assert len(first.computed) == 2
    monkeypatch.chdir(project)
    resumed = run(load_spec("spec.toml"))
    assert resumed.skipped == 2 and sorted(resumed.computed) == ["aniline", "octylnitro"]
    with pytest.raises(ResumeError, match=r"target \[0, 1\] then, 0 now"):
        run(load_spec("spec.toml", target=0))


# ------------------------------- item 11: errors that would fail every input
def test_a_target_out_of_range_is_reported_before_the_run(tmp_path: Path) -> None:
    spec = spec_for(tmp_path, "N & O\n", target=7)
    with pytest.raises(SpecError, match="target 7 is out of range: model 'mutagenicity-gin' has 2"):
        run(spec)
    assert not spec.output.exists()


def test_a_failing_batch_keeps_the_errors_of_its_own_inputs(tmp_path: Path) -> None:
    broken = {"nitrobenzene": MOLECULES["nitrobenzene"], "broken": "C1CC"}
    spec = spec_for(
        tmp_path, "N & O\n", target=7, data=str(smiles_file(tmp_path, broken, "broken.smi"))
    )
    task = ReportTask(spec)  # built without the up-front check, as a worker sees it
    result = task.explain_chunk(["nitrobenzene", "broken"])
    errors = {failure["input"]: failure["error"] for failure in result.failures}
    assert set(errors) == {"nitrobenzene", "broken"} and not result.rows
    assert "unclosed ring" in errors["broken"] and "7" not in errors["broken"]


def test_all_inputs_failing_is_flagged(tmp_path: Path) -> None:
    broken = {"a": "C1CC", "b": "c1cc"}
    result = run(spec_for(tmp_path, "N\n", data=str(smiles_file(tmp_path, broken, "broken.smi"))))
    assert result.all_failed and len(result.failures) == 2
    assert not run(spec_for(tmp_path / "fine", "N\n")).all_failed


# --------------------------------------------------------------- item 12: limit
@pytest.mark.parametrize("limit", [0, -3])
def test_limit_must_be_a_positive_integer(tmp_path: Path, limit: int) -> None:
    with pytest.raises(SpecError, match=f"limit must be a positive integer, got {limit}"):
        spec_for(tmp_path, "N\n", limit=limit)
    path = tmp_path / "spec.toml"
    path.write_text(f'queries = ["N"]\nlimit = {limit}\n')
    with pytest.raises(SpecError, match=f"limit must be a positive integer, got {limit}"):
        load_spec(path)


# ----------------------------------------------------- item 20: names in HTML
def test_html_names_classes_and_the_target(tmp_path: Path) -> None:
    spec = ReportSpec(
        data="Mutagenicity",
        queries=parse_query_lines("nitrogen: N\n"),
        output=tmp_path / "out",
        limit=4,
        top=4,
        formats=("html",),
    )
    html = run(spec).files["html"].read_text()
    assert "f(mutagen) - f(nonmutagen)" in html and "(0, 1)" not in html
    assert "label 0" not in html and "label 1" not in html
    assert "class mutagen<" in html or "class nonmutagen<" in html
