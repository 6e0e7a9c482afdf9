"""Shipped TU data read back consistently, and the `make demo` job end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def test_demo_runs_and_its_numbers_are_consistent(tmp_path: Path) -> None:
    env = {**os.environ, "SYMXAI_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "symxai-output" / "demo.json").read_text())
    assert report["heldout_accuracy"] >= 0.7
    relevance = report["relevance"]
    # The molecule has no chlorine: ~Cl is true on every coalition.
    assert relevance["N & O & ~Cl"] == pytest.approx(relevance["N & O"])
    # Shapley shares over the element groups covering all atoms add up to v(N) - v(empty).
    total = report["prediction"] - report["empty_value"]
    assert sum(report["shapley"].values()) == pytest.approx(total, abs=1e-5)
    assert "prediction (mutagen - nonmutagen logit)" in result.stdout
