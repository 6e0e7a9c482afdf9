"""Report tasks: how a batch run reads the inputs of a domain and explains them.

A :class:`ReportTask` is built from a :class:`~symxai.report.spec.ReportSpec` and the
spec's :class:`~symxai.domains.registry.Domain` (from the domain registry), and holds
only plain data, so it pickles to worker processes and Dask workers; each process loads
the model and the data set once (cached by the domain adapter) on first use. What a
domain's data sets, models and backends are is the adapter's business
(``domain.py`` in each domain package); this module only runs them: one explanation and one
batch of value calls per input, or, for the domain's
:attr:`~symxai.domains.registry.Domain.batched_backends` in harsanyi mode, a chunk of
inputs explained together (:meth:`~symxai.domains.registry.Domain.explain_many`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from symxai.domains.registry import Domain, InputRecord, get_domain
from symxai.errors import SymxaiError, UnknownAtomError
from symxai.explanation import Explanation
from symxai.query.ast import Atom
from symxai.report.queries import NamedQuery, QueryFileError
from symxai.report.spec import ReportSpec, SpecError

__all__ = [
    "ChunkResult",
    "InputRecord",
    "ReportTask",
    "make_task",
    "run_chunk",
]


@dataclass
class ChunkResult:
    """Rows and failures of one chunk of inputs, and the seconds it took."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _atom_error(
    query: NamedQuery, atom: Atom, reason: str, suggestions: Sequence[str]
) -> Exception:
    """An unknown-atom error located in the query file when the line is known."""
    hint = (
        ("; did you mean " + " or ".join(repr(s) for s in suggestions) + "?") if suggestions else ""
    )
    if query.text and atom.span is not None:
        return QueryFileError(
            reason + hint,
            path=query.source,
            line=query.line,
            text=query.text,
            column=query.offset + atom.span[0],
            width=atom.span[1] - atom.span[0],
        )
    return UnknownAtomError(reason, query=query.formula, suggestions=suggestions)


class ReportTask:
    """A domain's inputs, model and explanations for a batch run.

    ``domain`` defaults to the registered domain the spec names; the backend and the
    model default to the domain's first."""

    def __init__(self, spec: ReportSpec, domain: Domain | None = None) -> None:
        self.spec = spec
        self.domain = domain if domain is not None else get_domain(spec.domain)
        if spec.groups is not None:
            self.domain = self.domain.with_groups(spec.groups)
        backends = self.domain.backends
        self.backend = spec.backend or backends[0]
        if self.backend not in backends:
            raise SpecError(
                f"{spec.source}: backend {self.backend!r} is not available for "
                f"{self.domain.name}; choose from {', '.join(backends)}"
            )
        models = self.domain.models
        self.model_name = spec.model or (models[0] if models else "")
        self.model_options = {"featurizer": spec.featurizer} if spec.featurizer else {}
        user_models = bool(getattr(self.domain, "featurizers", ()))
        if (
            self.model_name not in models
            and not Path(self.model_name).is_file()
            and not (user_models and ":" in self.model_name)
        ):
            also = " nor module:function" if user_models else ""
            raise SpecError(
                f"{spec.source}: model {self.model_name!r} is neither a shipped "
                f"{self.domain.name} model ({', '.join(models)}), an existing file{also}"
            )

    @property
    def queries(self) -> list[NamedQuery]:
        return self.spec.queries

    @property
    def perturbation(self) -> str | None:
        """How the perturbation backend removes a feature: the spec's choice, else the
        domain's first (``None`` for a domain without choices)."""
        choices = self.domain.perturbations
        return self.spec.perturbation or (choices[0] if choices else None)

    @property
    def model(self) -> Any:
        """The loaded model (the domain adapter caches it per process)."""
        return self.domain.load_model(self.model_name, **self.model_options)

    def inputs(self) -> list[InputRecord]:
        """All inputs of the data set (after ``limit``), in order."""
        records = self.domain.load_inputs(self.spec.data)
        return records[: self.spec.limit] if self.spec.limit else records

    def explain_text(self, text: str, missing: str | None = None) -> Explanation:
        """The explanation of an input given as text (a SMILES string, a sentence)."""
        return self._explain(self.domain.prepare(text), missing)

    def explanation(self, input_id: str) -> Explanation:
        """The explanation of one input of the data set (for the HTML page and search)."""
        return self._explain(self._prepared(input_id), None)

    def _prepared(self, input_id: str) -> Any:
        return self.domain.load_input(self.spec.data, self.record(input_id))

    def _explain(self, prepared: Any, missing: str | None) -> Explanation:
        return self.domain.explain(
            prepared,
            self.model,
            backend=self.backend,
            target=self.target,
            missing=missing or self.spec.missing,
            perturbation=self.perturbation,
        )

    def dividends_many(self, input_ids: Sequence[str]) -> list[Any] | None:
        """The complete decompositions of the inputs ``input_ids``, computed together by
        the domain (:meth:`~symxai.domains.registry.Domain.dividends_many`), each naming
        its target (:attr:`~symxai.decomposition.Decomposition.target`), or ``None`` when
        the domain cannot (then :meth:`explanation` one by one)."""
        prepared = [self._prepared(input_id) for input_id in input_ids]
        decompositions = self.domain.dividends_many(
            prepared, self.model, backend=self.backend, target=self.target
        )
        if decompositions is not None:
            name = self.target_label()
            for decomposition in decompositions:
                decomposition.target = name
        return decompositions

    def settings(self) -> dict[str, Any]:
        """The resolved model, backend and target (defaults filled in), for display."""
        settings = {
            "model": self.model_name,
            "backend": self.backend,
            "target": self.describe_target(),
        }
        if self.backend == "perturbation" and self.domain.perturbations:
            settings["perturbation"] = self.perturbation
        return settings

    def output_names(self) -> dict[int, str]:
        """Names of the model's outputs (class indices of the target), where known."""
        return self.domain.output_names(self.model_name, **self.model_options)

    def target_label(self) -> str:
        """The explained output by name, as every result names it
        (:func:`~symxai.backends.target.target_name`): ``mutagen - nonmutagen`` for
        ``(0, 1)``, ``logS`` for a regressor's named output, ``task 2`` where an output
        has no name."""
        from symxai.backends.target import target_name  # loads torch

        return target_name(self.target, self._ordered_output_names())

    def _ordered_output_names(self) -> list[str] | None:
        """The output names in output order, ``None`` unless every output 0..k-1 has one."""
        names = self.output_names()
        return (
            [names[i] for i in range(len(names))] if set(names) == set(range(len(names))) else None
        )

    def describe_target(self) -> str:
        """The explained output in words: ``f(mutagen) - f(nonmutagen)`` for ``(0, 1)``,
        ``f(positive)`` for ``1``; ``f_i`` where an output has no name."""
        names = self.output_names()

        def output(index: Any) -> str:
            if index is None:
                return f"f({names[0]})" if len(names) == 1 else "f"
            return f"f({names[index]})" if index in names else f"f_{index}"

        target = self.target
        if isinstance(target, tuple) and len(target) == 2:
            return f"{output(target[0])} - {output(target[1])}"
        return output(target)

    def check_model(self) -> None:
        """Load the model and check the target against its outputs, so that a
        configuration error that would fail every input is raised once, up front."""
        count = self.output_count()
        target = self.target
        if target is None:
            if count not in (None, 1):
                raise SpecError(
                    f"{self.spec.source}: model {self.model_name!r} has {count} outputs: "
                    "give a target (an index, a name or i,j)"
                )
            return
        indices = list(target) if isinstance(target, tuple) else [target]
        if not indices or not all(isinstance(i, int) and not isinstance(i, bool) for i in indices):
            raise SpecError(
                f"{self.spec.source}: target {target!r} must be a class index or two of them"
            )
        if count is None:
            return
        bad = [i for i in indices if not 0 <= i < count]
        if bad:
            raise SpecError(
                f"{self.spec.source}: target {bad[0]} is out of range: model "
                f"{self.model_name!r} has {count} outputs (0..{count - 1})"
            )

    def output_count(self) -> int | None:
        """How many outputs (classes) the model has (loads the model); ``None`` where the
        domain does not know."""
        return self.domain.output_count(self.model)

    def default_target(self) -> tuple[str, Any]:
        """The domain's default target: its name and its value (a logit difference)."""
        return self.domain.default_target()

    @property
    def target(self) -> Any:
        """The spec's target: a class index, ``(i, j)``, or the default by name or omission."""
        name, value = self.default_target()
        target = self.spec.target
        if target is None:
            return self._model_default_target(value)
        if target == name:
            return value
        if isinstance(target, (str, tuple)):
            from symxai.backends.target import resolve_target  # loads torch

            ordered = self._ordered_output_names()
            try:
                return resolve_target(target, ordered, self.output_count() if ordered else None)
            except ValueError as error:
                count = self.output_count()
                default = f"; or {name!r}" if count is None or count >= 2 else ""
                raise SpecError(f"{self.spec.source}: {error}{default}") from None
        return target

    def _model_default_target(self, domain_default: Any) -> Any:
        """The target when the spec gives none: the one the model declares (attribute
        ``default_target``: the shipped property models declare ``None``, their one
        output); for a model that is not shipped and declares none, ``None`` for a model
        with one output (a regressor); else the domain's default. Only domains that take
        users' models with a featurizer (molecules) look at the model."""
        if not getattr(self.domain, "featurizers", ()):
            return domain_default
        model = self.model
        if hasattr(model, "default_target"):
            return model.default_target
        if self.model_name in self.domain.models:
            return domain_default
        return None if self.output_count() == 1 else domain_default

    def check_atoms(self) -> None:
        """Raise for atoms that can match nothing in this domain (before the run starts),
        located in the query file where the query came from one."""
        options = self._atom_options()
        for query in self.queries:
            for atom in query.query.atoms():
                problem = self.domain.check_atom(atom, **options)
                if problem is not None:
                    reason, suggestions = problem
                    raise _atom_error(query, atom, reason, suggestions)

    def _atom_options(self) -> dict[str, Any]:
        """What the domain's atom check needs to know of the model: the featurizer given,
        else the one a model that is not shipped declares (its elements)."""
        if self.model_options or not getattr(self.domain, "featurizers", ()):
            return self.model_options
        if self.model_name in self.domain.models:
            return {}
        declared = getattr(self.model, "featurizer", None)
        return {"featurizer": declared} if isinstance(declared, str) else {}

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        """One relevance per feature, for pictures."""
        return self.domain.feature_relevance(explanation)

    def draw(self, input_id: str, explanation: Explanation, path: Path, legend: str) -> Path:
        """A picture of the input coloured by feature relevance (SVG at ``path``)."""
        return self.domain.draw(explanation, path, legend)

    def class_names(self) -> dict[Any, str]:
        """Human names of the labels."""
        return self.domain.class_names(self.spec.data)

    @functools.cached_property
    def _records(self) -> dict[str, InputRecord]:
        return {record.id: record for record in self.inputs()}

    def record(self, input_id: str) -> InputRecord:
        return self._records[input_id]

    def _rows(
        self, record: InputRecord, relevances: Sequence[float], prediction: float
    ) -> list[dict[str, Any]]:
        return [
            {
                "input": record.id,
                "query": query.name,
                "formula": query.formula,
                "relevance": float(value),
                "mode": self.spec.mode,
                "prediction": float(prediction),
                "label": record.label,
            }
            for query, value in zip(self.queries, relevances, strict=True)
        ]

    def explain_chunk(self, ids: Sequence[str]) -> ChunkResult:
        """Relevance of every query on every input of ``ids``; failures per input."""
        if self.spec.mode == "harsanyi" and self.backend in self.domain.batched_backends:
            return self._explain_together(ids)
        return self._explain_each(ids)

    def _explain_together(self, ids: Sequence[str]) -> ChunkResult:
        """The domain's batched fast path: all inputs of the chunk in one call; an input
        that cannot be prepared fails alone, a failing batch fails its inputs."""
        result = ChunkResult()
        prepared, kept = [], []
        for input_id in ids:
            try:
                prepared.append(self._prepared(input_id))
                kept.append(input_id)
            except (SymxaiError, ValueError) as error:
                result.failures.append(
                    {"input": input_id, "error": f"{type(error).__name__}: {error}"}
                )
        try:
            batch = self.domain.explain_many(
                prepared,
                [query.query for query in self.queries],
                self.model,
                backend=self.backend,
                target=self.target,
                missing=self.spec.missing,
            )
        except Exception as error:  # the batch failed: its inputs fail, the others keep theirs
            message = f"{type(error).__name__}: {error}"
            result.failures += [{"input": input_id, "error": message} for input_id in kept]
            return result
        for position, input_id in enumerate(kept):
            if position in batch.errors:
                result.failures.append({"input": input_id, "error": batch.errors[position]})
                continue
            result.rows += self._rows(
                self.record(input_id), batch.relevance[position], batch.prediction[position]
            )
        return result

    def _explain_each(self, ids: Sequence[str]) -> ChunkResult:
        """One explanation and one batch of value calls per input.

        In shapley mode ``Q`` is the report's queries (``2^k`` value calls for their
        ``k`` distinct atoms) unless the spec asks for the features
        (:meth:`~symxai.report.spec.ReportSpec.query_set`)."""
        result = ChunkResult()
        formulas = [query.query for query in self.queries]
        shared = formulas if self.spec.query_set() is not None else None
        for input_id in ids:
            try:
                explanation = self.explanation(input_id)
                values = explanation.relevances(
                    formulas, mode=self.spec.mode, missing=self.spec.missing, query_set=shared
                )
                result.rows += self._rows(
                    self.record(input_id),
                    values.to_numpy(),
                    float(explanation.prediction or np.nan),
                )
            except (SymxaiError, ValueError, RuntimeError) as error:
                result.failures.append(
                    {"input": input_id, "error": f"{type(error).__name__}: {error}"}
                )
        return result


def make_task(spec: ReportSpec) -> ReportTask:
    """The task of the spec's domain (checks backend, model and query atoms)."""
    task = ReportTask(spec)
    task.check_atoms()
    _ = task.target
    return task


def run_chunk(task: ReportTask, ids: Sequence[str], threads: int | None = None) -> ChunkResult:
    """Explain one chunk (what executors run; module level so that it pickles).

    An error that escapes the task fails every input of the chunk, recorded, not raised.
    """
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    start = time.perf_counter()
    try:
        result = task.explain_chunk(ids)
    except Exception as error:
        result = ChunkResult(
            failures=[{"input": i, "error": f"{type(error).__name__}: {error}"} for i in ids]
        )
    result.seconds = time.perf_counter() - start
    return result
