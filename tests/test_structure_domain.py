"""The ``structures`` domain of the registry: frames of ``.xyz`` files and of the shipped
malondialdehyde data explained by the shipped SchNet, from ``symxai query`` and a report,
equal to :func:`~symxai.domains.structures.explain_structure`."""

from __future__ import annotations

import json
from pathlib import Path

import ase.io
import numpy as np
import pandas as pd
import pytest
from ase import Atoms
from typer.testing import CliRunner

from symxai.cli import app
from symxai.data.malondialdehyde import load_malondialdehyde_data
from symxai.domains.registry import DomainError, get_domain
from symxai.domains.structures import explain_structure

QUERIES = ["H5 & O3", "H5 & O3 & ~O4", "O", "C0 | H8"]
FRAMES = (0, 700, 1550)
runner = CliRunner()


def frame(index: int) -> Atoms:
    data = load_malondialdehyde_data()
    return Atoms(numbers=data["numbers"], positions=data["positions"][index].astype(np.float64))


@pytest.fixture
def frames_file(tmp_path: Path) -> Path:
    path = tmp_path / "frames.extxyz"
    ase.io.write(path, [frame(i) for i in FRAMES])
    return path


# SchNet runs in float32 and its reductions depend on the torch thread count, so the same
# call differs in its last bits between runs. A conjunction's relevance is an
# inclusion-exclusion sum of energies of a few eV: its float32 resolution is about 1e-6 eV
# (measured: up to 9.5e-7 eV between 1, 2 and 4 threads), so equality is checked to 1e-5 eV.
FLOAT32_EV = 1e-5


def expected(atoms: Atoms, backend: str = "schnet-lrp") -> np.ndarray:
    explanation = explain_structure(atoms, backend=backend, missing="absent")
    return explanation.relevances(QUERIES).to_numpy()


def test_the_domain_is_registered_with_its_data_model_and_backends() -> None:
    domain = get_domain("structures")
    assert domain.backends == ("schnet-lrp", "perturbation")
    assert domain.models == ("malondialdehyde-schnet",)
    assert domain.default_data == "malondialdehyde"
    records = domain.load_inputs("malondialdehyde")
    assert len(records) == 1561 and records[0].text == "C3H4O2 frame 0"
    assert {record.label for record in records} == {"md", "path"}
    with pytest.raises(DomainError, match=r"neither malondialdehyde nor an \.xyz/\.extxyz file"):
        domain.load_inputs("water.pdb")


@pytest.mark.parametrize("backend", ["schnet-lrp", "perturbation"])
def test_query_on_a_structure_file_equals_explain_structure(frames_file, backend) -> None:
    args = ["query", str(frames_file), *QUERIES, "--domain", "structures", "--json"]
    result = runner.invoke(app, [*args, "--backend", backend])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    last = ase.io.read(frames_file)  # a file given as text is its last frame
    relevance = [row["relevance"] for row in payload["relevance"]]
    assert relevance == pytest.approx(expected(last, backend), rel=1e-6, abs=FLOAT32_EV)
    assert payload["backend"] == backend
    assert payload["prediction"] == pytest.approx(
        explain_structure(last, backend=backend).prediction
    )


def test_query_reads_a_frame_of_the_shipped_data() -> None:
    result = runner.invoke(
        app, ["query", "malondialdehyde:700", *QUERIES, "-d", "structures", "--json"]
    )
    assert result.exit_code == 0, result.output
    relevance = [row["relevance"] for row in json.loads(result.stdout)["relevance"]]
    assert relevance == pytest.approx(expected(frame(700)), rel=1e-6, abs=FLOAT32_EV)


def test_atoms_the_model_cannot_have_are_refused_with_a_suggestion(frames_file) -> None:
    result = runner.invoke(app, ["query", str(frames_file), "H5 & Ox", "--domain", "structures"])
    assert result.exit_code == 2
    assert "Ox is not an element symbol or an atom name such as C0" in result.stderr
    assert "did you mean 'O'?" in result.stderr


def test_a_report_over_the_frames_of_a_file_equals_explain_structure(
    tmp_path: Path, frames_file: Path
) -> None:
    broken = frame(0)
    broken.positions[5] = broken.positions[3] + 0.1  # H5 on top of O3
    ase.io.write(frames_file, [frame(i) for i in FRAMES] + [broken])
    output = tmp_path / "out"
    queries = tmp_path / "q.txt"
    queries.write_text("".join(f"q{i}: {query}\n" for i, query in enumerate(QUERIES)))
    args = ["report", "--queries", str(queries), "--domain", "structures"]
    args += ["--data", str(frames_file), "--output", str(output), "--formats", "csv,html"]
    result = runner.invoke(app, [*args, "--executor", "serial"])
    assert result.exit_code == 0, result.output
    assert "3 inputs x 4 queries" in result.stdout and "1 failed" in result.stdout
    table = pd.read_csv(output / "relevance.csv", dtype={"input": str})
    for position in range(len(FRAMES)):
        rows = table[table["input"] == str(position)]
        atoms = ase.io.read(frames_file, index=position)  # the frame as the file holds it
        np.testing.assert_allclose(rows["relevance"], expected(atoms), rtol=1e-6, atol=FLOAT32_EV)
    failures = pd.read_csv(output / "failures.csv", dtype={"input": str})
    assert list(failures["input"]) == ["3"]
    assert "frame 3 of" in failures["error"][0] and "overlapping atoms" in failures["error"][0]
    html = (output / "report.html").read_text()
    assert "f(energy)" in html and "data:image/svg+xml;base64," in html
