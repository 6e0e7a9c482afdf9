"""Peers in the evaluation runner: on 3 Mutagenicity mutagens (NO2/NH2 bonds as the
ground truth, through a domain's ``ground_truth``) symxai's row and each peer's row
equal a direct computation with the ``symxai.evaluation`` and
``symxai.evaluation.peers`` functions; on 2 sentences occlusion and shapiq's Shapley
values become curve orderings; bad peer names are clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from symxai.domains.molecules.domain import MoleculeDomain
from symxai.domains.registry import GroundTruth, get_domain, register_domain, unregister_domain
from symxai.evaluation import (
    auroc,
    average_precision,
    evaluate_inputs,
    first_order_ordering,
    ground_truth_metrics,
    occlusion_ordering,
    pair_scores,
    perturbation_curves,
    score_ordering,
    top_k_accuracy,
)
from symxai.evaluation.peers import get_peer, shapley_values

TRUTH_DOMAIN = "molecules-bond-truth"
CARRIERS = ["10", "19", "22"]
"""Mutagens among the first Mutagenicity molecules with NO2/NH2 ground-truth bonds."""


class BondTruthMolecules(MoleculeDomain):
    """The molecules domain with the NO2/NH2 bonds of a mutagen as labelled pairs."""

    name = TRUTH_DOMAIN

    def ground_truth(self, data: str, record: Any, inputs: Any) -> GroundTruth | None:
        edges = inputs.edge_index
        once = edges[0] < edges[1]
        labels = np.asarray(inputs.edge_ground_truth)[once].astype(bool)
        return GroundTruth(pairs=edges.T[once], pair_labels=labels)


@pytest.fixture(scope="module")
def bond_truth() -> Any:
    register_domain(BondTruthMolecules)
    yield TRUTH_DOMAIN
    unregister_domain(TRUTH_DOMAIN)


@pytest.fixture(scope="module")
def peer_run(bond_truth: str) -> Any:
    return evaluate_inputs(
        bond_truth,
        "Mutagenicity",
        inputs=CARRIERS,
        orderings=("first-order",),
        peers=("saliency", "gradient-x-input", "pgexplainer"),
    )


def _metric(result: Any, method: str, input_id: str, metric: str) -> float:
    rows = result.methods
    found = rows[
        (rows["method"] == method) & (rows["input"] == input_id) & (rows["metric"] == metric)
    ]
    assert len(found) == 1, (method, input_id, metric)
    return float(found["value"].item())


def _direct(domain: Any, model: Any, input_id: str) -> tuple[Any, Any, Any, GroundTruth]:
    record = next(r for r in domain.load_inputs("Mutagenicity") if r.id == input_id)
    molecule = domain.load_input("Mutagenicity", record)
    target = domain.default_target()[1]
    explainer = domain.explain(molecule, model, backend="gnn-lrp", target=target, missing="absent")
    removal = domain.explain(
        molecule, model, backend="perturbation", target=target, missing="absent"
    )
    return molecule, explainer, removal, domain.ground_truth("Mutagenicity", record, molecule)


def test_symxai_and_peer_rows_equal_direct_computation(peer_run: Any, gin: Any) -> None:
    assert not peer_run.errors
    domain = get_domain(TRUTH_DOMAIN)
    target = domain.default_target()[1]
    saliency = get_peer("saliency")
    labels, symxai_pairs, saliency_pairs = [], [], []
    for input_id in CARRIERS:
        molecule, explainer, removal, truth = _direct(domain, gin, input_id)
        truth_labels = truth.pair_labels
        labels.append(truth_labels)
        # symxai: v({i, j}) of the bonds, first-order relevance as its ordering
        mine = pair_scores(explainer, truth.pairs)
        symxai_pairs.append(mine)
        assert _metric(peer_run, "symxai", input_id, "pairs_auroc") == pytest.approx(
            auroc(truth_labels, mine)
        )
        assert _metric(peer_run, "symxai", input_id, "pairs_average_precision") == pytest.approx(
            average_precision(truth_labels, mine)
        )
        deletion, insertion = perturbation_curves(removal, first_order_ordering(explainer))
        assert _metric(peer_run, "symxai", input_id, "deletion_area") == pytest.approx(
            deletion.area
        )
        assert _metric(peer_run, "symxai", input_id, "insertion_area") == pytest.approx(
            insertion.area
        )
        table = peer_run.table.set_index(["input", "ordering", "kind"])
        assert table.loc[(input_id, "first-order", "deletion"), "area"] == pytest.approx(
            deletion.area
        )
        # a peer: saliency on the same model and scalar
        scores = saliency.explain(gin, molecule.to_data(), target, truth.pairs)
        saliency_pairs.append(scores.pairs)
        assert _metric(peer_run, "saliency", input_id, "pairs_auroc") == pytest.approx(
            auroc(truth_labels, scores.pairs)
        )
        assert _metric(peer_run, "saliency", input_id, "pairs_top_k") == pytest.approx(
            top_k_accuracy(truth_labels, scores.pairs)
        )
        deletion, insertion = perturbation_curves(
            removal, score_ordering(scores.features, "saliency")
        )
        assert _metric(peer_run, "saliency", input_id, "deletion_area") == pytest.approx(
            deletion.area
        )
        assert _metric(peer_run, "saliency", input_id, "insertion_area") == pytest.approx(
            insertion.area
        )
        assert _metric(peer_run, "saliency", input_id, "seconds") > 0
    summary = peer_run.method_summary()
    assert list(summary.index) == ["symxai", "saliency", "gradient-x-input", "pgexplainer"]
    assert summary.loc["symxai", "pairs_pooled_auroc"] == pytest.approx(
        ground_truth_metrics(labels, symxai_pairs).pooled_auroc
    )
    assert summary.loc["saliency", "pairs_mean_auroc"] == pytest.approx(
        ground_truth_metrics(labels, saliency_pairs).mean_auroc
    )
    assert peer_run.ground_truth["pairs"].pooled_auroc == pytest.approx(
        summary.loc["symxai", "pairs_pooled_auroc"]
    )
    assert (summary["inputs"] == 3).all()


def test_pgexplainer_is_trained_first_and_scores_pairs_only(peer_run: Any) -> None:
    notes = peer_run.settings["notes"]
    assert len(notes) == 1 and notes[0].startswith("pgexplainer: trained")
    assert "3 graphs (the evaluated inputs" in notes[0]
    metrics = set(peer_run.methods.loc[peer_run.methods["method"] == "pgexplainer", "metric"])
    assert metrics == {"pairs_auroc", "pairs_average_precision", "pairs_top_k", "seconds"}
    assert np.isnan(peer_run.method_summary().loc["pgexplainer", "deletion_area"])


def test_peer_run_in_json(peer_run: Any) -> None:
    document = json.loads(peer_run.to_json())
    assert document["settings"]["peers"] == ["saliency", "gradient-x-input", "pgexplainer"]
    assert {row["method"] for row in document["methods"]} == {
        "symxai",
        "saliency",
        "gradient-x-input",
        "pgexplainer",
    }
    assert document["method_summary"]["symxai"]["pairs_pooled_auroc"] == pytest.approx(
        peer_run.method_summary().loc["symxai", "pairs_pooled_auroc"]
    )
    assert document["method_ground_truth"]["saliency"]["pairs"]["inputs"] == 3
    assert len(document["method_curves"]["saliency"]["deletion"]) == 21


def test_text_peers_are_curve_orderings(tmp_path: Path) -> None:
    data = tmp_path / "sentences.txt"
    data.write_text("a truly wonderful and moving film\nboring , flat and far too long\n")
    result = evaluate_inputs(
        "text", str(data), "tiny-bert", orderings=("occlusion",), peers=("occlusion", "shapley")
    )
    assert not result.errors
    domain = get_domain("text")
    model = domain.load_model("tiny-bert")
    target = domain.default_target()[1]
    for record in domain.load_inputs(str(data)):
        sentence = domain.load_input(str(data), record)
        removal = domain.explain(
            sentence, model, backend="perturbation", target=target, missing="absent"
        )
        # the occlusion peer is the occlusion ordering: the same curve
        deletion, _ = perturbation_curves(removal, occlusion_ordering(removal))
        assert _metric(result, "occlusion", record.id, "deletion_area") == pytest.approx(
            deletion.area
        )
        phi = shapley_values(removal.values, removal.n)
        assert phi.sum() == pytest.approx(removal.value() - removal.value(set()), abs=1e-6)
        _, insertion = perturbation_curves(removal, score_ordering(phi, "shapley"))
        assert _metric(result, "shapley", record.id, "insertion_area") == pytest.approx(
            insertion.area
        )
    assert set(result.method_curves) == {"symxai", "occlusion", "shapley"}


def test_bad_peer_names_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown peer 'lime'; available: gnnexplainer, "):
        evaluate_inputs("molecules", "Mutagenicity", limit=1, peers=("lime",))
    data = tmp_path / "sentences.txt"
    data.write_text("a truly wonderful film\n")
    with pytest.raises(ValueError, match=r"'gnnexplainer' explains graph models.*occlusion"):
        evaluate_inputs("text", str(data), "tiny-bert", peers=("gnnexplainer",))
    with pytest.raises(ValueError, match="Mutagenicity has no input 'nope'"):
        evaluate_inputs("molecules", "Mutagenicity", inputs=["0", "nope"])
