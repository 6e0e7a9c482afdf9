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

With ``peers=(...)`` other explainers run beside symxai on the same inputs, model and
explained scalar (:mod:`~symxai.evaluation.peer_run`); every method (``symxai`` and each
peer) gets per input its ground-truth metrics, the deletion/insertion areas of the
ordering its feature scores give, and its CPU seconds: the tidy ``methods`` table and
:meth:`EvaluationResult.method_summary`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from symxai.domains.registry import Domain, GroundTruth, get_domain
from symxai.errors import BackendCapabilityError, SymxaiError
from symxai.evaluation.curves import KINDS, perturbation_curves
from symxai.evaluation.ground_truth import (
    GroundTruthMetrics,
    auroc,
    average_precision,
    ground_truth_metrics,
    top_k_accuracy,
)
from symxai.evaluation.orderings import (
    Ordering,
    greedy_ordering,
    occlusion_ordering,
    random_ordering,
    score_ordering,
    shapley_ordering,
)
from symxai.evaluation.peer_run import (
    SYMXAI_PAIR_SCORES,
    MethodScores,
    PeerRunner,
    symxai_scores,
)
from symxai.explanation import Explanation

__all__ = ["DECISION", "ORDERINGS", "EvaluationResult", "evaluate_inputs"]

DECISION = "decision"
"""The ``target`` that explains each input's decided class (:func:`evaluate_inputs`)."""

ORDERINGS = ("random", "first-order", "occlusion", "greedy", "shapley")
"""The orderings :func:`evaluate_inputs` knows by name."""

TABLE_COLUMNS = ["input", "ordering", "kind", "area", "n", "full", "empty", "seconds", "target"]
METHOD_COLUMNS = ["method", "input", "metric", "value"]
PARTS = ("pairs", "features")
"""Ground-truth parts, in the order the summary shows them."""


@dataclass
class EvaluationResult:
    """The outcome of :func:`evaluate_inputs`.

    Attributes
    ----------
    table:
        One row per input, ordering and kind: ``input`` (the record id), ``ordering``,
        ``kind``, ``area`` (NaN when ``f(N) = f(∅)``), ``n`` (features), ``full`` and
        ``empty`` (``f(N)``, ``f(∅)``), ``seconds`` (CPU seconds to build the ordering),
        ``target`` (the explained output by name, ``mutagen - nonmutagen``; with
        ``target="decision"`` the input's decided class first; ``None`` where the domain's
        explanations name no target).
    fractions:
        ``[points]`` fractions of the features removed/added.
    curves:
        ``curves[ordering][kind]``: the mean normalised curve over inputs ``[points]``
        (NaN curves skipped).
    curve_errors:
        ``curve_errors[ordering][kind]``: the standard error of that mean curve.
    errors:
        Record id -> why that input could not be evaluated; ``"id (method)"`` -> why
        one method could not explain that input.
    settings:
        Domain, data, model, backend, target (as given), ``target_name`` (the explained
        outputs by name, ``" or "`` between the names of a ``decision`` run's two
        orders), orderings, peers, points, seed, repeats, greedy step and inputs of the
        run, and ``notes`` (peers trained before the run).
    methods:
        The tidy method table: one row per ``method`` (``symxai`` and each peer),
        ``input``, ``metric`` and ``value``. Metrics: ``features_auroc``,
        ``features_average_precision``, ``features_top_k`` and ``pairs_*`` (where the
        domain gives that ground truth and the method those scores),
        ``deletion_area`` and ``insertion_area`` (where the method scores features),
        ``seconds`` (CPU seconds of the input's explanation).
    method_ground_truth:
        ``method_ground_truth[method][part]`` (``part``: ``"features"``, ``"pairs"``):
        per-input, mean and pooled metrics of each method.
    method_curves:
        ``method_curves[method][kind]``: the mean normalised curve of each method's
        ordering (symxai's is the first-order ordering's).
    """

    table: pd.DataFrame
    fractions: np.ndarray
    curves: dict[str, dict[str, np.ndarray]]
    curve_errors: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    methods: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=METHOD_COLUMNS))
    method_ground_truth: dict[str, dict[str, GroundTruthMetrics]] = field(default_factory=dict)
    method_curves: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    @property
    def ground_truth(self) -> dict[str, GroundTruthMetrics]:
        """``"features"`` and/or ``"pairs"``: the explainer's metrics where the domain knows
        the ground truth of some inputs (symxai's row of its first pair score in
        :attr:`method_ground_truth`)."""
        first = self.settings.get("symxai_pair_scores", ["subgraph"])[0]
        return self.method_ground_truth.get(SYMXAI_PAIR_SCORES[first], {})

    def method_summary(self) -> pd.DataFrame:
        """One row per method: for each ground-truth part present, pooled and mean AUROC,
        pooled average precision and mean top-k accuracy (``pairs_pooled_auroc``, ...);
        the mean deletion and insertion areas (NaN skipped) and the mean CPU seconds per
        input (``seconds_per_input``), and ``inputs`` (inputs the method explained)."""
        methods = list(dict.fromkeys(self.methods["method"]))
        rows = []
        for method in methods:
            mine = self.methods[self.methods["method"] == method]
            row: dict[str, Any] = {"method": method}
            for part in PARTS:
                if not any(part in parts for parts in self.method_ground_truth.values()):
                    continue
                metrics = self.method_ground_truth.get(method, {}).get(part)
                row[f"{part}_pooled_auroc"] = metrics.pooled_auroc if metrics else np.nan
                row[f"{part}_mean_auroc"] = metrics.mean_auroc if metrics else np.nan
                row[f"{part}_average_precision"] = (
                    metrics.pooled_average_precision if metrics else np.nan
                )
                row[f"{part}_top_k"] = metrics.mean_top_k if metrics else np.nan
            for metric in ("deletion_area", "insertion_area", "seconds"):
                values = mine.loc[mine["metric"] == metric, "value"].astype(float)
                name = "seconds_per_input" if metric == "seconds" else metric
                row[name] = float(values.mean()) if values.notna().any() else np.nan
            row["inputs"] = int((mine["metric"] == "seconds").sum())
            rows.append(row)
        return pd.DataFrame(rows).set_index("method") if rows else pd.DataFrame()

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
            "curve_errors": self.curve_errors,
            "ground_truth": {name: m.to_dict() for name, m in self.ground_truth.items()},
            "errors": self.errors,
            "methods": self.methods.to_dict(orient="records"),
            "method_summary": {
                method: row.to_dict() for method, row in self.method_summary().iterrows()
            },
            "method_ground_truth": {
                method: {part: m.to_dict() for part, m in parts.items()}
                for method, parts in self.method_ground_truth.items()
            },
            "method_curves": self.method_curves,
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


def greedy_step_count(step: float, n: int) -> int:
    """Features the greedy ordering moves per step: ``step`` itself when it is a whole
    number ``>= 1``, else the fraction ``step`` of ``n`` (``0 < step < 1``), at least one."""
    if step >= 1:
        if step != int(step):
            raise ValueError(f"greedy_step must be a whole number or a fraction in (0, 1): {step}")
        return int(step)
    if step <= 0:
        raise ValueError(f"greedy_step must be positive, got {step}")
    return max(1, math.ceil(step * n))


def _ordering_builders(
    domain: Domain, repeats: int, seed: int, greedy_step: float
) -> dict[str, Callable[[Explanation, Explanation], Ordering]]:
    return {
        "random": lambda explainer, removal: random_ordering(removal.n, repeats=repeats, seed=seed),
        "first-order": lambda explainer, removal: _first_order(domain, explainer),
        "occlusion": lambda explainer, removal: occlusion_ordering(removal),
        "greedy": lambda explainer, removal: greedy_ordering(
            explainer, step=greedy_step_count(greedy_step, explainer.n)
        ),
        "shapley": lambda explainer, removal: shapley_ordering(explainer),
    }


def default_target_of(domain: Domain, model: Any, model_name: str) -> Any:
    """The target of ``model`` when none is given: for a user's model (not shipped) in a
    domain that takes users' models with a featurizer (molecules), its attribute
    ``default_target``, else ``None`` (its one output) for a model with one output; else
    the domain's default (as :meth:`~symxai.report.tasks.ReportTask.target` chooses)."""
    default = domain.default_target()[1]
    if model_name in domain.models or not getattr(domain, "featurizers", ()):
        return default
    if hasattr(model, "default_target"):
        return model.default_target
    return None if domain.output_count(model) == 1 else default


def _resolve_model(domain: Domain, model: Any, featurizer: str | None = None) -> tuple[Any, str]:
    if model is None or isinstance(model, str):
        name = model or domain.models[0]
        options = {"featurizer": featurizer} if featurizer is not None else {}
        return domain.load_model(name, **options), name
    return model, type(model).__name__


def _truth_parts(truth: GroundTruth | None) -> dict[str, np.ndarray]:
    """The ground-truth labels of one input by part (``features``, ``pairs``)."""
    if truth is None:
        return {}
    parts = {}
    if truth.features is not None:
        parts["features"] = np.asarray(truth.features, bool)
    if truth.pairs is not None and truth.pair_labels is not None and len(truth.pairs):
        parts["pairs"] = np.asarray(truth.pair_labels, bool)
    return parts


def _truth_pairs(truth: GroundTruth | None) -> np.ndarray | None:
    if truth is None or truth.pairs is None or truth.pair_labels is None or not len(truth.pairs):
        return None
    return np.asarray(truth.pairs, dtype=np.int64).reshape(-1, 2)


class _MethodRows:
    """Collects every method's per-input rows, ground-truth scores and curves."""

    def __init__(self, points: int) -> None:
        self.points = points
        self.rows: list[dict[str, Any]] = []
        self.truth: dict[str, dict[str, list[tuple[np.ndarray, np.ndarray]]]] = {}
        self.curves: dict[str, dict[str, list[np.ndarray]]] = {}

    def add(
        self,
        input_id: str,
        scores: MethodScores,
        removal: Explanation,
        labels: dict[str, np.ndarray],
        curves: Sequence[Any] | None = None,
    ) -> Sequence[Any] | None:
        """The rows of one method on one input (curves only for ``n`` feature scores;
        ``curves``: those of the same ordering, already measured); returns the curves of
        the method's feature ordering (``None`` without feature scores)."""
        rows = []
        for part, values in (("features", scores.features), ("pairs", scores.pairs)):
            if values is None or part not in labels:
                continue
            values = np.asarray(values, dtype=np.float64).reshape(-1)
            truth = labels[part]
            if values.shape != truth.shape:
                raise ValueError(
                    f"{scores.method} gave {values.size} {part} scores, the ground truth "
                    f"has {truth.size}"
                )
            self.truth.setdefault(scores.method, {}).setdefault(part, []).append((truth, values))
            for metric, function in (
                ("auroc", auroc),
                ("average_precision", average_precision),
                ("top_k", top_k_accuracy),
            ):
                rows.append((f"{part}_{metric}", function(truth, values)))
        features = scores.features
        if features is not None and np.size(features) == removal.n:
            if curves is None:
                ordering = score_ordering(np.asarray(features), scores.method)
                curves = perturbation_curves(removal, ordering, points=self.points)
            collected = self.curves.setdefault(scores.method, {k: [] for k in KINDS})
            for curve in curves:
                rows.append((f"{curve.kind}_area", curve.area))
                collected[curve.kind].append(curve.values)
        rows.append(("seconds", scores.seconds))
        self.rows.extend(
            {"method": scores.method, "input": input_id, "metric": metric, "value": float(value)}
            for metric, value in rows
        )
        return curves

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=METHOD_COLUMNS)

    def ground_truth(self) -> dict[str, dict[str, GroundTruthMetrics]]:
        return {
            method: {
                part: ground_truth_metrics([y for y, _ in pairs], [s for _, s in pairs])
                for part, pairs in parts.items()
            }
            for method, parts in self.truth.items()
        }

    def mean_curves(self) -> dict[str, dict[str, np.ndarray]]:
        return {
            method: {kind: _mean_curve(curves, self.points) for kind, curves in by_kind.items()}
            for method, by_kind in self.curves.items()
        }


def _peer_runner(
    domain: Domain, data: str, records: list[Any], peers: Sequence[str], seed: int
) -> PeerRunner | None:
    """The run's peers, checked against the domain's inputs (graphs or not)."""
    if not peers:
        return None
    from symxai.evaluation.peer_run import is_graph_input

    graph_inputs = False
    for record in records:  # the first input that loads tells
        try:
            graph_inputs = is_graph_input(domain.load_input(data, record))
        except (SymxaiError, ValueError):
            continue
        break
    return PeerRunner(peers, domain_name=domain.name, graph_inputs=graph_inputs, seed=seed)


def evaluate_inputs(
    domain_name: str,
    data: str,
    model: Any = None,
    *,
    backend: str | None = None,
    target: Any = None,
    limit: int | None = None,
    inputs: Sequence[str] | None = None,
    orderings: Sequence[str] = ("random", "first-order", "occlusion", "greedy"),
    peers: Sequence[str] = (),
    fit_inputs: Sequence[Any] | None = None,
    points: int = 21,
    seed: int = 0,
    repeats: int = 10,
    greedy_step: float = 1,
    perturbation: str | None = None,
    symxai_pair_scores: Sequence[str] = ("subgraph",),
    featurizer: str | None = None,
) -> EvaluationResult:
    """Deletion/insertion curves of ``orderings`` and ground-truth metrics on the first
    ``limit`` inputs of ``data`` in the domain ``domain_name``.

    ``model`` is a shipped model name, a model file, a loaded model, or ``None`` (the
    domain's first model); ``backend`` the explainer (default: the domain's first
    backend); ``target`` the explained output (default: the one a user's model declares,
    :func:`default_target_of`, else the domain's); ``inputs`` the
    record ids to evaluate (instead of the first ``limit``); ``repeats`` and ``seed``
    the random ordering's (``seed`` also seeds the peers); ``greedy_step`` the features
    the greedy ordering removes per step (a fraction in ``(0, 1)``: that share of the
    input's features, :func:`greedy_step_count`); ``perturbation`` how the removal function
    removes a feature (the domain's first choice by default); ``symxai_pair_scores``
    how symxai scores a ground-truth pair, one row each
    (:data:`~symxai.evaluation.peer_run.SYMXAI_PAIR_SCORES`: ``subgraph``, ``v({i, j})``,
    the row ``symxai``; ``walks``, the crossing walks' relevance, ``symxai-walks``); the
    first also gives :attr:`EvaluationResult.ground_truth`.

    ``target=DECISION`` (``"decision"``) explains, for a domain whose default target
    is a logit difference ``f_i - f_j``, the model's decision on each input: ``f_i -
    f_j`` where the model prefers ``i``, else ``f_j - f_i`` (symxai and every peer
    alike), so that deleting the most relevant features first lowers the output the
    model decided on (the protocol of the insertion/deletion literature); with a fixed
    target, an input whose output lies below the empty input's has inverted curves.

    ``peers`` names peer explainers to run beside symxai
    (:mod:`~symxai.evaluation.peer_run`): graph peers for domains whose inputs are PyG
    graphs, ``occlusion`` and ``shapley`` everywhere. A peer that needs training
    (PGExplainer) is fitted first on ``fit_inputs`` (prepared inputs or PyG graphs), by
    default on the evaluated inputs' graphs; the result's ``settings["notes"]`` says so.
    """
    unknown = [name for name in orderings if name not in ORDERINGS]
    if unknown:
        raise ValueError(f"unknown ordering {unknown[0]!r}; choose from {', '.join(ORDERINGS)}")
    wrong = [name for name in symxai_pair_scores if name not in SYMXAI_PAIR_SCORES]
    if wrong or not symxai_pair_scores:
        raise ValueError(
            f"unknown pair score {(wrong or [''])[0]!r}; "
            f"choose from {', '.join(SYMXAI_PAIR_SCORES)}"
        )
    if peers:
        from symxai.evaluation.peer_run import check_peer_names

        check_peer_names(peers)
    domain = get_domain(domain_name)
    loaded, model_name = _resolve_model(domain, model, featurizer)
    backend = backend or domain.backends[0]
    target = default_target_of(domain, loaded, model_name) if target is None else target
    decide = isinstance(target, str) and target == DECISION
    if decide:
        target = domain.default_target()[1]
        if not (isinstance(target, tuple) and len(target) == 2):
            raise ValueError(
                f"target {DECISION!r} needs a logit difference (i, j) as the {domain.name} "
                f"domain's default target, not {target!r}"
            )
    records = _select_records(domain.load_inputs(data), limit, inputs, data)
    runner = _peer_runner(domain, data, records, peers, seed)
    builders = _ordering_builders(domain, repeats, seed, greedy_step)
    rows: list[dict[str, Any]] = []
    values: dict[str, dict[str, list[np.ndarray]]] = {o: {k: [] for k in KINDS} for o in orderings}
    methods = _MethodRows(points)
    errors: dict[str, str] = {}
    fractions = np.linspace(0.0, 1.0, points)

    def explain(prepared: Any, name: str, explained: Any = target) -> Explanation:
        return domain.explain(
            prepared,
            loaded,
            backend=name,
            target=explained,
            missing="absent",
            perturbation=perturbation,
        )

    if runner is not None and runner.needs_training:
        if fit_inputs is None:
            fit_inputs = [domain.load_input(data, record) for record in records]
            source = "the evaluated inputs"
        else:
            source = "fit_inputs"
        runner.fit(loaded, fit_inputs, target, source)
    for record in records:
        try:
            prepared = domain.load_input(data, record)
            started = time.process_time()
            explained = target
            explainer = explain(prepared, backend)
            if decide and explainer.prediction < 0:  # the model decides for class j
                explained = (target[1], target[0])
                explainer = explain(prepared, backend, explained)
            relevance = _feature_relevance(domain, explainer)
            explain_seconds = time.process_time() - started
            removal = (
                explainer
                if backend == "perturbation"
                else explain(prepared, "perturbation", explained)
            )
            measured: dict[str, tuple[Any, ...]] = {}
            for name in orderings:
                started = time.process_time()
                ordering = builders[name](explainer, removal)
                seconds = time.process_time() - started
                measured[name] = perturbation_curves(removal, ordering, points=points)
                for curve in measured[name]:
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
                            "target": explainer.metadata.get("target"),
                        }
                    )
                    values[name][curve.kind].append(curve.values)
            truth = domain.ground_truth(data, record, prepared)
            labels = _truth_parts(truth)
            pairs = _truth_pairs(truth)
            first_order = measured.get("first-order")
            for pair_score in symxai_pair_scores:
                mine = symxai_scores(explainer, relevance, pairs, explain_seconds, pair_score)
                first_order = methods.add(str(record.id), mine, removal, labels, first_order)
        except (SymxaiError, ValueError) as error:
            errors[str(record.id)] = f"{type(error).__name__}: {error}"
            continue
        for name in runner.names if runner is not None else ():
            try:
                scores = runner.scores(name, loaded, prepared, explainer, removal, explained, pairs)
                methods.add(str(record.id), scores, removal, labels)
            except Exception as error:  # a peer's own failure is recorded, the run goes on
                errors[f"{record.id} ({name})"] = f"{type(error).__name__}: {error}"
    return EvaluationResult(
        table=pd.DataFrame(rows, columns=TABLE_COLUMNS),
        fractions=fractions,
        curves={
            name: {kind: _mean_curve(curves, points) for kind, curves in by_kind.items()}
            for name, by_kind in values.items()
        },
        curve_errors={
            name: {kind: _standard_error(curves, points) for kind, curves in by_kind.items()}
            for name, by_kind in values.items()
        },
        errors=errors,
        settings={
            "domain": domain.name,
            "data": data,
            "model": model_name,
            "backend": backend,
            "perturbation": perturbation,
            "target": DECISION
            if decide
            else (list(target) if isinstance(target, tuple) else target),
            "target_name": " or ".join(dict.fromkeys(filter(None, (r["target"] for r in rows))))
            or None,
            "orderings": list(orderings),
            "peers": list(peers),
            "points": points,
            "seed": seed,
            "repeats": repeats,
            "greedy_step": greedy_step,
            "symxai_pair_scores": list(symxai_pair_scores),
            "inputs": len(records),
            "limit": limit,
            "input_ids": None if inputs is None else [str(name) for name in inputs],
            "notes": list(runner.notes) if runner is not None else [],
        },
        methods=methods.table(),
        method_ground_truth=methods.ground_truth(),
        method_curves=methods.mean_curves(),
    )


def _select_records(
    records: list[Any], limit: int | None, inputs: Sequence[str] | None, data: str
) -> list[Any]:
    """The records named by ``inputs`` (in that order), else the first ``limit``."""
    if inputs is None:
        return records[:limit] if limit else records
    by_id = {str(record.id): record for record in records}
    missing = [str(name) for name in inputs if str(name) not in by_id]
    if missing:
        shown = ", ".join(list(by_id)[:5]) + (", ..." if len(by_id) > 5 else "")
        raise ValueError(f"{data} has no input {missing[0]!r}; its ids are {shown}")
    return [by_id[str(name)] for name in inputs]


def _finite_curves(curves: list[np.ndarray], points: int) -> np.ndarray:
    return np.array([c for c in curves if not np.isnan(c).any()]).reshape(-1, points)


def _mean_curve(curves: list[np.ndarray], points: int) -> np.ndarray:
    stacked = _finite_curves(curves, points)
    return stacked.mean(axis=0) if stacked.shape[0] else np.full(points, np.nan)


def _standard_error(curves: list[np.ndarray], points: int) -> np.ndarray:
    """Standard error of the mean curve, ``std (ddof=1) / sqrt(m)`` over the ``m`` finite
    curves (0 for one curve, NaN for none)."""
    stacked = _finite_curves(curves, points)
    if stacked.shape[0] < 2:
        return np.zeros(points) if stacked.shape[0] else np.full(points, np.nan)
    return stacked.std(axis=0, ddof=1) / np.sqrt(stacked.shape[0])
