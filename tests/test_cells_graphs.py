"""Cell graphs and the phenotype vocabulary: the kNN and radius graphs equal a
brute-force neighbour search (ties included), the tissue's PyG view, phenotype names,
aliases and lineage groups."""

from __future__ import annotations

import numpy as np
import pytest

from symxai.data.cells import (
    LINEAGES,
    LUAD_PHENOTYPES,
    PHENOTYPE_ALIASES,
    CellDataError,
    Tissue,
    build_graph,
    expand_phenotypes,
    knn_graph,
    radius_graph,
    resolve_phenotype,
)


def brute_force_knn(points: np.ndarray, k: int) -> set[tuple[int, int]]:
    """Undirected kNN edges from the full distance matrix: per cell the k others of
    smallest squared distance, ties by smaller index; both directions."""
    squared = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
    edges: set[tuple[int, int]] = set()
    for cell in range(len(points)):
        others = np.array([j for j in range(len(points)) if j != cell])
        order = np.lexsort((others, squared[cell, others]))
        for neighbour in others[order[:k]]:
            edges.update({(cell, int(neighbour)), (int(neighbour), cell)})
    return edges


def as_set(edge_index: np.ndarray) -> set[tuple[int, int]]:
    return set(zip(edge_index[0].tolist(), edge_index[1].tolist(), strict=True))


def assert_canonical(edge_index: np.ndarray) -> None:
    """int64 (2, E), no self loops, no repeats, both directions, sorted by (source, target)."""
    assert edge_index.dtype == np.int64 and edge_index.shape[0] == 2
    source, target = edge_index
    assert (source != target).all()
    keys = source * (edge_index.max(initial=0) + 1) + target
    assert (np.diff(keys) > 0).all()
    assert as_set(edge_index) == {(j, i) for i, j in as_set(edge_index)}


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("seed", [0, 1])
def test_knn_graph_equals_brute_force_on_random_points(k: int, seed: int) -> None:
    points = np.random.default_rng(seed).uniform(0, 500, size=(300, 2))
    edges = knn_graph(points, k)
    assert_canonical(edges)
    assert as_set(edges) == brute_force_knn(points, k)


@pytest.mark.parametrize("k", [1, 3, 6])
def test_knn_graph_breaks_ties_by_index_like_brute_force(k: int) -> None:
    rng = np.random.default_rng(3)
    grid = np.unique(rng.integers(0, 12, size=(120, 2)), axis=0).astype(float)
    points = grid[rng.permutation(len(grid))]
    assert as_set(knn_graph(points, k)) == brute_force_knn(points, k)
    lattice = np.array([(x, y) for x in range(9) for y in range(9)], dtype=float) * 10.0
    assert as_set(knn_graph(lattice, k)) == brute_force_knn(lattice, k)


def test_knn_graph_with_coincident_points_and_small_inputs() -> None:
    rng = np.random.default_rng(5)
    points = np.repeat(rng.uniform(0, 50, size=(20, 2)), 8, axis=0)
    assert as_set(knn_graph(points, 3)) == brute_force_knn(points, 3)
    three = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    assert as_set(knn_graph(three, 3)) == {(i, j) for i in range(3) for j in range(3) if i != j}
    assert knn_graph(three[:1], 3).shape == (2, 0)


def test_radius_graph_equals_brute_force() -> None:
    points = np.random.default_rng(2).uniform(0, 200, size=(250, 2))
    edges = radius_graph(points, 15.0)
    assert_canonical(edges)
    distance = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
    expected = {(i, j) for i, j in zip(*np.nonzero(distance <= 15.0), strict=True) if i != j}
    assert as_set(edges) == expected


def test_graph_errors_are_clear() -> None:
    with pytest.raises(CellDataError, match="shape"):
        knn_graph(np.zeros((4, 3)))
    with pytest.raises(CellDataError, match="NaN or infinite coordinate at row 1"):
        knn_graph(np.array([[0.0, 0.0], [np.nan, 1.0]]))
    with pytest.raises(CellDataError, match="k must be at least 1"):
        knn_graph(np.zeros((4, 2)), k=0)
    tissue = Tissue("img", "p", np.zeros((2, 2)), np.zeros(2, dtype=np.int64))
    with pytest.raises(CellDataError, match="needs a radius"):
        build_graph(tissue, method="radius")
    with pytest.raises(CellDataError, match="unknown graph method"):
        build_graph(tissue, method="delaunay")


def test_tissue_one_hot_and_pyg_data() -> None:
    rng = np.random.default_rng(0)
    positions = rng.uniform(0, 100, size=(40, 2))
    codes = rng.integers(0, len(LUAD_PHENOTYPES), size=40)
    tissue = Tissue("core_a", "patient_a", positions, codes)
    one_hot = tissue.one_hot()
    assert one_hot.dtype == np.float32 and one_hot.shape == (40, 17)
    assert (one_hot.argmax(axis=1) == codes).all() and (one_hot.sum(axis=1) == 1).all()
    data = tissue.to_data(k=3)
    assert np.array_equal(data.edge_index.numpy(), knn_graph(positions, 3))
    assert np.array_equal(data.x.numpy(), one_hot)
    assert build_graph(tissue, k=4) is tissue
    assert np.array_equal(tissue.to_data().edge_index.numpy(), knn_graph(positions, 4))
    assert tissue.phenotype_names()[0] == LUAD_PHENOTYPES[codes[0]]


def test_phenotype_vocabulary_aliases_and_lineages() -> None:
    assert len(LUAD_PHENOTYPES) == 17 and LUAD_PHENOTYPES[2] == "Cancer"
    for alias, target in PHENOTYPE_ALIASES.items():
        assert alias.isidentifier() and target in LUAD_PHENOTYPES
        assert resolve_phenotype(alias) == target
    for name in ("B_cell", "Alt_MAC", "Cl_MAC", "Cl_Mo", "DCs_cell", "DCs", "Endothelial_cell"):
        assert name in PHENOTYPE_ALIASES
    for name in ("Endothelial", "Int_Mo", "Mast_cell", "NK_cell", "NK", "Non_Cl_Mo", "T_other"):
        assert name in PHENOTYPE_ALIASES
    assert resolve_phenotype("non-cl mo") == "Non-Cl Mo"
    assert resolve_phenotype(" treg ") == "Treg"
    assert set(LINEAGES["T_cells"]) == {"Tc", "Th", "Treg", "T other"}
    assert set(LINEAGES["Myeloid"]) == {
        *LINEAGES["Macrophages"],
        *LINEAGES["Monocytes"],
        "DCs cell",
        "Neutrophils",
        "Mast cell",
    }
    assert set(LINEAGES["Lymphoid"]) == {*LINEAGES["T_cells"], "B cell", "NK cell"}
    assert set(LINEAGES["Immune"]) == set(LINEAGES["Myeloid"]) | set(LINEAGES["Lymphoid"])
    assert all(set(members) <= set(LUAD_PHENOTYPES) for members in LINEAGES.values())
    assert expand_phenotypes("Macrophages") == ("Alt MAC", "Cl MAC")
    assert expand_phenotypes("B_cell") == ("B cell",)


def test_unknown_phenotype_names_close_matches() -> None:
    with pytest.raises(CellDataError, match=r"unknown phenotype 'Tregs'; did you mean 'Treg'"):
        resolve_phenotype("Tregs")
    with pytest.raises(CellDataError, match="known phenotypes: Alt MAC"):
        resolve_phenotype("fibroblast")
    assert resolve_phenotype("tumour", ("Tumour cell", "Cancer")) == "Cancer"
