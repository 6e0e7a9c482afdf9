"""Shipped TU data read back consistently, and the `make demo` job (`symxai demo`) end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from symxai.data import load_tu_dataset

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("name", "graphs", "labels"), [("MUTAG", 188, {-1, 1}), ("Mutagenicity", 4337, {0, 1})]
)
def test_tu_datasets_are_complete_and_consistent(name: str, graphs: int, labels: set[int]) -> None:
    dataset = load_tu_dataset(name)
    assert len(dataset) == graphs
    assert {g.label for g in dataset.graphs} == labels
    for graph in dataset.graphs[::17]:
        edges = graph.edge_index
        assert edges.min() >= 0 and edges.max() < graph.num_nodes
        forward = set(map(tuple, edges.T.tolist()))
        assert forward == {(j, i) for i, j in forward}  # undirected: both directions listed


def test_mutagenicity_ground_truth_edges_are_inside_no2_and_nh2_groups() -> None:
    dataset = load_tu_dataset("Mutagenicity")
    with_truth = 0
    for graph in dataset.graphs:
        marked = graph.edge_index[:, graph.edge_ground_truth == 1]
        if marked.size == 0:
            continue
        with_truth += 1
        elements = np.asarray(graph.elements)[graph.node_labels]
        pairs = {frozenset((elements[i], elements[j])) for i, j in marked.T}
        assert pairs <= {frozenset(("N", "O")), frozenset(("N", "H"))}, (graph.index, pairs)
    assert with_truth > 1000  # many mutagens carry a nitro or amino group


def run_example(name: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``examples/<name>``, or ``python -m symxai <args>`` when ``name`` is ``symxai``."""
    env = {**os.environ, "SYMXAI_CACHE": str(tmp_path / "cache")}
    command = ["-m", "symxai", *args] if name == "symxai" else [str(ROOT / "examples" / name)]
    result = subprocess.run(
        [sys.executable, *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_demo_explains_a_nitroaromatic_mutagen(tmp_path: Path) -> None:
    result = run_example("symxai", tmp_path, "demo", "--limit", "60")
    out = tmp_path / "symxai-output"
    report = json.loads((out / "demo.json").read_text())
    assert report["prediction"] >= 2.0  # a confidently predicted mutagen
    # The relevant walks add up to the subgraph relevance of the whole molecule.
    assert report["walks_sum"] == pytest.approx(report["value_all_atoms"], rel=1e-4)
    assert sum(report["node_relevance"].values()) == pytest.approx(
        report["value_all_atoms"], rel=1e-4
    )
    relevance = report["relevance"]
    nitro, benzene = 'smarts"[N+](=O)[O-]"', 'smarts"c1ccccc1"'
    # R(a | b) = R(a) + R(b) - R(a & b), with R(b) = R(b & ~a) + R(b & a).
    assert relevance[f"{nitro} | {benzene}"] == pytest.approx(
        relevance[nitro] + relevance[f"{benzene} & ~{nitro}"], abs=1e-5
    )
    for image in ("demo_molecule.png", "demo_dividends.png"):
        assert (out / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "query relevance" in result.stdout
    # query search ranks by correlation, best first
    scores = [row["score"] for row in report["search"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    # the batch part: a tidy table of 60 molecules x 6 queries and its HTML page
    table = pd.read_csv(out / "report" / "relevance.csv")
    assert len(table) == 60 * 6 and not table.duplicated(["input", "query"]).any()
    assert (out / "report" / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert "60 molecules" in result.stdout


def test_perturbation_example_numbers_are_consistent(tmp_path: Path) -> None:
    result = run_example("perturbation_mutag.py", tmp_path)
    report = json.loads((tmp_path / "symxai-output" / "perturbation_mutag.json").read_text())
    assert report["heldout_accuracy"] >= 0.7
    relevance = report["relevance"]
    # The molecule has no chlorine: ~Cl is true on every coalition.
    assert relevance["N & O & ~Cl"] == pytest.approx(relevance["N & O"])
    # Shapley shares over element groups covering all its atoms add up to v(N) - v(empty).
    total = report["prediction"] - report["empty_value"]
    assert sum(report["shapley"].values()) == pytest.approx(total, abs=1e-5)
    assert "prediction (mutagen - nonmutagen logit)" in result.stdout


@pytest.mark.slow  # tests/test_explain_face.py runs both backends on the same shipped ViT
def test_face_regions_example_writes_both_heatmaps(tmp_path: Path) -> None:
    result = run_example("face_regions.py", tmp_path)
    for backend in ("lrp", "perturbation"):
        image = tmp_path / "symxai-output" / f"face_{backend}.png"
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "eyes & ~mouth" in result.stdout
