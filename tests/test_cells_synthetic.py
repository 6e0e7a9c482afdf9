"""The synthetic LUAD cohort: seeded determinism, the planted motifs recomputed by brute
force, and the planted statistics (S1 drives the hazard, decoys carry Tregs without
S1, Treg abundance alone predicts S1 poorly, short survivors dropped and counted)."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from scipy.stats import spearmanr

from symxai.data.cells import LUAD_PHENOTYPES, MOTIFS, Cohort, knn_graph, synthetic_cohort
from tests.test_cells_graphs import brute_force_knn


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return synthetic_cohort(n_patients=200, cells_per_core=600, seed=0)


def brute_force_motif_cells(positions: np.ndarray, names: np.ndarray) -> dict[str, np.ndarray]:
    """Motif cells from the definitions, with neighbour lists from the full distance
    matrix and two-hop neighbourhoods by breadth-first search."""
    neighbours: dict[int, set[int]] = {cell: set() for cell in range(len(names))}
    for i, j in brute_force_knn(positions, 3):
        neighbours[i].add(j)

    def within_two_hops(cell: int) -> set[int]:
        seen, queue = {cell: 0}, deque([cell])
        while queue:
            current = queue.popleft()
            if seen[current] == 2:
                continue
            for other in neighbours[current]:
                if other not in seen:
                    seen[other] = seen[current] + 1
                    queue.append(other)
        return set(seen) - {cell}

    def touches_cancer(cell: int) -> bool:
        return any(names[other] == "Cancer" for other in neighbours[cell])

    anchors = {
        "S1": [
            names[c] == "Treg"
            and touches_cancer(c)
            and all(names[o] != "Tc" for o in within_two_hops(c))
            for c in range(len(names))
        ],
        "S2": [names[c] == "Tc" and touches_cancer(c) for c in range(len(names))],
        "S3": [names[c] in ("Th", "B cell") and touches_cancer(c) for c in range(len(names))],
    }
    cells = {}
    for motif, flags in anchors.items():
        member = np.array(flags)
        for cell in np.flatnonzero(flags):
            for other in neighbours[cell]:
                if names[other] == "Cancer":
                    member[other] = True
        cells[motif] = member
    return cells


def test_same_seed_same_cohort_other_seed_other_cohort() -> None:
    first = synthetic_cohort(n_patients=6, cells_per_core=300, seed=4)
    again = synthetic_cohort(n_patients=6, cells_per_core=300, seed=4)
    other = synthetic_cohort(n_patients=6, cells_per_core=300, seed=5)
    for a, b in zip(first.tissues, again.tissues, strict=True):
        assert np.array_equal(a.positions, b.positions)
        assert np.array_equal(a.phenotypes, b.phenotypes)
        assert np.array_equal(a.edge_index, b.edge_index)
    assert first.clinical.equals(again.clinical)
    assert first.truth.motifs.equals(again.truth.motifs)
    assert not np.array_equal(first.tissues[0].positions[:10], other.tissues[0].positions[:10])
    assert not first.clinical["os_months"].equals(other.clinical["os_months"])


def test_cores_are_discs_of_phenotyped_cells_with_their_knn_graph(cohort: Cohort) -> None:
    sizes = np.array([tissue.n_cells for tissue in cohort.tissues])
    assert 400 < np.median(sizes) < 800 and sizes.std() > 50
    for tissue in cohort.tissues[:20]:
        assert (np.hypot(*tissue.positions.T) <= 500.0).all()
        assert np.array_equal(tissue.edge_index, knn_graph(tissue.positions, 3))
        assert tissue.phenotypes.min() >= 0 and tissue.phenotypes.max() < len(LUAD_PHENOTYPES)
    names = np.concatenate([tissue.phenotype_names() for tissue in cohort.tissues])
    shares = {name: np.mean(names == name) for name in LUAD_PHENOTYPES}
    assert max(shares, key=shares.get) == "Cancer"
    assert all(share > 0 for share in shares.values())
    assert list(cohort.clinical.columns) == [
        "patient_id",
        "image_id",
        "os_months",
        "event",
        "stage",
    ]
    assert set(cohort.clinical["stage"]) == {0, 1} and cohort.clinical["event"].dtype == bool


def test_motif_cells_equal_a_brute_force_recomputation() -> None:
    small = synthetic_cohort(n_patients=5, cells_per_core=250, seed=7)
    assert small.truth is not None
    anchors_seen = 0
    for tissue in small.tissues:
        expected = brute_force_motif_cells(tissue.positions, tissue.phenotype_names())
        returned = small.truth.motif_cells[tissue.image_id]
        for motif in MOTIFS:
            assert np.array_equal(returned[motif], expected[motif]), (tissue.image_id, motif)
            anchors_seen += int(expected[motif].sum())
    assert anchors_seen > 20


def test_scores_are_anchor_counts_per_thousand_cells(cohort: Cohort) -> None:
    motifs = cohort.truth.motifs.set_index("patient_id")
    for tissue in cohort.tissues[:10]:
        cells = cohort.truth.motif_cells[tissue.image_id]
        names = tissue.phenotype_names()
        anchors = cells["S2"] & (names == "Tc")
        assert motifs.loc[tissue.patient_id, "S2"] == pytest.approx(
            1000 * anchors.sum() / tissue.n_cells
        )
        treg = np.mean(names == "Treg")
        assert motifs.loc[tissue.patient_id, "treg_fraction"] == pytest.approx(treg)


def test_planted_statistics(cohort: Cohort) -> None:
    motifs = cohort.truth.motifs
    assert list(motifs["patient_id"]) == list(cohort.clinical["patient_id"])
    assert spearmanr(motifs["S1"], motifs["log_hazard"])[0] > 0.5
    assert spearmanr(motifs["S2"], motifs["log_hazard"])[0] < -0.5
    decoys, others = motifs[motifs["decoy"]], motifs[~motifs["decoy"]]
    assert len(decoys) >= 15
    assert decoys["treg_fraction"].median() > 1.5 * others["treg_fraction"].median()
    assert decoys["S1"].median() < 0.5 * others["S1"].median()
    assert abs(spearmanr(motifs["treg_fraction"], motifs["S1"])[0]) < 0.5
    by_programme = motifs.groupby("programme")["S2"].mean()
    assert by_programme["inflamed"] > 2 * by_programme["excluded"] > 0


def test_log_hazard_is_the_documented_linear_predictor(cohort: Cohort) -> None:
    motifs, clinical = cohort.truth.motifs, cohort.clinical
    full = synthetic_cohort(n_patients=200, cells_per_core=600, seed=0, min_os_months=0.0)
    reference = full.truth.motifs
    z = {m: (reference[m] - reference[m].mean()) / reference[m].std() for m in MOTIFS}
    b = full.truth.coefficients
    expected = (
        b["b1"] * z["S1"]
        - b["b2"] * z["S2"]
        - b["b3"] * z["S3"]
        + b["b_stage"] * full.clinical["stage"]
    )
    assert np.allclose(full.truth.motifs["log_hazard"], expected)
    kept = reference["patient_id"].isin(motifs["patient_id"]).to_numpy()
    assert np.allclose(reference["log_hazard"][kept], motifs["log_hazard"])
    assert np.array_equal(full.clinical["os_months"][kept], clinical["os_months"])


def harrell_c_index(risk: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    """Harrell's C: over comparable pairs (the shorter time an event), the share in
    which the shorter-lived patient has the higher risk (ties count one half)."""
    concordant = comparable = 0.0
    for i in np.flatnonzero(event):
        later = time > time[i]
        comparable += later.sum()
        concordant += (risk[i] > risk[later]).sum() + 0.5 * (risk[i] == risk[later]).sum()
    return concordant / comparable


def test_the_true_log_hazard_ranks_survival(cohort: Cohort) -> None:
    time, event = cohort.clinical["os_months"].to_numpy(), cohort.clinical["event"].to_numpy()
    oracle = harrell_c_index(cohort.truth.motifs["log_hazard"].to_numpy(), time, event)
    stage = harrell_c_index(cohort.clinical["stage"].to_numpy(float), time, event)
    assert oracle > 0.68 and oracle > stage + 0.1


def test_short_survivors_are_dropped_and_counted(cohort: Cohort) -> None:
    assert (cohort.clinical["os_months"] > 3).all()
    dropped = cohort.dropped["patients with os_months <= 3"]
    assert dropped > 0 and len(cohort) + dropped == 200
    assert set(cohort.truth.motif_cells) == {tissue.image_id for tissue in cohort.tissues}
    assert 0.3 < cohort.clinical["event"].mean() < 0.85
