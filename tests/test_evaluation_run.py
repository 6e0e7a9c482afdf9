"""The domain-level runner: on a planted domain every ordering and metric is known; on
3 Mutagenicity molecules and 2 sentences the run goes through the registry and each
table row equals the curve computed directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from symxai import Explanation, SetFunction
from symxai.domains.registry import (
    Domain,
    GroundTruth,
    InputRecord,
    register_domain,
    unregister_domain,
)
from symxai.evaluation import (
    evaluate_inputs,
    first_order_ordering,
    occlusion_ordering,
    perturbation_curves,
)
from symxai.evaluation.run import greedy_step_count
from symxai.features import FeatureSpace

PLANTED_INPUTS = ("3 -1 4 0.5 5 -0.5", "0.2 6 -1 3.5 0.1", "broken")


class PlantedDomain(Domain):
    """Additive games v(S) = 0.1 + sum_{i in S} w_i; features with w_i >= 3 are the truth."""

    name = "planted-evaluation"
    description = "additive games for testing the evaluation runner"
    default_data = "planted"
    models = ("none",)
    backends = ("additive", "perturbation")

    def load_inputs(self, data: str) -> list[InputRecord]:
        return [InputRecord(str(i), None, text) for i, text in enumerate(PLANTED_INPUTS)]

    def prepare(self, text: str) -> Any:
        return np.array([float(word) for word in text.split()])  # "broken": ValueError

    def load_model(self, name_or_path: str) -> Any:
        return None

    def default_target(self) -> tuple[str, Any]:
        return "output", 0

    def explain(
        self,
        inputs: Any,
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
        perturbation: str | None = None,
    ) -> Explanation:
        weights = np.asarray(inputs)

        def additive(masks: np.ndarray) -> np.ndarray:
            return 0.1 + np.asarray(masks, dtype=bool) @ weights

        space = FeatureSpace.indexed(weights.size)
        return Explanation(
            space, SetFunction(additive, weights.size), metadata={"backend": backend}
        )

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        full = explanation.value()
        return np.array(
            [
                full - explanation.value(set(range(explanation.n)) - {i})
                for i in range(explanation.n)
            ]
        )

    def ground_truth(self, data: str, record: InputRecord, inputs: Any) -> GroundTruth | None:
        features = np.asarray(inputs) >= 3
        n = features.size
        pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)])
        return GroundTruth(features, pairs, features[pairs[:, 0]] & features[pairs[:, 1]])

    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        raise NotImplementedError


@pytest.fixture
def planted() -> Any:
    register_domain(PlantedDomain)
    yield "planted-evaluation"
    unregister_domain("planted-evaluation")


def test_planted_domain_every_ordering_and_metric_is_known(planted: str) -> None:
    orderings = ("random", "first-order", "occlusion", "greedy", "shapley")
    result = evaluate_inputs(planted, "planted", orderings=orderings, points=11, repeats=20)
    assert list(result.errors) == ["2"] and "ValueError" in result.errors["2"]
    table = result.table
    assert len(table) == 2 * len(orderings) * 2
    assert set(table["ordering"]) == set(orderings)
    # on an additive game every informed ordering is the descending order of the weights
    for kind in ("deletion", "insertion"):
        areas = table[table["kind"] == kind].pivot(index="input", columns="ordering", values="area")
        for name in ("occlusion", "greedy", "shapley"):
            np.testing.assert_allclose(areas[name], areas["first-order"])
        if kind == "deletion":
            assert (areas["first-order"] < areas["random"]).all()
        else:
            assert (areas["first-order"] > areas["random"]).all()
    # the hand-computed deletion curve of input 0 under the descending weights
    weights = np.array([3, -1, 4, 0.5, 5, -0.5])
    order = np.argsort(-weights, kind="stable")
    remaining = weights.sum() - np.r_[0, np.cumsum(weights[order])]
    normalised = remaining / weights.sum()
    steps = np.arange(7) / 6
    expected = np.interp(np.linspace(0, 1, 11), steps, normalised)
    row = table[
        (table["input"] == "0") & (table["ordering"] == "greedy") & (table["kind"] == "deletion")
    ]
    trapezoid = float(np.sum((expected[1:] + expected[:-1]) / 2) / 10)
    assert row["area"].item() == pytest.approx(trapezoid)
    assert result.ground_truth["features"].pooled_auroc == pytest.approx(1.0)
    assert result.ground_truth["pairs"].mean_auroc == pytest.approx(1.0)
    assert result.ground_truth["features"].inputs == 2
    assert result.curves["greedy"]["deletion"].shape == (11,)
    document = json.loads(result.to_json())
    assert document["settings"]["domain"] == planted
    assert document["mean_areas"]["greedy"]["deletion"] == pytest.approx(
        table[(table["ordering"] == "greedy") & (table["kind"] == "deletion")]["area"].mean()
    )
    assert document["ground_truth"]["pairs"]["pooled_auroc"] == pytest.approx(1.0)


def test_unknown_ordering_is_a_clear_error(planted: str) -> None:
    with pytest.raises(ValueError, match="unknown ordering 'best'"):
        evaluate_inputs(planted, "planted", orderings=("best",))


def test_three_mutagenicity_molecules(mutagenicity_gin: Any) -> None:
    result = evaluate_inputs("molecules", "Mutagenicity", mutagenicity_gin.model, limit=3)
    assert not result.errors
    assert len(result.table) == 3 * 4 * 2
    assert set(result.table["input"]) == {"0", "1", "2"}
    assert result.mean_areas().shape == (4, 2)
    assert result.settings["backend"] == "gnn-lrp"
    # one row recomputed directly: the GNN-LRP first-order and the occlusion orderings
    from symxai.domains.registry import get_domain

    domain = get_domain("molecules")
    record = domain.load_inputs("Mutagenicity")[1]
    molecule = domain.load_input("Mutagenicity", record)
    target = domain.default_target()[1]
    explainer = domain.explain(
        molecule, mutagenicity_gin.model, backend="gnn-lrp", target=target, missing="absent"
    )
    removal = domain.explain(
        molecule, mutagenicity_gin.model, backend="perturbation", target=target, missing="absent"
    )
    table = result.table[result.table["input"] == record.id].set_index(["ordering", "kind"])
    for ordering in (first_order_ordering(explainer), occlusion_ordering(removal)):
        deletion, insertion = perturbation_curves(removal, ordering)
        assert table.loc[(ordering.name, "deletion"), "area"] == pytest.approx(deletion.area)
        assert table.loc[(ordering.name, "insertion"), "area"] == pytest.approx(insertion.area)
    json.loads(result.to_json())


def test_two_sentences(tmp_path: Path) -> None:
    data = tmp_path / "sentences.txt"
    data.write_text("a truly wonderful and moving film\nboring , flat and far too long\n")
    result = evaluate_inputs("text", str(data), "tiny-bert", orderings=("random", "greedy"))
    assert not result.errors
    assert len(result.table) == 2 * 2 * 2
    assert result.table["n"].tolist() == [6] * 4 + [7] * 4  # words are the features
    assert result.settings["backend"] == "lrp"
    assert np.isfinite(result.table["area"]).all()


def test_decision_target_explains_the_class_the_model_decides(mutagenicity_gin: Any) -> None:
    """``target="decision"``: an input the model calls a non-mutagen is explained as
    ``f_non - f_mut`` (the fixed target's output negated), one it calls a mutagen as
    ``f_mut - f_non``; so every explained output is >= 0, and its curves start there."""
    ids = [str(i) for i in range(8)]
    fixed = evaluate_inputs(
        "molecules", "Mutagenicity", mutagenicity_gin.model, inputs=ids, orderings=("random",)
    )
    decided = evaluate_inputs(
        "molecules",
        "Mutagenicity",
        mutagenicity_gin.model,
        inputs=ids,
        orderings=("random",),
        target="decision",
    )
    full = fixed.table.groupby("input", sort=False)["full"].first()
    mine = decided.table.groupby("input", sort=False)["full"].first()
    assert (full < 0).any() and (full > 0).any()  # both decisions occur among these inputs
    np.testing.assert_allclose(mine.to_numpy(), np.abs(full.to_numpy()), rtol=1e-6, atol=1e-6)
    assert decided.settings["target"] == "decision"
    with pytest.raises(ValueError, match="needs a logit difference"):
        evaluate_inputs("structures", "malondialdehyde", limit=1, target="decision")


def test_greedy_step_as_a_fraction_of_the_features() -> None:
    assert greedy_step_count(1, 50) == 1 and greedy_step_count(3, 50) == 3
    assert greedy_step_count(0.05, 100) == 5 and greedy_step_count(0.05, 10) == 1
    for wrong in (0, -1, 2.5):
        with pytest.raises(ValueError, match="greedy_step"):
            greedy_step_count(wrong, 10)
