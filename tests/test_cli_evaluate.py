"""``symxai evaluate``: on 3 Mutagenicity molecules it writes the JSON, the two CSV
tables and the HTML page, whose areas equal :func:`evaluate_inputs` run directly; bad
names end with one line naming the valid choices and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from symxai.evaluation import evaluate_inputs
from tests.conftest import invoke_cli

ORDERINGS = ("random", "first-order", "greedy")


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    output = tmp_path_factory.mktemp("evaluation")
    result = invoke_cli(
        "evaluate",
        "--domain",
        "molecules",
        "--data",
        "Mutagenicity",
        "--limit",
        3,
        "--orderings",
        ",".join(ORDERINGS),
        "--peers",
        "saliency",
        "--points",
        11,
        "--output",
        output,
    )
    return result, output


def test_files_written_and_summary_printed(evaluated: tuple[Any, Path]) -> None:
    result, output = evaluated
    assert result.exit_code == 0, result.output
    for name in ("evaluation.json", "areas.csv", "methods.csv", "index.html"):
        assert (output / name).is_file()
        assert name in result.output
    assert "3 of 3 inputs evaluated" in result.output
    for ordering in ORDERINGS:
        assert ordering in result.output
    assert "saliency" in result.output and "symxai" in result.output
    document = json.loads((output / "evaluation.json").read_text())
    assert document["settings"]["orderings"] == list(ORDERINGS)
    assert document["settings"]["peers"] == ["saliency"]
    assert document["settings"]["points"] == 11
    methods = pd.read_csv(output / "methods.csv", dtype={"input": str})
    assert set(methods["method"]) == {"symxai", "saliency"}
    assert set(methods["input"]) == {"0", "1", "2"}


def test_areas_equal_evaluate_inputs(evaluated: tuple[Any, Path], gin: Any) -> None:
    _, output = evaluated
    written = pd.read_csv(output / "areas.csv", dtype={"input": str})
    direct = evaluate_inputs(
        "molecules", "Mutagenicity", gin, limit=3, orderings=ORDERINGS, points=11
    ).table
    assert len(written) == len(direct) == 3 * len(ORDERINGS) * 2
    merged = written.merge(direct, on=["input", "ordering", "kind"], suffixes=("_cli", ""))
    assert len(merged) == len(direct)
    assert merged["area_cli"].to_numpy() == pytest.approx(merged["area"].to_numpy())


def test_html_has_curves_areas_and_peer_table(evaluated: tuple[Any, Path]) -> None:
    _, output = evaluated
    page = (output / "index.html").read_text()
    assert 'alt="mean deletion and insertion curves per ordering"' in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert "Areas under the curves" in page and "lower is better" in page
    assert "symxai and its peers" in page and "<td>saliency</td>" in page
    assert "CPU s / input" in page
    assert "symxai evaluate --domain molecules --data Mutagenicity" in page
    assert "<script" not in page


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--orderings", "random,best"], "unknown ordering 'best'; choose from random, "),
        (["--peers", "lime"], "unknown peer 'lime'; available: gnnexplainer"),
        (["--domain", "proteins"], "domain 'proteins' is not one of molecules"),
        (["--inputs", "0,nope"], "Mutagenicity has no input 'nope'"),
        (["--limit", "0"], "--limit must be a positive integer"),
        (["--target", "toxic"], "unknown target 'toxic'; use a class index, 'i,j',"),
        (["--orderings", "random,,greedy"], "--orderings has an empty name"),
    ],
)
def test_bad_names_exit_2_with_one_line(arguments: list[str], message: str, tmp_path: Path) -> None:
    result = invoke_cli("evaluate", "--data", "Mutagenicity", *arguments, "-o", tmp_path)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "index.html").exists()


def test_graph_peer_on_text_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "sentences.txt"
    data.write_text("a truly wonderful film\n")
    result = invoke_cli(
        "evaluate",
        "--domain",
        "text",
        "--data",
        data,
        "--model",
        "tiny-bert",
        "--peers",
        "gnnexplainer",
        "-o",
        tmp_path / "out",
    )
    assert result.exit_code == 2
    assert "'gnnexplainer' explains graph models" in result.output
    assert "occlusion, shapley" in result.output
