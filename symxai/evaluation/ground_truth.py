"""Ground-truth metrics: how well scores of features, edges or coalitions recover a
known mask (a planted motif, the NO2/NH2 bonds of a mutagen).

For one input with bool ``labels`` and real ``scores`` (higher = more relevant):

* :func:`auroc`: the probability that a random positive scores above a random negative
  (ties count one half): ``(sum of the positives' average ranks - P (P + 1) / 2) / (P N)``,
  equal to scikit-learn's ``roc_auc_score``;
* :func:`average_precision`: ``sum_t (R_t - R_{t-1}) P_t`` over the distinct score
  thresholds ``t`` taken in descending order (precision ``P_t`` and recall ``R_t`` of
  the items scoring at least ``t``), scikit-learn's step-wise ``average_precision_score``;
* :func:`top_k_accuracy`: the fraction of the ``k`` top-scored items that are positive
  (``k`` defaults to the number of positives; ties go to the lower index).

Each is NaN for an input whose labels hold only one class; the means of
:func:`ground_truth_metrics` skip such inputs, the pooled figures concatenate all inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import rankdata

from symxai.evaluation.value_function import as_value_function, evaluate
from symxai.explanation import Explanation

__all__ = [
    "GroundTruthMetrics",
    "auroc",
    "average_precision",
    "ground_truth_metrics",
    "pair_labels",
    "pair_scores",
    "top_k_accuracy",
    "walk_pair_scores",
]


def _prepare(labels: Any, scores: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Flat bool labels and float scores, or ``None`` when only one class is present."""
    labels = np.asarray(labels).reshape(-1)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if labels.shape != scores.shape:
        raise ValueError(f"{labels.size} labels but {scores.size} scores")
    if labels.dtype != bool:
        if not np.isin(labels, (0, 1)).all():
            raise ValueError("ground-truth labels must be boolean (or 0/1)")
        labels = labels.astype(bool)
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN")
    positives = int(labels.sum())
    if positives == 0 or positives == labels.size:
        return None
    return labels, scores


def auroc(labels: Any, scores: Any) -> float:
    """Area under the ROC curve (average ranks for ties); NaN for one class."""
    prepared = _prepare(labels, scores)
    if prepared is None:
        return float("nan")
    labels, scores = prepared
    positives = int(labels.sum())
    negatives = labels.size - positives
    ranks = rankdata(scores, method="average")
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def average_precision(labels: Any, scores: Any) -> float:
    """Step-wise average precision over distinct thresholds; NaN for one class."""
    prepared = _prepare(labels, scores)
    if prepared is None:
        return float("nan")
    labels, scores = prepared
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    last_of_threshold = np.r_[np.flatnonzero(np.diff(sorted_scores)), labels.size - 1]
    true_positives = np.cumsum(sorted_labels)[last_of_threshold]
    predicted = last_of_threshold + 1
    precision = true_positives / predicted
    recall = true_positives / true_positives[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def top_k_accuracy(labels: Any, scores: Any, k: int | None = None) -> float:
    """Fraction of the ``k`` top-scored items that are positive (``k``: the number of
    positives by default; stable order, lower index first among ties); NaN for one class."""
    prepared = _prepare(labels, scores)
    if prepared is None:
        return float("nan")
    labels, scores = prepared
    k = int(labels.sum()) if k is None else int(k)
    if not 1 <= k <= labels.size:
        raise ValueError(f"k must be between 1 and {labels.size}, got {k}")
    top = np.argsort(-scores, kind="stable")[:k]
    return float(labels[top].mean())


@dataclass(frozen=True)
class GroundTruthMetrics:
    """Ground-truth metrics of scores on many inputs.

    ``auroc``, ``average_precision`` and ``top_k`` are per input (NaN for a one-class
    input); the ``mean_*`` figures average them skipping NaN; the ``pooled_*`` figures
    are computed once on all inputs' items together. ``inputs`` counts the inputs,
    ``scored`` those with both classes.
    """

    auroc: np.ndarray
    average_precision: np.ndarray
    top_k: np.ndarray
    pooled_auroc: float
    pooled_average_precision: float
    mean_auroc: float
    mean_average_precision: float
    mean_top_k: float
    inputs: int
    scored: int

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers and lists (for JSON)."""
        return {
            "auroc": self.auroc.tolist(),
            "average_precision": self.average_precision.tolist(),
            "top_k": self.top_k.tolist(),
            "pooled_auroc": self.pooled_auroc,
            "pooled_average_precision": self.pooled_average_precision,
            "mean_auroc": self.mean_auroc,
            "mean_average_precision": self.mean_average_precision,
            "mean_top_k": self.mean_top_k,
            "inputs": self.inputs,
            "scored": self.scored,
        }


def _nanmean(values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(finite.mean()) if finite.size else float("nan")


def ground_truth_metrics(
    labels: Sequence[np.ndarray], scores: Sequence[np.ndarray], *, k: int | None = None
) -> GroundTruthMetrics:
    """Per-input, mean and pooled AUROC / average precision, and per-input and mean
    top-``k`` accuracy, of ``scores[i]`` against ``labels[i]`` on every input ``i``."""
    if len(labels) != len(scores):
        raise ValueError(f"{len(labels)} label arrays but {len(scores)} score arrays")
    per_auroc = np.array([auroc(y, s) for y, s in zip(labels, scores, strict=True)])
    per_ap = np.array([average_precision(y, s) for y, s in zip(labels, scores, strict=True)])
    per_top = np.array([top_k_accuracy(y, s, k) for y, s in zip(labels, scores, strict=True)])
    if len(labels):
        pooled_labels = np.concatenate([np.asarray(y).reshape(-1) for y in labels])
        pooled_scores = np.concatenate([np.asarray(s, np.float64).reshape(-1) for s in scores])
    else:
        pooled_labels, pooled_scores = np.zeros(0, bool), np.zeros(0)
    return GroundTruthMetrics(
        auroc=per_auroc,
        average_precision=per_ap,
        top_k=per_top,
        pooled_auroc=auroc(pooled_labels, pooled_scores),
        pooled_average_precision=average_precision(pooled_labels, pooled_scores),
        mean_auroc=_nanmean(per_auroc),
        mean_average_precision=_nanmean(per_ap),
        mean_top_k=_nanmean(per_top),
        inputs=len(labels),
        scored=int((~np.isnan(per_auroc)).sum()),
    )


def pair_scores(value_function: Any, pairs: np.ndarray, n: int | None = None) -> np.ndarray:
    """``v({i, j})`` ``[P]`` of every pair ``(i, j)`` of ``pairs`` ``[P, 2]`` (the
    subgraph relevance of a bond or edge), all in one batch."""
    function, n = as_value_function(value_function, n)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if pairs.size and (pairs.min() < 0 or pairs.max() >= n):
        raise ValueError(f"pair indices must lie in 0 .. {n - 1}")
    masks = np.zeros((pairs.shape[0], n), dtype=bool)
    rows = np.arange(pairs.shape[0])
    masks[rows, pairs[:, 0]] = True
    masks[rows, pairs[:, 1]] = True
    return evaluate(function, masks) if pairs.size else np.zeros(0)


def walk_pair_scores(explanation: Explanation, pairs: np.ndarray) -> np.ndarray:
    """GNN-LRP's own edge relevance of every pair ``(i, j)`` of ``pairs`` ``[P, 2]``: the
    summed relevance ``R_W`` of the relevant walks that step across the edge ``{i, j}``
    in either direction, a walk counted once per edge it uses (Schnake et al., TPAMI
    2022; the edge score behind the published BA-2motif figures). Needs a backend with
    walks (a :class:`~symxai.errors.BackendCapabilityError` otherwise)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if not pairs.size:
        return np.zeros(0)
    return np.asarray(explanation.walks().edge_relevance(pairs.T), dtype=np.float64)


def pair_labels(pairs: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Bool ``[P]``: both ends of pair ``p`` are ground-truth features (``features`` a
    bool ``[n]`` mask), e.g. the bonds inside a planted motif."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    features = np.asarray(features, dtype=bool)
    return features[pairs[:, 0]] & features[pairs[:, 1]]
