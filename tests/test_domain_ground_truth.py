"""Ground truth of the molecules and cells domains (``Domain.ground_truth``)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from symxai.backends.gnn_lrp import GNNLRPBackend
from symxai.domains.molecules import DEFAULT_RULES, MUTAGEN, NONMUTAGEN
from symxai.domains.registry import get_domain


def _pair_masks(pairs: np.ndarray, n: int) -> np.ndarray:
    masks = np.zeros((len(pairs), n), dtype=bool)
    rows = np.arange(len(pairs))
    masks[rows, pairs[:, 0]] = True
    masks[rows, pairs[:, 1]] = True
    return masks


def test_mutagenicity_ground_truth_is_the_no2_nh2_bonds_of_mutagens() -> None:
    domain = get_domain("molecules")
    records = domain.load_inputs("Mutagenicity")
    found = {"mutagen": 0, "none": 0}
    for record in records[:200]:
        molecule = domain.load_input("Mutagenicity", record)
        truth = domain.ground_truth("Mutagenicity", record, molecule)
        carrier = record.label == MUTAGEN and molecule.edge_ground_truth.any()
        if not carrier:
            assert truth is None
            found["none"] += 1
            continue
        found["mutagen"] += 1
        assert len(truth.pairs) == molecule.num_bonds
        labelled = {tuple(sorted(e)) for e in molecule.edge_index.T[molecule.edge_ground_truth > 0]}
        assert {tuple(p) for p in truth.pairs[truth.pair_labels].tolist()} == labelled
        assert truth.features.tolist() == [
            any(i in pair for pair in labelled) for i in range(molecule.num_atoms)
        ]
    assert found["mutagen"] > 20 and found["none"] > 20
    smiles = domain.prepare("O=[N+]([O-])c1ccccc1")
    assert domain.ground_truth("smiles.txt", records[0], smiles) is None


def test_mutagenicity_bond_auc_through_the_domain_equals_the_benchmarks() -> None:
    """Pooled AUC of v({i, j}) on the NO2/NH2 bonds of a sample of carriers: the domain's
    ground truth and explanation give exactly what benchmarks/gnn_lrp.py computes (one
    score per directed edge, GNNLRPBackend directly); the full set gives 0.94."""
    domain = get_domain("molecules")
    model = domain.load_model("mutagenicity-gin")
    target = domain.default_target()[1]
    rng = np.random.default_rng(0)
    records = domain.load_inputs("Mutagenicity")
    scores, labels, bench_scores, bench_labels = [], [], [], []
    for position in rng.permutation(len(records)):
        if len(labels) == 40:
            break
        record = records[position]
        molecule = domain.load_input("Mutagenicity", record)
        truth = domain.ground_truth("Mutagenicity", record, molecule)
        if truth is None:
            continue
        explanation = domain.explain(
            molecule, model, backend="gnn-lrp", target=target, missing="absent"
        )
        scores.append(explanation.values(_pair_masks(truth.pairs, molecule.num_atoms)))
        labels.append(truth.pair_labels)
        backend = GNNLRPBackend(
            model, molecule.to_data(), target=(MUTAGEN, NONMUTAGEN), rules=DEFAULT_RULES
        )
        bench_scores.append(backend(_pair_masks(molecule.edge_index.T, molecule.num_atoms)))
        bench_labels.append(molecule.edge_ground_truth)
    pooled = roc_auc_score(np.concatenate(labels), np.concatenate(scores))
    benchmark = roc_auc_score(np.concatenate(bench_labels), np.concatenate(bench_scores))
    assert pooled == benchmark
    assert pooled >= 0.9


def test_synthetic_cells_ground_truth_is_the_planted_motif_cells() -> None:
    from symxai.domains.cells.sources import load_cohort

    domain = get_domain("cells")
    data = "synthetic-luad-small"
    truth = load_cohort(data).truth
    for record in domain.load_inputs(data)[:5]:
        tissue = domain.load_input(data, record)
        found = domain.ground_truth(data, record, tissue)
        assert found.pairs is None
        assert found.features.shape == (tissue.feature_space().n,)
        planted = truth.motif_cells[record.id]
        expected = planted["S1"] | planted["S2"] | planted["S3"]
        assert np.array_equal(found.features, expected)
        assert 0 < found.features.sum() < len(found.features)
