"""Pictures of the cells domain: every map has a 100 µm scale bar, relevance is drawn on
a diverging scale centred at 0, files are written and not empty, the palette is fixed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba

from symxai.data.cells import LUAD_PHENOTYPES, synthetic_cohort
from symxai.domains.cells import (
    explain_tissue,
    interaction_matrix,
    phenotype_bars,
    risk_groups,
    tile_values,
)
from symxai.domains.cells.pictures import (
    PHENOTYPE_COLOURS,
    SCALE_BAR_UM,
    plot_cell_relevance,
    plot_interaction_matrix,
    plot_kaplan_meier,
    plot_phenotype_bars,
    plot_phenotypes,
    plot_tile_map,
)
from symxai.domains.registry import get_domain
from symxai.models.survival_gin import SurvivalGIN


@pytest.fixture(scope="module")
def explained():
    cohort = synthetic_cohort(4, 150, seed=7)
    torch.manual_seed(0)
    model = SurvivalGIN(len(LUAD_PHENOTYPES), 8, 2).eval()
    tissue = cohort.tissues[0]
    return cohort, tissue, explain_tissue(tissue, model)


def scale_bar(figure):
    (axes,) = [a for a in figure.axes if any(x.get_gid() == "scale-bar" for x in a.artists)]
    (bar,) = [x for x in axes.artists if x.get_gid() == "scale-bar"]
    return axes, bar


def assert_written(path: Path, scale_bar_text: bool = True) -> None:
    assert path.is_file() and path.stat().st_size > 2_000
    if path.suffix == ".svg" and scale_bar_text:
        assert "100 µm" in path.read_text(encoding="utf-8")


def test_the_palette_names_all_17_phenotypes_with_distinct_colours() -> None:
    assert list(PHENOTYPE_COLOURS) == list(LUAD_PHENOTYPES)
    assert len({to_rgba(c) for c in PHENOTYPE_COLOURS.values()}) == 17


def test_phenotype_map_has_a_legend_and_a_100_um_scale_bar(explained, tmp_path: Path) -> None:
    _, tissue, _ = explained
    for suffix in ("png", "svg"):
        figure = plot_phenotypes(tissue, tmp_path / f"phenotypes.{suffix}")
        assert_written(tmp_path / f"phenotypes.{suffix}")
    axes, bar = scale_bar(figure)
    (rectangle,) = bar.size_bar.get_children()
    assert rectangle.get_width() == pytest.approx(SCALE_BAR_UM)  # data units are µm
    assert axes.yaxis_inverted()  # image orientation
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    present = sorted(set(tissue.phenotype_names()), key=list(LUAD_PHENOTYPES).index)
    assert [label.rsplit(" (", 1)[0] for label in labels] == present
    colours = axes.collections[0].get_facecolors()
    first = tissue.phenotype_names()[0]
    np.testing.assert_allclose(colours[0], to_rgba(PHENOTYPE_COLOURS[first]))


def test_cell_relevance_is_centred_at_zero(explained, tmp_path: Path) -> None:
    _, tissue, explanation = explained
    relevance = explanation.feature_relevance()
    figure = plot_cell_relevance(tissue, relevance, tmp_path / "relevance.svg")
    assert_written(tmp_path / "relevance.svg")
    axes, _ = scale_bar(figure)
    norm = axes.collections[0].norm
    assert norm.vmin == pytest.approx(-np.abs(relevance).max())
    assert norm.vmax == pytest.approx(np.abs(relevance).max())
    with pytest.raises(ValueError, match="relevances for"):
        plot_cell_relevance(tissue, relevance[:-1])


def test_tile_map_and_interaction_heatmap(explained, tmp_path: Path) -> None:
    _, tissue, explanation = explained
    values = tile_values(explanation)
    figure = plot_tile_map(tissue, values, explanation.space.grid, tmp_path / "tiles.png")
    assert_written(tmp_path / "tiles.png")
    axes, _ = scale_bar(figure)
    (image,) = axes.images
    assert image.norm.vmin == pytest.approx(-image.norm.vmax)
    matrix = interaction_matrix(explanation)
    heatmap = plot_interaction_matrix(matrix, tmp_path / "interactions.svg")
    assert_written(tmp_path / "interactions.svg", scale_bar_text=False)
    (image,) = heatmap.axes[0].images
    assert image.norm.vmax == pytest.approx(np.abs(matrix.to_numpy()).max())
    assert image.norm.vmin == pytest.approx(-image.norm.vmax)
    plot_phenotype_bars(phenotype_bars(explanation), tmp_path / "bars.png")
    assert_written(tmp_path / "bars.png")


def test_kaplan_meier_plot_of_risk_groups(explained, tmp_path: Path) -> None:
    cohort, _, _ = explained
    clinical = cohort.clinical
    groups = risk_groups(np.arange(len(clinical)), "median")
    figure = plot_kaplan_meier(
        clinical["os_months"], clinical["event"], groups, tmp_path / "km.png"
    )
    assert_written(tmp_path / "km.png")
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["low risk (n = 2)", "high risk (n = 2)"]


def test_the_domain_draws_the_per_cell_relevance_svg(explained, tmp_path: Path) -> None:
    _, _, explanation = explained
    path = get_domain("cells").draw(explanation, tmp_path / "cell.svg", legend="core 0")
    assert_written(path)
