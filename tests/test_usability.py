"""Usability: ``--target i,j`` in every command (equal to the API's numbers for that
logit difference), a light import path for ``symxai --help``, error messages bounded
for queries of any length, heatmaps on one symmetric colour scale, a progress report
while the sentiment model trains, and documentation that exists in the repository."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from symxai.domains.colours import colour_scale, relevance_colour
from symxai.errors import LINE_LIMIT, caret_block
from tests.conftest import NITROANILINE, invoke_cli

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------- --target 1,0 (item 10)
@pytest.fixture(scope="module")
def reversed_explanation():
    from symxai.domains.molecules import explain_molecule

    return explain_molecule(NITROANILINE, target=(1, 0), missing="absent")


def test_query_with_a_logit_difference_target_equals_the_api(reversed_explanation) -> None:
    queries = ["N & O", "N", 'smarts"[N+](=O)[O-]"']
    result = invoke_cli("query", NITROANILINE, *queries, "--target", "1,0", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = reversed_explanation.relevances(queries).to_numpy()
    assert [row["relevance"] for row in payload["relevance"]] == pytest.approx(expected, rel=1e-6)
    assert payload["prediction"] == pytest.approx(reversed_explanation.prediction)
    default = json.loads(invoke_cli("query", NITROANILINE, *queries, "--json").stdout)
    # f_1 - f_0 = -(f_0 - f_1), and the relevance is linear in the explained output.
    assert payload["prediction"] == pytest.approx(-default["prediction"])


def test_search_with_a_logit_difference_target_equals_the_api(reversed_explanation) -> None:
    result = invoke_cli(
        "search", NITROANILINE, "-a", "N", "-a", "O", "--target", " 1 , 0 ", "--top", "4", "--json"
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["queries"]
    expected = reversed_explanation.search(["N", "O"], top=4).top(4)
    assert [row["query"] for row in rows] == list(expected["query"])
    assert [row["score"] for row in rows] == pytest.approx(list(expected["score"]))
    assert [row["relevance"] for row in rows] == pytest.approx(list(expected["relevance"]))


def test_report_with_a_logit_difference_target_equals_the_api(tmp_path: Path) -> None:
    from symxai.domains.molecules import explain_molecule

    smiles = [NITROANILINE, "Clc1ccccc1N"]
    (tmp_path / "molecules.smi").write_text("\n".join(smiles) + "\n")
    (tmp_path / "q.txt").write_text("NO: N & O\nN: N\n")
    result = invoke_cli(
        "report",
        "--queries",
        tmp_path / "q.txt",
        "--data",
        tmp_path / "molecules.smi",
        "--target",
        "1,0",
        "--formats",
        "csv",
        "-o",
        tmp_path / "out",
        "--executor",
        "serial",
        "--no-progress",
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "relevance.csv").sort_values(["input", "query"])
    expected = []
    for number, molecule in enumerate(smiles, start=1):
        values = explain_molecule(molecule, target=(1, 0), missing="absent").relevances(
            ["N & O", "N"]
        )
        expected += [(number, "N", values.iloc[1]), (number, "NO", values.iloc[0])]
    assert list(zip(table["input"], table["query"], strict=True)) == [e[:2] for e in expected]
    assert table["relevance"].to_numpy() == pytest.approx([e[2] for e in expected], rel=1e-6)


# -------------------------------------------------------------------- import path (item 21)
HEAVY = ("torch", "rdkit", "transformers", "torch_geometric")


def _loaded(statement: str, modules: tuple[str, ...]) -> list[str]:
    script = f"{statement}; import sys; print(' '.join(m for m in {modules!r} if m in sys.modules))"
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return process.stdout.split()


def test_the_command_line_module_imports_no_heavy_library() -> None:
    assert _loaded("import symxai.cli", HEAVY) == []


def test_symxai_help_imports_no_heavy_library() -> None:
    process = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "symxai", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0 and "query" in process.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in process.stderr.splitlines()}
    assert "symxai.cli" in imported
    assert not {name.split(".")[0] for name in imported} & set(HEAVY)


def test_symxai_names_stay_available() -> None:
    """(``import symxai`` loading no domain library: tests/test_layers.py.)"""
    import symxai

    for name in symxai.__all__:
        assert getattr(symxai, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = symxai.nothing


# ---------------------------------------------------------------- long queries (item 17)
def test_caret_block_keeps_the_caret_on_its_character_within_the_line_limit() -> None:
    letters = np.random.default_rng(0).integers(0, 26, size=25_000)
    query = "".join(chr(ord("a") + int(i)) for i in letters)
    for column in (1, 2, 60, 12_345, 24_940, 24_999, 25_000, 25_001):
        line, caret = caret_block(query, column).split("\n")
        assert len(line) <= LINE_LIMIT and len(caret) <= LINE_LIMIT
        position = caret.index("^")
        if column <= len(query):
            assert line[position : position + 4] == query[column - 1 : column + 3]
        assert line.startswith("  ...") == (column > 2)  # cut on the left
        assert line.endswith("...") == (column < 24_999)  # cut on the right
    short = "a & & b"
    assert caret_block(short, 5) == "  a & & b\n      ^"


def test_a_wide_mark_is_clipped_to_the_window() -> None:
    query = "x" * 500
    line, caret = caret_block(query, 1, width=500).split("\n")
    assert len(caret) <= LINE_LIMIT and set(caret.strip()) == {"^"}
    assert len(line) <= LINE_LIMIT


# ----------------------------------------------------------------------- heatmaps (item 19)
def test_colour_scale_is_symmetric_and_shared_on_request() -> None:
    assert colour_scale([0.5, -2.0]) == 2.0
    assert colour_scale([0.0, 0.0]) == 1.0
    assert colour_scale([0.5, -2.0], vmax=8.0) == 8.0
    assert relevance_colour(0.0, 1.0) == (1.0, 1.0, 1.0)
    assert relevance_colour(3.0, 1.0) == relevance_colour(1.0, 1.0)  # clipped at vmax
    with pytest.raises(ValueError, match="vmax"):
        colour_scale([1.0], vmax=0.0)


def _fills(svg: str) -> set[str]:
    return set(re.findall(r"fill: (#[0-9a-f]{6})", svg))


def test_token_heatmap_has_a_colour_bar_and_a_shared_scale(tmp_path: Path) -> None:
    from symxai.domains.text import token_heatmap

    words, values = ["not", "good"], [-0.2, 0.1]
    own = token_heatmap(words, values, tmp_path / "own.svg").read_text()
    shared = token_heatmap(words, values, tmp_path / "shared.svg", vmax=2.0).read_text()
    assert to_hex(relevance_colour(-0.2, 0.2)) in _fills(own)  # own max: full blue
    assert to_hex(relevance_colour(-0.2, 2.0)) in _fills(shared)  # shared: pale
    assert to_hex(relevance_colour(0.1, 2.0)) in _fills(shared)
    assert to_hex(relevance_colour(-0.2, 0.2)) not in _fills(shared)
    assert "<!-- relevance -->" in own  # the colour bar's label
    with pytest.raises(ValueError, match="vmax"):
        token_heatmap(words, values, tmp_path / "bad.png", vmax=-1.0)


def test_face_region_outlines_surround_exactly_the_region_patches() -> None:
    from symxai.domains.vision import GRID, IMAGE_SIZE, patch_regions
    from symxai.domains.vision.heatmap import _region_outlines

    regions = patch_regions()
    outlines = _region_outlines(GRID, IMAGE_SIZE)
    side = IMAGE_SIZE // GRID
    for region in ("eyes", "nose", "mouth"):
        patches = {i for i, name in enumerate(regions) if name == region}
        shared = sum(
            1
            for i in patches
            for j in patches
            if i < j and abs(i - j) in (1, GRID) and (abs(i - j) == GRID or i // GRID == j // GRID)
        )
        perimeter = sum(abs(x1 - x0) + abs(y1 - y0) for (x0, x1), (y0, y1) in outlines[region])
        assert perimeter == side * (4 * len(patches) - 2 * shared), region


def test_patch_heatmap_draws_outlines_colour_bar_and_shared_scale(tmp_path: Path) -> None:
    from symxai.domains.vision import faces_dataset, patch_heatmap

    image = faces_dataset().images[0]
    values = np.linspace(-1.0, 1.0, 25)
    svg = patch_heatmap(values, image, tmp_path / "face.svg", vmax=4.0).read_text()
    for label in ("eyes", "nose", "mouth", "relevance"):
        assert f"<!-- {label} -->" in svg, label
    assert "<!-- \N{MINUS SIGN}4 -->" in svg and "<!-- 4 -->" in svg  # the shared scale
    with pytest.raises(ValueError, match="vmax"):
        patch_heatmap(values, image, tmp_path / "bad.png", vmax=float("nan"))


# ------------------------------------------------------------- training progress (item 16)
def test_training_on_first_use_says_so_and_shows_progress(tmp_path: Path, capsys) -> None:
    from symxai.domains.text import load_sentiment_classifier, tiny_bert

    folder = tmp_path / "sentiment"
    trained = load_sentiment_classifier(
        folder=folder, training={"model": tiny_bert(seed=1), "max_train": 64, "threads": 1}
    )
    stderr = capsys.readouterr().err
    steps = trained.metrics["steps"]
    assert f"no sentiment classifier cached in {folder}" in stderr
    assert f"{steps}/{steps}" in stderr and "loss" in stderr
    assert f"saved the sentiment classifier to {folder}" in stderr
    assert load_sentiment_classifier(folder=folder, train_if_missing=False).metrics == (
        trained.metrics
    )
    assert capsys.readouterr().err == ""  # loading from the cache is silent


def test_readme_says_how_long_training_takes_and_where_it_is_cached() -> None:
    section = (ROOT / "README.md").read_text().split("## Explaining a sentiment model")[1]
    section = section.split("\n## ")[0]
    assert "minutes" in section and "~/.cache/symxai/models/sentiment_minilm" in section


# ------------------------------------------------------------------ documentation (item 22)
def test_no_file_cites_a_design_file_that_is_not_in_the_repository() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    missing = "DESIGN" + ".md"
    citing = [
        name
        for name in listed
        if (ROOT / name).is_file()
        and missing in (ROOT / name).read_bytes().decode("utf-8", errors="ignore")
    ]
    assert citing == []


def test_the_mathematics_page_covers_the_contract_and_cites_real_modules() -> None:
    text = (ROOT / "docs" / "mathematics.md").read_text()
    for topic in (
        "Value functions",
        "Harsanyi dividends",
        "Closed form",
        "Identities",
        "Shapley mode",
        "Correlation score",
    ):
        assert topic.lower() in text.lower(), topic
    for identity in ("R(a | b) = R(a) + R(b) - R(a & b)", "R(q) + R(~q) = v(C) - v(∅)"):
        assert identity in text
    modules = set(re.findall(r"`(symxai(?:\.\w+)+)", text))
    assert len(modules) >= 5
    for name in modules:
        module, _, attribute = name.rpartition(".")
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            assert hasattr(importlib.import_module(module), attribute), name
    readme = (ROOT / "README.md").read_text()
    assert "docs/mathematics.md" in readme and "docs/installation.md" in readme
