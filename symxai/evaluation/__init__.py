"""Faithfulness evaluation on the set-function contract, for every backend and domain.

* :mod:`~symxai.evaluation.curves`: deletion / insertion curves and their areas;
* :mod:`~symxai.evaluation.orderings`: random, first-order, occlusion, Shapley and the
  symbolic greedy ordering;
* :mod:`~symxai.evaluation.ground_truth`: AUROC, average precision, top-k accuracy
  against a known mask, per input and pooled;
* :mod:`~symxai.evaluation.query_faithfulness`: ``R(q)`` against the measured output
  change when the features that make ``q`` true are removed;
* :mod:`~symxai.evaluation.run`: all of it on several inputs of a registered domain;
* :mod:`~symxai.evaluation.peers`: other explainers (PyG's GNNExplainer, PGExplainer,
  Captum methods; occlusion and shapiq Shapley values) on the same model and scalar;
* :mod:`~symxai.evaluation.peer_run`: those peers beside symxai inside
  :func:`evaluate_inputs` (``peers=(...)``): the per-method table and summary;
* :mod:`~symxai.evaluation.html`: the HTML page of a run (``symxai evaluate``).

A value function is an :class:`~symxai.Explanation`, a :class:`~symxai.SetFunction`, a
backend or a callable ``masks [B, n] -> values [B]``
(:func:`~symxai.evaluation.value_function.as_value_function`).
"""

from symxai.evaluation.curves import (
    DEGENERATE_TOLERANCE,
    MAX_STEPS,
    Curve,
    curve_steps,
    mean_area,
    perturbation_curve,
    perturbation_curves,
)
from symxai.evaluation.ground_truth import (
    GroundTruthMetrics,
    auroc,
    average_precision,
    ground_truth_metrics,
    pair_labels,
    pair_scores,
    top_k_accuracy,
    walk_pair_scores,
)
from symxai.evaluation.orderings import (
    Ordering,
    first_order_ordering,
    greedy_ordering,
    occlusion_ordering,
    occlusion_scores,
    random_ordering,
    score_ordering,
    shapley_ordering,
)
from symxai.evaluation.query_faithfulness import (
    QueryFaithfulness,
    positive_atoms,
    query_faithfulness,
)
from symxai.evaluation.run import ORDERINGS, EvaluationResult, evaluate_inputs
from symxai.evaluation.shapley import MAX_SHAPLEY_FEATURES, shapley_from_dividends, shapley_values
from symxai.evaluation.value_function import ValueFunction, as_value_function

__all__ = [
    "DEGENERATE_TOLERANCE",
    "MAX_SHAPLEY_FEATURES",
    "MAX_STEPS",
    "ORDERINGS",
    "Curve",
    "EvaluationResult",
    "GroundTruthMetrics",
    "Ordering",
    "QueryFaithfulness",
    "ValueFunction",
    "as_value_function",
    "auroc",
    "average_precision",
    "curve_steps",
    "evaluate_inputs",
    "first_order_ordering",
    "greedy_ordering",
    "ground_truth_metrics",
    "mean_area",
    "occlusion_ordering",
    "occlusion_scores",
    "pair_labels",
    "pair_scores",
    "perturbation_curve",
    "perturbation_curves",
    "positive_atoms",
    "query_faithfulness",
    "random_ordering",
    "score_ordering",
    "shapley_from_dividends",
    "shapley_ordering",
    "shapley_values",
    "top_k_accuracy",
    "walk_pair_scores",
]
