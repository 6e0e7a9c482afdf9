"""The cell-graph report spec of the README (examples/cells.toml) runs as shipped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from symxai.cli import app
from symxai.domains.cells import explain_tissue
from symxai.domains.cells.sources import load_cohort

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_example_cells_spec_reports_what_explain_tissue_gives(tmp_path: Path) -> None:
    """Two cores of ``synthetic-luad-small`` with the shipped model: every query of
    ``cells_queries.txt`` has the relevance :func:`explain_tissue` gives directly."""
    out = tmp_path / "report"
    args = ["report", str(EXAMPLES / "cells.toml"), "--limit", "2", "--output", str(out)]
    result = CliRunner().invoke(app, [*args, "--executor", "serial"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "relevance.csv", dtype={"input": str})
    assert table["query"].nunique() == 9 and table["input"].nunique() == 2
    cohort = load_cohort("synthetic-luad-small")
    for image_id, rows in table.groupby("input"):
        explanation = explain_tissue(cohort.tissue(image_id))
        expected = explanation.relevances(list(rows["formula"]))
        assert rows["relevance"].to_numpy() == pytest.approx(expected.to_numpy())
