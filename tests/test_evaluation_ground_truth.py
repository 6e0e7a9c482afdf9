"""Ground-truth metrics equal scikit-learn's on random and tied data, per input and
pooled; a one-class input gives NaN and is skipped by the means; pair scores are
v({i, j}) in one batch."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from symxai import SetFunction
from symxai.evaluation import (
    auroc,
    average_precision,
    ground_truth_metrics,
    pair_labels,
    pair_scores,
    top_k_accuracy,
    walk_pair_scores,
)
from tests.conftest import NITROANILINE


def random_inputs(seed: int, tied: bool) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    labels, scores = [], []
    for _ in range(6):
        size = int(rng.integers(4, 30))
        y = rng.random(size) < 0.3
        y[0], y[1] = True, False  # both classes
        s = rng.integers(0, 4, size).astype(float) if tied else rng.normal(size=size) + y
        labels.append(y)
        scores.append(s)
    return labels, scores


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_per_input_metrics_equal_scikit_learn(seed: int, tied: bool) -> None:
    labels, scores = random_inputs(seed, tied)
    for y, s in zip(labels, scores, strict=True):
        assert auroc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        assert average_precision(y, s) == pytest.approx(average_precision_score(y, s), abs=1e-12)


@pytest.mark.parametrize("tied", [False, True])
def test_pooled_and_mean_metrics_equal_scikit_learn(tied: bool) -> None:
    labels, scores = random_inputs(7, tied)
    metrics = ground_truth_metrics(labels, scores)
    pooled_y, pooled_s = np.concatenate(labels), np.concatenate(scores)
    assert metrics.pooled_auroc == pytest.approx(roc_auc_score(pooled_y, pooled_s))
    assert metrics.pooled_average_precision == pytest.approx(
        average_precision_score(pooled_y, pooled_s)
    )
    per_input = [roc_auc_score(y, s) for y, s in zip(labels, scores, strict=True)]
    np.testing.assert_allclose(metrics.auroc, per_input)
    assert metrics.mean_auroc == pytest.approx(np.mean(per_input))
    per_ap = [average_precision_score(y, s) for y, s in zip(labels, scores, strict=True)]
    np.testing.assert_allclose(metrics.average_precision, per_ap)
    assert metrics.mean_average_precision == pytest.approx(np.mean(per_ap))
    assert metrics.inputs == metrics.scored == 6
    assert set(metrics.to_dict()) >= {"pooled_auroc", "mean_top_k", "auroc"}


def test_one_class_input_is_nan_and_skipped_by_the_means() -> None:
    labels = [np.array([1, 0, 0, 1], bool), np.zeros(3, bool), np.ones(2, bool)]
    scores = [np.array([0.9, 0.1, 0.5, 0.4]), np.array([0.3, 0.2, 0.1]), np.array([1.0, 2.0])]
    assert np.isnan(auroc(labels[1], scores[1]))
    assert np.isnan(average_precision(labels[2], scores[2]))
    assert np.isnan(top_k_accuracy(labels[1], scores[1]))
    metrics = ground_truth_metrics(labels, scores)
    assert np.isnan(metrics.auroc[1:]).all() and np.isnan(metrics.top_k[1:]).all()
    assert metrics.mean_auroc == pytest.approx(roc_auc_score(labels[0], scores[0]))
    assert metrics.mean_top_k == pytest.approx(0.5)  # top 2: indices 0 (pos) and 2 (neg)
    assert metrics.scored == 1 and metrics.inputs == 3
    pooled_y, pooled_s = np.concatenate(labels), np.concatenate(scores)
    assert metrics.pooled_auroc == pytest.approx(roc_auc_score(pooled_y, pooled_s))
    assert np.isnan(ground_truth_metrics([np.zeros(2, bool)], [np.ones(2)]).mean_auroc)


def test_top_k_accuracy() -> None:
    labels = np.array([0, 1, 1, 0, 0, 1], bool)
    scores = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.05])
    assert top_k_accuracy(labels, scores) == pytest.approx(2 / 3)  # k = 3 positives
    assert top_k_accuracy(labels, scores, k=1) == 0.0
    assert top_k_accuracy(labels, scores, k=2) == 0.5
    with pytest.raises(ValueError, match="k must be"):
        top_k_accuracy(labels, scores, k=0)


def test_clear_errors() -> None:
    with pytest.raises(ValueError, match="3 labels but 2 scores"):
        auroc(np.array([1, 0, 1]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="boolean"):
        auroc(np.array([2, 0]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="NaN"):
        auroc(np.array([1, 0]), np.array([np.nan, 0.2]))


def test_pair_scores_are_pair_values_in_one_batch() -> None:
    rng = np.random.default_rng(0)
    table = rng.normal(size=1 << 5)
    calls: list[int] = []

    def game(masks: np.ndarray) -> np.ndarray:
        calls.append(masks.shape[0])
        return table[masks.astype(np.int64) @ (1 << np.arange(5))]

    pairs = np.array([[0, 1], [1, 3], [2, 4], [0, 4]])
    scores = pair_scores(SetFunction(game, 5), pairs)
    np.testing.assert_allclose(scores, [table[(1 << i) | (1 << j)] for i, j in pairs])
    assert calls == [4]
    features = np.array([True, True, False, True, False])
    assert pair_labels(pairs, features).tolist() == [True, True, False, False]
    with pytest.raises(ValueError, match="pair indices"):
        pair_scores(SetFunction(game, 5), np.array([[0, 5]]))


def test_walk_pair_scores_sum_the_walks_crossing_each_bond(mutagenicity_gin: Any) -> None:
    """GNN-LRP's edge relevance of a bond is the summed relevance of the walks that step
    across it (in either direction, once per walk), counted here walk by walk."""
    from symxai.domains.molecules import explain_molecule

    explanation = explain_molecule(NITROANILINE, mutagenicity_gin.model)
    edges = explanation.source.data.edge_index.numpy()
    pairs = edges.T[edges[0] < edges[1]]
    walks = explanation.walks()
    expected = np.zeros(len(pairs))
    for nodes, relevance in zip(walks.nodes, walks.relevance, strict=True):
        crossed = {frozenset((int(a), int(b))) for a, b in itertools.pairwise(nodes) if a != b}
        for row, (i, j) in enumerate(pairs):
            if frozenset((int(i), int(j))) in crossed:
                expected[row] += relevance
    np.testing.assert_allclose(walk_pair_scores(explanation, pairs), expected, atol=1e-9)
    assert np.abs(expected).max() > 0
