"""A domain-level evaluation run: perturbation curves and ground-truth metrics of the
explanations of several inputs of one data set, read from the domain registry.

For every input :func:`evaluate_inputs` builds two explanations with the domain's own
explain function:

* the *explainer* (``backend``, default the domain's first backend: GNN-LRP for
  molecules, transformer LRP for text), whose per-feature relevance gives the
  first-order ordering, whose set function ``v`` gives the symbolic greedy and the
  Shapley orderings, and whose ``v({i, j})`` scores feature pairs;
* the *removal* function (``backend="perturbation"``): the model's real output with
  the features outside a coalition removed, which the curves measure and the
  occlusion ordering uses.

Each ordering gives a deletion and an insertion curve (one batched call of the removal
function per ordering). Where the domain knows the ground truth of an input
(:meth:`~symxai.domains.registry.Domain.ground_truth`), the explainer's feature
relevance is scored against the feature labels and ``v({i, j})`` against the pair labels.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from symxai.domains.registry import Domain, GroundTruth, get_domain
from symxai.errors import BackendCapabilityError, SymxaiError
from symxai.evaluation.curves import KINDS, perturbation_curves
from symxai.evaluation.ground_truth import GroundTruthMetrics, ground_truth_metrics, pair_scores
from symxai.evaluation.orderings import (
    Ordering,
    greedy_ordering,
    occlusion_ordering,
    random_ordering,
    score_ordering,
    shapley_ordering,
)
from symxai.explanation import Explanation

__all__ = ["ORDERINGS", "EvaluationResult", "evaluate_inputs"]

ORDERINGS = ("random", "first-order", "occlusion", "greedy", "shapley")
"""The orderings :func:`evaluate_inputs` knows by name."""

TABLE_COLUMNS = ["input", "ordering", "kind", "area", "n", "full", "empty", "seconds"]


@dataclass
class EvaluationResult:
    """The outcome of :func:`evaluate_inputs`.

    Attributes
    ----------
    table:
        One row per input, ordering and kind: ``input`` (the record id), ``ordering``,
        ``kind``, ``area`` (NaN when ``f(N) = f(∅)``), ``n`` (features), ``full`` and
        ``empty`` (``f(N)``, ``f(∅)``), ``seconds`` (CPU seconds to build the ordering).
    fractions:
        ``[points]`` fractions of the features removed/added.
    curves:
        ``curves[ordering][kind]``: the mean normalised curve over inputs ``[points]``
        (NaN curves skipped).
    ground_truth:
        ``"features"`` and/or ``"pairs"``: the explainer's metrics where the domain
        knows the ground truth of some inputs.
    errors:
        Record id -> why that input could not be evaluated.
    settings:
        Domain, data, model, backend, target, orderings and points of the run.
    """

    table: pd.DataFrame
    fractions: np.ndarray
    curves: dict[str, dict[str, np.ndarray]]
    ground_truth: dict[str, GroundTruthMetrics] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def mean_areas(self) -> pd.DataFrame:
        """Mean area over inputs (NaN areas skipped): orderings as rows, kinds as columns."""
        if self.table.empty:
            return pd.DataFrame(columns=list(KINDS))
        means = self.table.groupby(["ordering", "kind"], sort=False)["area"].mean()
        return means.unstack("kind")

    def to_json(self) -> str:
        """The whole result as one JSON document (NaN written as ``null``)."""

        def clean(value: Any) -> Any:
            if isinstance(value, dict):
                return {str(key): clean(item) for key, item in value.items()}
            if isinstance(value, (list, tuple)):
                return [clean(item) for item in value]
            if isinstance(value, np.ndarray):
                return clean(value.tolist())
            if isinstance(value, (float, np.floating)):
                return None if np.isnan(value) else float(value)
            if isinstance(value, np.integer):
                return int(value)
            return value

        document = {
            "settings": self.settings,
            "mean_areas": {
                ordering: row.to_dict() for ordering, row in self.mean_areas().iterrows()
            },
            "table": self.table.to_dict(orient="records"),
            "fractions": self.fractions,
            "curves": self.curves,
            "ground_truth": {name: m.to_dict() for name, m in self.ground_truth.items()},
            "errors": self.errors,
        }
        return json.dumps(clean(document))


def _feature_relevance(domain: Domain, explanation: Explanation) -> np.ndarray:
    """The explainer's own per-feature relevance, else the domain's (text perturbation:
    ``v(N) - v(N \\ {i})``)."""
    try:
        return explanation.feature_relevance()
    except BackendCapabilityError:
        return np.asarray(domain.feature_relevance(explanation), dtype=np.float64)


def _first_order(domain: Domain, explanation: Explanation) -> Ordering:
    return score_ordering(_feature_relevance(domain, explanation), "first-order")


def _ordering_builders(
    domain: Domain, repeats: int, seed: int, greedy_step: int
) -> dict[str, Callable[[Explanation, Explanation], Ordering]]:
    return {
        "random": lambda explainer, removal: random_ordering(removal.n, repeats=repeats, seed=seed),
        "first-order": lambda explainer, removal: _first_order(domain, explainer),
        "occlusion": lambda explainer, removal: occlusion_ordering(removal),
        "greedy": lambda explainer, removal: greedy_ordering(explainer, step=greedy_step),
        "shapley": lambda explainer, removal: shapley_ordering(explainer),
    }


def _resolve_model(domain: Domain, model: Any) -> tuple[Any, str]:
    if model is None or isinstance(model, str):
        name = model or domain.models[0]
        return domain.load_model(name), name
    return model, type(model).__name__


def _ground_truth_scores(
    domain: Domain, explainer: Explanation, truth: GroundTruth, collected: dict[str, list[Any]]
) -> None:
    if truth.features is not None:
        relevance = _feature_relevance(domain, explainer)
        collected["features"].append((np.asarray(truth.features, bool), relevance))
    if truth.pairs is not None and truth.pair_labels is not None and len(truth.pairs):
        scores = pair_scores(explainer, truth.pairs)
        collected["pairs"].append((np.asarray(truth.pair_labels, bool), scores))


def evaluate_inputs(
    domain_name: str,
    data: str,
    model: Any = None,
    *,
    backend: str | None = None,
    target: Any = None,
    limit: int | None = None,
    orderings: Sequence[str] = ("random", "first-order", "occlusion", "greedy"),
    points: int = 21,
    seed: int = 0,
    repeats: int = 10,
    greedy_step: int = 1,
    perturbation: str | None = None,
) -> EvaluationResult:
    """Deletion/insertion curves of ``orderings`` and ground-truth metrics on the first
    ``limit`` inputs of ``data`` in the domain ``domain_name``.

    ``model`` is a shipped model name, a model file, a loaded model, or ``None`` (the
    domain's first model); ``backend`` the explainer (default: the domain's first
    backend); ``target`` the explained output (default: the domain's); ``repeats`` and
    ``seed`` the random ordering's; ``greedy_step`` the features the greedy ordering
    removes per step; ``perturbation`` how the removal function removes a feature
    (the domain's first choice by default).
    """
    unknown = [name for name in orderings if name not in ORDERINGS]
    if unknown:
        raise ValueError(f"unknown ordering {unknown[0]!r}; choose from {ORDERINGS}")
    domain = get_domain(domain_name)
    loaded, model_name = _resolve_model(domain, model)
    backend = backend or domain.backends[0]
    target = domain.default_target()[1] if target is None else target
    records = domain.load_inputs(data)
    records = records[:limit] if limit else records
    builders = _ordering_builders(domain, repeats, seed, greedy_step)
    rows: list[dict[str, Any]] = []
    values: dict[str, dict[str, list[np.ndarray]]] = {o: {k: [] for k in KINDS} for o in orderings}
    collected: dict[str, list[Any]] = {"features": [], "pairs": []}
    errors: dict[str, str] = {}
    fractions = np.linspace(0.0, 1.0, points)

    def explain(inputs: Any, name: str) -> Explanation:
        return domain.explain(
            inputs,
            loaded,
            backend=name,
            target=target,
            missing="absent",
            perturbation=perturbation,
        )

    for record in records:
        try:
            inputs = domain.load_input(data, record)
            explainer = explain(inputs, backend)
            removal = explainer if backend == "perturbation" else explain(inputs, "perturbation")
            for name in orderings:
                started = time.process_time()
                ordering = builders[name](explainer, removal)
                seconds = time.process_time() - started
                for curve in perturbation_curves(removal, ordering, points=points):
                    rows.append(
                        {
                            "input": record.id,
                            "ordering": name,
                            "kind": curve.kind,
                            "area": curve.area,
                            "n": removal.n,
                            "full": curve.full,
                            "empty": curve.empty,
                            "seconds": seconds,
                        }
                    )
                    values[name][curve.kind].append(curve.values)
            truth = domain.ground_truth(data, record, inputs)
            if truth is not None:
                _ground_truth_scores(domain, explainer, truth, collected)
        except (SymxaiError, ValueError) as error:
            errors[str(record.id)] = f"{type(error).__name__}: {error}"
    return EvaluationResult(
        table=pd.DataFrame(rows, columns=TABLE_COLUMNS),
        fractions=fractions,
        curves={
            name: {kind: _mean_curve(curves, points) for kind, curves in by_kind.items()}
            for name, by_kind in values.items()
        },
        ground_truth={
            part: ground_truth_metrics([y for y, _ in pairs], [s for _, s in pairs])
            for part, pairs in collected.items()
            if pairs
        },
        errors=errors,
        settings={
            "domain": domain.name,
            "data": data,
            "model": model_name,
            "backend": backend,
            "target": list(target) if isinstance(target, tuple) else target,
            "orderings": list(orderings),
            "points": points,
            "inputs": len(records),
        },
    )


def _mean_curve(curves: list[np.ndarray], points: int) -> np.ndarray:
    stacked = np.array([c for c in curves if not np.isnan(c).any()]).reshape(-1, points)
    return stacked.mean(axis=0) if stacked.shape[0] else np.full(points, np.nan)
