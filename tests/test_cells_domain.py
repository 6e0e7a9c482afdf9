"""The cells domain (issue 12, item 4): phenotype, lineage, tile and region atoms,
explain_tissue, summaries, the Kaplan-Meier estimator and the registered domain.

Models are small SurvivalGINs with seeded random weights (the property tests need no
trained model); cohorts are synthetic (``symxai.data.cells.synthetic_cohort``) or a
hand-placed core of 10 cells, small enough for brute force over all 2^10 coalitions.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

import symxai
from symxai.cache import save_weights
from symxai.cli import app
from symxai.data.cells import (
    LUAD_PHENOTYPES,
    Tissue,
    synthetic_cohort,
    write_anndata,
    write_cell_table,
    write_xcg_layout,
)
from symxai.domains.cells import (
    TileGrid,
    TissueInput,
    cohort_percentiles,
    cohort_relevances,
    explain_tissue,
    interaction_matrix,
    kaplan_meier,
    log_rank_test,
    percentile_of,
    phenotype_atom,
    phenotype_bars,
    risk_group_means,
    risk_groups,
    tile_values,
    tissue_space,
)
from symxai.domains.registry import DomainError, available_domains, get_domain
from symxai.errors import UnknownAtomError
from symxai.models.survival_gin import SurvivalGIN
from symxai.query import parse_query

runner = CliRunner()
CODE = {name: index for index, name in enumerate(LUAD_PHENOTYPES)}


def random_model(layers: int = 2, hidden: int = 8, seed: int = 0, **options) -> SurvivalGIN:
    torch.manual_seed(seed)
    model = SurvivalGIN(len(LUAD_PHENOTYPES), hidden, layers, **options)
    if model.stage_coefficient is not None:
        model.stage_coefficient.data.fill_(0.7)
    return model.eval()


def small_tissue() -> Tissue:
    """Ten cells in two clusters 300 µm apart (no kNN edge between them)."""
    positions = np.array(
        [
            [0, 0],
            [10, 0],
            [0, 10],
            [10, 10],
            [20, 5],
            [300, 300],
            [310, 300],
            [300, 310],
            [310, 310],
            [320, 305],
        ],
        dtype=float,
    )
    names = ["Cancer", "Treg", "Tc", "Cancer", "Th", "Cancer", "Treg", "B cell", "Cancer", "Tc"]
    return Tissue("tiny", "p0", positions, np.array([CODE[n] for n in names]))


@pytest.fixture(scope="module")
def cohort():
    return synthetic_cohort(6, 150, seed=3)


@pytest.fixture(scope="module")
def tissue(cohort) -> Tissue:
    return cohort.tissues[0]


def all_values(explanation) -> np.ndarray:
    """v of all 2^n coalitions, coalition ``c`` = the cells of the bits of ``c``."""
    n = explanation.n
    masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    return explanation.values(masks)


def brute_dividends(explanation) -> np.ndarray:
    """Harsanyi dividends mu(L) of every coalition, by Möbius inversion over subsets."""
    mu = all_values(explanation).copy()
    for bit in range(explanation.n):
        has = (np.arange(len(mu)) >> bit) & 1 == 1
        mu[has] -= mu[~has]
    return mu


def cells_mask(indices, n: int) -> int:
    return sum(1 << int(i) for i in indices)


def relevance_by_dividends(mu: np.ndarray, predicate) -> float:
    return float(
        sum(value for coalition, value in enumerate(mu) if coalition and predicate(coalition))
    )


# ------------------------------------------------------------------- atoms
def test_phenotype_alias_and_lineage_atoms_resolve_to_their_cells(tissue: Tissue) -> None:
    space = tissue_space(tissue)
    names = tissue.phenotype_names()

    def cells(query: str) -> np.ndarray:
        return space.resolve(parse_query(query))

    def of(*phenotypes: str) -> np.ndarray:
        return np.flatnonzero(np.isin(names, phenotypes))

    for bare in ("Cancer", "Tc", "Th", "Treg", "NONE"):
        np.testing.assert_array_equal(cells(bare), of(bare))
    np.testing.assert_array_equal(cells('phenotype:"Alt MAC"'), of("Alt MAC"))
    np.testing.assert_array_equal(cells("Alt_MAC"), of("Alt MAC"))
    np.testing.assert_array_equal(cells("Endothelial"), of("Endothelial cell"))
    np.testing.assert_array_equal(cells("T_cells"), of("Tc", "Th", "Treg", "T other"))
    np.testing.assert_array_equal(cells("Macrophages"), of("Alt MAC", "Cl MAC"))
    myeloid = of(
        "Alt MAC", "Cl MAC", "Cl Mo", "Int Mo", "Non-Cl Mo", "DCs cell", "Neutrophils", "Mast cell"
    )
    np.testing.assert_array_equal(cells("Myeloid"), myeloid)
    np.testing.assert_array_equal(cells("lineage:Myeloid"), myeloid)
    immune = np.setdiff1d(np.arange(tissue.n_cells), of("Cancer", "Endothelial cell", "NONE"))
    np.testing.assert_array_equal(cells("Immune"), immune)
    np.testing.assert_array_equal(cells("c7"), [7])


def test_b_cell_spellings_agree() -> None:
    space = tissue_space(small_tissue())
    for query in ('phenotype:"B cell"', "B_cell", "phenotype:B_cell", 'phenotype:"b cell"'):
        np.testing.assert_array_equal(space.resolve(parse_query(query)), [7])


def test_tiles_partition_the_cells_as_computed_by_hand(tissue: Tissue) -> None:
    space = tissue_space(tissue, tiles=(4, 5))
    x, y = tissue.positions[:, 0], tissue.positions[:, 1]
    width = (x.max() - x.min()) / 5
    height = (y.max() - y.min()) / 4
    column = np.minimum(((x - x.min()) // width).astype(int), 4)
    row = np.minimum(((y - y.min()) // height).astype(int), 3)
    seen = np.zeros(tissue.n_cells, dtype=int)
    for r, c in itertools.product(range(4), range(5)):
        expected = np.flatnonzero((row == r) & (column == c))
        found = space.resolve(parse_query(f'tile:"{r},{c}"'), missing="absent")
        np.testing.assert_array_equal(found, expected)
        np.testing.assert_array_equal(
            space.resolve(parse_query(f"tile:{r}_{c}"), missing="absent"), expected
        )
        seen[found] += 1
    assert (seen == 1).all()


def test_region_polygons_hold_the_cells_inside() -> None:
    regions = {
        "left_cluster": [(-5, -5), (25, -5), (25, 15), (-5, 15)],
        "triangle": [(295, 295), (328, 295), (295, 328)],
    }
    space = tissue_space(small_tissue(), regions=regions)
    np.testing.assert_array_equal(
        space.resolve(parse_query('region:"left_cluster"')), [0, 1, 2, 3, 4]
    )
    np.testing.assert_array_equal(space.resolve(parse_query("region:triangle")), [5, 6, 7, 8])


def test_unknown_atoms_give_clear_errors_with_suggestions() -> None:
    space = tissue_space(small_tissue(), regions={"margin": [(0, 0), (1, 0), (0, 1)]})
    with pytest.raises(UnknownAtomError, match="not a phenotype, alias, lineage") as raised:
        space.resolve(parse_query("Cancr"), "Cancr")
    assert "Cancer" in raised.value.suggestions
    with pytest.raises(UnknownAtomError) as raised:
        space.resolve(parse_query("phenotype:Tregs"))
    assert "Treg" in raised.value.suggestions
    with pytest.raises(UnknownAtomError, match="unknown lineage 'Myloid'") as raised:
        space.resolve(parse_query("lineage:Myloid"))
    assert "Myeloid" in raised.value.suggestions
    with pytest.raises(UnknownAtomError, match=r"outside the 10 x 10 grid"):
        space.resolve(parse_query('tile:"10,2"'))
    with pytest.raises(UnknownAtomError, match=r"write tile:\"3,4\" or tile:3_4"):
        space.resolve(parse_query("tile:three"))
    with pytest.raises(UnknownAtomError, match="unknown region 'margn'") as raised:
        space.resolve(parse_query("region:margn"))
    assert "margin" in raised.value.suggestions
    # a phenotype this core lacks: an error by default, empty with missing="absent"
    with pytest.raises(UnknownAtomError, match="matches no feature"):
        space.resolve(parse_query("Neutrophils"))
    assert space.resolve(parse_query("Neutrophils"), missing="absent").size == 0


# ------------------------------------------------------------ explanations
def test_explain_tissue_equals_symxai_explain_on_the_tissue_input(tissue: Tissue) -> None:
    model = random_model()
    queries = ["Cancer & Treg & ~Tc", "Tc & Cancer", "T_cells", 'tile:"4,4"']
    for backend in ("gnn-lrp", "perturbation"):
        ours = explain_tissue(tissue, model, backend)
        theirs = symxai.explain(model, TissueInput(tissue), backend)
        assert ours.backend == theirs.backend == backend
        assert ours.prediction == pytest.approx(theirs.prediction, abs=1e-12)
        np.testing.assert_allclose(
            ours.relevances(queries, missing="absent"),
            theirs.relevances(queries, missing="absent"),
            atol=1e-12,
        )
        masks = np.random.default_rng(0).random((5, tissue.n_cells)) < 0.5
        np.testing.assert_allclose(ours.values(masks), theirs.values(masks), atol=1e-12)


def test_prediction_is_the_graph_part_and_the_stage_term_is_reported(tissue: Tissue) -> None:
    model = random_model()
    explanation = explain_tissue(tissue, model, stage=1.0)
    data = tissue.to_data()
    with torch.no_grad():
        graph_part = float(model.graph_part(data.x, data.edge_index)[0])
        data.stage = torch.tensor([1.0])
        log_hazard = float(model.log_hazard(data)[0])
    assert explanation.prediction == pytest.approx(graph_part, abs=1e-6)
    assert explanation.value() == pytest.approx(graph_part, abs=1e-5)  # conservation (lrp)
    assert explanation.metadata["stage_term"] == pytest.approx(0.7)
    assert explanation.metadata["log_hazard"] == pytest.approx(log_hazard, abs=1e-6)
    assert explanation.metadata["image_id"] == tissue.image_id


def test_perturbation_removes_cells_with_their_edges() -> None:
    tiny = small_tissue()
    model = random_model()
    explanation = explain_tissue(tiny, model, "perturbation")
    keep = np.array([0, 1, 3, 5, 8])
    data = tiny.to_data()
    from torch_geometric.utils import subgraph

    edges, _ = subgraph(torch.as_tensor(keep), data.edge_index, relabel_nodes=True, num_nodes=10)
    with torch.no_grad():
        expected = float(model(data.x[keep], edges)[0])
    assert explanation.value(keep) == pytest.approx(expected, abs=1e-6)


def test_cancer_treg_no_tc_sums_the_dividends_of_its_coalitions() -> None:
    tiny = small_tissue()
    explanation = explain_tissue(tiny, random_model(layers=2))
    mu = brute_dividends(explanation)
    names = tiny.phenotype_names()
    sets = {p: cells_mask(np.flatnonzero(names == p), 10) for p in ("Cancer", "Treg", "Tc")}
    expected = relevance_by_dividends(
        mu, lambda c: c & sets["Cancer"] and c & sets["Treg"] and not c & sets["Tc"]
    )
    assert explanation.relevance("Cancer & Treg & ~Tc") == pytest.approx(expected, abs=1e-6)


# --------------------------------------------------------------- summaries
def test_interaction_matrix_equals_brute_force_and_the_closed_form() -> None:
    tiny = small_tissue()
    explanation = explain_tissue(tiny, random_model(layers=2))
    # exact closed-form identities: no answers from the connected dividends, which agree
    # to float32 rounding only (tests/test_query_latency.py checks that path)
    explanation.reuse_dividends = False
    matrix = interaction_matrix(explanation)
    present = ["B cell", "Cancer", "Tc", "Th", "Treg"]
    assert list(matrix.index) == list(matrix.columns) == present
    mu = brute_dividends(explanation)
    names = tiny.phenotype_names()
    total = explanation.value()
    for a, b in itertools.product(present, repeat=2):
        set_a, set_b = np.flatnonzero(names == a), np.flatnonzero(names == b)
        mask_a, mask_b = cells_mask(set_a, 10), cells_mask(set_b, 10)
        brute = relevance_by_dividends(mu, lambda c, x=mask_a, y=mask_b: c & x and c & y)
        rest = np.arange(10)
        closed = (
            total
            - explanation.value(np.setdiff1d(rest, set_a))
            - explanation.value(np.setdiff1d(rest, set_b))
            + explanation.value(np.setdiff1d(rest, np.union1d(set_a, set_b)))
        )
        assert matrix.loc[a, b] == pytest.approx(brute, abs=1e-6)
        assert matrix.loc[a, b] == pytest.approx(closed, abs=1e-9)
        query = f"{phenotype_atom(a)} & {phenotype_atom(b)}"
        assert matrix.loc[a, b] == pytest.approx(explanation.relevance(query), abs=1e-9)


@pytest.mark.parametrize("backend", ["gnn-lrp", "perturbation"])
def test_phenotype_bars_in_both_modes(backend: str) -> None:
    tiny = small_tissue()
    explanation = explain_tissue(tiny, random_model(layers=2), backend)
    atoms = [phenotype_atom(name) for name in ["B cell", "Cancer", "Tc", "Th", "Treg"]]
    harsanyi = phenotype_bars(explanation)
    np.testing.assert_allclose(
        harsanyi.to_numpy(), explanation.relevances(atoms).to_numpy(), atol=1e-9
    )
    shapley = phenotype_bars(explanation, "shapley")
    expected = explanation.relevances(atoms, mode="shapley", query_set=atoms)
    np.testing.assert_allclose(shapley.to_numpy(), expected.to_numpy(), atol=1e-6)
    empty = explanation.value(np.zeros(10, dtype=bool))
    assert shapley.sum() == pytest.approx(explanation.value() - empty, abs=1e-6)


def test_tile_values_are_the_walks_inside_each_tile() -> None:
    tiny = small_tissue()
    explanation = explain_tissue(tiny, random_model(layers=2), tiles=(2, 2))
    values = tile_values(explanation)
    grid = explanation.space.grid
    assert grid == TileGrid.over(tiny.positions, (2, 2))
    mu = brute_dividends(explanation)
    tile_of = grid.tile_index(tiny.positions)
    inside_one_tile = 0.0
    for tile in range(4):
        members = cells_mask(np.flatnonzero(tile_of == tile), 10)
        if members == 0:
            assert np.isnan(values.reshape(-1)[tile])
            continue
        brute = relevance_by_dividends(mu, lambda c, m=members: c & ~m == 0)
        assert values.reshape(-1)[tile] == pytest.approx(brute, abs=1e-6)
        inside_one_tile += brute
    crossing = explanation.value() - inside_one_tile
    assert np.nansum(values) == pytest.approx(explanation.value() - crossing, abs=1e-6)
    # the two clusters lie in tiles (0, 0) and (1, 1) that no walk connects: additive
    union = np.flatnonzero(np.isin(tile_of, [0, 3]))
    assert explanation.value(union) == pytest.approx(values[0, 0] + values[1, 1], abs=1e-6)


def test_cohort_percentiles_and_risk_groups() -> None:
    assert percentile_of(3.0, [1, 2, 3, 4]) == 75.0
    assert percentile_of(0.0, [1, 2, np.nan]) == 0.0
    frame = pd.DataFrame({"q": [0.1, 0.4, 0.2, 0.3]}, index=list("abcd"))
    assert list(cohort_percentiles(frame)["q"]) == [25.0, 100.0, 50.0, 75.0]
    hazard = np.array([0.5, -1.0, 2.0, 0.0, 1.0, -0.5])
    assert list(risk_groups(hazard)) == ["high", "low", "high", "low", "high", "low"]
    tertiles = risk_groups(hazard, "tertiles")
    assert list(tertiles) == ["intermediate", "low", "high", "intermediate", "high", "low"]
    means = risk_group_means(pd.DataFrame({"q": hazard * 2}), tertiles)
    assert list(means.index) == ["low", "intermediate", "high"]
    assert means.loc["low", "q"] == pytest.approx(-1.5) and means.loc["high", "count"] == 2
    with pytest.raises(ValueError, match="risk groups are by one of"):
        risk_groups(hazard, "quartiles")


def test_cohort_relevances_equal_each_explanation(cohort) -> None:
    model = random_model()
    explanations = {t.image_id: explain_tissue(t, model) for t in cohort.tissues[:3]}
    frame = cohort_relevances(explanations, ["Cancer & Treg & ~Tc", "Tc & Cancer"])
    for image_id, explanation in explanations.items():
        assert frame.loc[image_id, "Tc & Cancer"] == pytest.approx(
            explanation.relevance("Tc & Cancer", missing="absent")
        )
        assert frame.loc[image_id, "prediction"] == pytest.approx(explanation.prediction)


# ------------------------------------------------------------ Kaplan-Meier
def test_kaplan_meier_equals_a_hand_computation() -> None:
    curve = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    assert list(curve["time"]) == [1, 2, 3, 4]
    assert list(curve["at_risk"]) == [5, 4, 2, 1]
    assert list(curve["events"]) == [1, 1, 1, 0]
    # S = 4/5, then x 3/4 (one death of four at risk), then x 1/2, then unchanged
    np.testing.assert_allclose(curve["survival"], [0.8, 0.6, 0.3, 0.3])


def test_log_rank_test_equals_a_hand_computation() -> None:
    # group a dies at 1, 2, 3; group b dies at 2 and is censored at 4.
    # O_a = 3; E_a = 3/5 + 2*2/4 + 1/2 = 2.1;
    # V = 1*4/4*(3/5)(2/5) + 2*2/3*(1/2)(1/2) + 1*1/1*(1/2)(1/2) = 0.24 + 1/3 + 0.25
    statistic, p_value = log_rank_test([1, 2, 3, 2, 4], [1, 1, 1, 1, 0], list("aaabb"))
    expected = 0.9**2 / (0.24 + 1 / 3 + 0.25)
    assert statistic == pytest.approx(expected)
    from scipy.stats import chi2

    assert p_value == pytest.approx(chi2.sf(expected, 1))
    same, p_same = log_rank_test([1, 1, 2, 2], [1, 1, 1, 1], list("abab"))
    assert same == pytest.approx(0.0) and p_same == pytest.approx(1.0)


# ------------------------------------------------------------------ domain
@pytest.fixture(scope="module")
def files(tmp_path_factory, cohort):
    folder = tmp_path_factory.mktemp("cells")
    small = synthetic_cohort(3, 60, seed=5)
    cells, _ = write_cell_table(small, folder / "cohort", file_format="csv")
    model = random_model(layers=2, hidden=8, seed=2)
    weights = save_weights(model, {"config": model.config}, folder, "gin")
    return {"folder": folder, "cells": cells, "weights": weights, "cohort": small, "model": model}


def test_the_cells_domain_is_registered_with_its_defaults() -> None:
    assert "cells" in available_domains()
    domain = get_domain("cells")
    assert domain.backends == ("gnn-lrp", "perturbation")
    assert domain.default_data == "synthetic-luad" and domain.models == ("cells-gin",)
    assert domain.default_target() == ("log-hazard", 0)
    result = runner.invoke(app, ["domains", "--json"])
    rows = {row["domain"]: row for row in json.loads(result.stdout)}
    assert rows["cells"]["data"] == ["synthetic-luad", "synthetic-luad-small"]


def test_the_domain_checks_atoms_with_phenotype_suggestions() -> None:
    domain = get_domain("cells")

    def problem(query: str):
        (atom,) = parse_query(query).atoms()
        return domain.check_atom(atom)

    for fine in (
        "Cancer",
        "B_cell",
        "T_cells",
        "c12",
        'phenotype:"Non-Cl Mo"',
        'tile:"3,4"',
        "region:margin",
        "lineage:Immune",
    ):
        assert problem(fine) is None, fine
    reason, suggestions = problem("Tregs")
    assert "not a phenotype" in reason and "Treg" in suggestions
    assert "Cancer" in problem('phenotype:"Cancr"')[1]
    assert problem("lineage:Tcells")[1] == ["T_cells"]
    assert "tile" in problem("tile:x")[0]
    assert problem("element:C") is not None


def test_loading_data_and_models_names_what_is_wrong(files, tmp_path: Path) -> None:
    domain = get_domain("cells")
    with pytest.raises(DomainError, match="is neither synthetic-luad"):
        domain.load_inputs(str(tmp_path / "nothing.txt"))
    alone = tmp_path / "alone.csv"
    alone.write_text("image_id,x,y,phenotype\n")
    with pytest.raises(DomainError, match="no clinical table beside it"):
        domain.load_inputs(str(alone))
    stray = tmp_path / "stray.pt"
    stray.write_bytes(b"")
    with pytest.raises(DomainError, match=r"stray\.json .* is missing beside it"):
        domain.load_model(str(stray))
    records = domain.load_inputs(str(files["cells"]))
    assert [r.id for r in records] == [t.image_id for t in files["cohort"].tissues]
    prepared = domain.prepare(f"{files['cells']}:{records[1].id}")
    assert prepared.tissue.image_id == records[1].id
    assert prepared.stage == float(files["cohort"].clinical["stage"].iloc[1])
    with pytest.raises(DomainError, match="has no image 'core_9'"):
        domain.prepare(f"{files['cells']}:core_9")


def test_every_layout_of_the_data_package_loads_as_the_same_inputs(files) -> None:
    domain = get_domain("cells")
    folder, cohort = files["folder"], files["cohort"]
    layouts = {
        "cell table file": str(files["cells"]),
        "cell table folder": str(files["cells"].parent),
        "xCG layout": str(write_xcg_layout(cohort, folder / "xcg")),
        "AnnData": str(write_anndata(cohort, folder / "cohort.h5ad")),
    }
    image = cohort.tissues[-1]
    for layout, data in layouts.items():
        records = domain.load_inputs(data)
        assert sorted(r.id for r in records) == sorted(t.image_id for t in cohort.tissues), layout
        record = next(r for r in records if r.id == image.image_id)
        prepared = domain.load_input(data, record)
        np.testing.assert_allclose(prepared.tissue.positions, image.positions, atol=1e-6)
        np.testing.assert_array_equal(prepared.tissue.phenotypes, image.phenotypes)


def test_symxai_query_on_one_image_equals_explain_tissue(files) -> None:
    queries = ["Cancer & Treg & ~Tc", "T_cells", 'tile:"2,3"']
    image = files["cohort"].tissues[1]
    args = [
        "query",
        f"{files['cells']}:{image.image_id}",
        *queries,
        "-d",
        "cells",
        "--model",
        str(files["weights"]),
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = explain_tissue(image, files["model"]).relevances(queries, missing="absent")
    assert [row["relevance"] for row in payload["relevance"]] == pytest.approx(
        expected.to_list(), abs=1e-9
    )
    assert payload["backend"] == "gnn-lrp"
    shipped = [
        "query",
        "synthetic-luad-small:core_002",
        "Cancer & Tc",
        "-d",
        "cells",
        "--model",
        str(files["weights"]),
        "--backend",
        "perturbation",
        "--json",
    ]
    result = runner.invoke(app, shipped)
    assert result.exit_code == 0, result.output
    small = synthetic_cohort(40, 600).tissue("core_002")
    expected_value = explain_tissue(small, files["model"], "perturbation").relevance("Cancer & Tc")
    assert json.loads(result.stdout)["relevance"][0]["relevance"] == pytest.approx(expected_value)
    bad = runner.invoke(
        app,
        [
            "query",
            "synthetic-luad-small:core_002",
            "Cancr",
            "-d",
            "cells",
            "--model",
            str(files["weights"]),
        ],
    )
    assert bad.exit_code == 2 and "did you mean 'Cancer'" in bad.stderr


def test_a_report_over_cell_graphs_runs_from_a_spec(files) -> None:
    folder = files["folder"]
    queries = ["Cancer & Treg & ~Tc", "Tc & Cancer", "Immune"]
    spec = folder / "cells.toml"
    spec.write_text(
        'title = "Cell graphs"\ndomain = "cells"\n'
        f'data = "{files["cells"].relative_to(folder).as_posix()}"\n'
        f'model = "{files["weights"].name}"\n'
        f"queries = {json.dumps(queries)}\n"
        'output = "out"\nformats = ["csv", "html"]\n'
    )
    result = runner.invoke(app, ["report", str(spec), "--executor", "serial"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(folder / "out" / "relevance.csv", dtype={"input": str})
    cohort = files["cohort"]
    assert list(table["input"].unique()) == [t.image_id for t in cohort.tissues]
    for tissue in cohort.tissues:
        rows = table[table["input"] == tissue.image_id]
        explanation = explain_tissue(tissue, files["model"])
        np.testing.assert_allclose(
            rows["relevance"], explanation.relevances(queries, missing="absent"), atol=1e-9
        )
        assert rows["prediction"].iloc[0] == pytest.approx(explanation.prediction)
    html = (folder / "out" / "report.html").read_text()
    assert "Cell graphs" in html and "data:image/svg+xml;base64," in html
    assert "f(log hazard, graph part)" in html


@pytest.mark.slow
def test_symxai_query_on_the_default_synthetic_cohort(files) -> None:
    args = [
        "query",
        "synthetic-luad:core_000",
        "Cancer & Treg & ~Tc",
        "-d",
        "cells",
        "--model",
        str(files["weights"]),
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    tissue = synthetic_cohort().tissue("core_000")
    expected = explain_tissue(tissue, files["model"]).relevance("Cancer & Treg & ~Tc")
    assert json.loads(result.stdout)["relevance"][0]["relevance"] == pytest.approx(expected)
