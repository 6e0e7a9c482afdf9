"""The batch runner: many inputs x many queries, resumable, in chunks on an executor.

:func:`run_report` explains every input of a spec's data set, scores every query on
it, and writes

* ``relevance.csv`` / ``relevance.parquet`` / ``relevance.jsonl``: the tidy table, one
  row per (input, query) with ``input, query, formula, relevance, mode, prediction,
  label, target`` (``target``: the explained output by name, ``mutagen - nonmutagen``,
  ``logS``; :meth:`~symxai.report.tasks.ReportTask.target_label`);
* ``failures.csv``: the inputs that could not be explained, and why;
* ``report.html``: the self-contained HTML page (:mod:`symxai.report.html`).

All value calls of one input go to the backend in one batch (molecules: all inputs of a
chunk together). Rows are journaled as chunks finish (:mod:`symxai.report.store`), so an
interrupted run loses at most the chunks in flight and a re-run continues where it
stopped; a failing input is recorded and the run goes on. Rows of a query whose
definition changed, and rows that fail validation, are explained again
(:attr:`ReportResult.check`). The output folder is locked while the run is open.

Configuration errors that would fail every input (a target out of range, a model file
that is not a model) are raised once before the run starts
(:meth:`~symxai.report.tasks.ReportTask.check_model`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from symxai.report.executors import make_executor
from symxai.report.spec import ReportSpec
from symxai.report.store import TABLE_COLUMNS, JournalCheck, RunStore
from symxai.report.tasks import ChunkResult, ReportTask, make_task, run_chunk

__all__ = ["ReportResult", "run_report", "write_tables"]


@dataclass
class ReportResult:
    """What a run produced: the tidy table, the failures, the files written, and how many
    inputs this run explained (``computed``) or found already written (``skipped``)."""

    output: Path
    table: pd.DataFrame
    failures: pd.DataFrame
    computed: list[str] = field(default_factory=list)
    skipped: int = 0
    seconds: float = 0.0
    files: dict[str, Path] = field(default_factory=dict)
    task: ReportTask | None = None
    check: JournalCheck = field(default_factory=JournalCheck)

    @property
    def all_failed(self) -> bool:
        """Whether the run has inputs and every one of them failed."""
        return self.table.empty and not self.failures.empty


class _Progress:
    """A rich progress bar on stderr (or nothing)."""

    def __init__(self, enabled: bool, total: int, description: str) -> None:
        self._bar: Any = None
        if enabled and total:
            from symxai.progress import progress_bar

            self._bar = progress_bar()
            self._task = self._bar.add_task(description, total=total)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def run_report(
    spec: ReportSpec,
    *,
    executor: str = "auto",
    workers: int | None = None,
    scheduler: Any = None,
    scheduler_timeout: float = 10.0,
    progress: bool | None = None,
    overwrite: bool = False,
    on_chunk: Callable[[list[str], ChunkResult], None] | None = None,
) -> ReportResult:
    """Run (or resume) the batch report of ``spec``; see the module docstring.

    Parameters
    ----------
    executor:
        ``auto``, ``serial``, ``processes`` or ``dask`` (:mod:`symxai.report.executors`).
    workers:
        Local worker processes (default: the number of cores).
    scheduler:
        Dask scheduler address ``tcp://host:port`` or a ``distributed.Client``.
    scheduler_timeout:
        Seconds to wait for the Dask scheduler to answer before giving up.
    progress:
        Show a progress bar on stderr (default: when stderr is a terminal).
    overwrite:
        Discard the rows of a previous run in the output folder instead of resuming.
    on_chunk:
        Called after every chunk is written, with its inputs and result.
    """
    start = time.perf_counter()
    task = make_task(spec)
    task.check_model()
    defaults = {"model": task.model_name, "backend": task.backend, "target": task.target}
    store = RunStore(
        spec.output,
        spec.fingerprint(**defaults),
        spec.describe() | {"settings": spec.settings(**defaults)},
        spec.query_definitions(),
    )
    store.open(overwrite=overwrite)
    try:
        return _run(
            spec,
            task,
            store,
            start,
            executor,
            workers,
            scheduler,
            scheduler_timeout,
            progress,
            on_chunk,
        )
    finally:
        store.close()


def _run(
    spec: ReportSpec,
    task: ReportTask,
    store: RunStore,
    start: float,
    executor: str,
    workers: int | None,
    scheduler: Any,
    scheduler_timeout: float,
    progress: bool | None,
    on_chunk: Callable[[list[str], ChunkResult], None] | None,
) -> ReportResult:
    names = [query.name for query in spec.queries]
    records = task.inputs()
    done = store.finished(names)
    todo = [record.id for record in records if record.id not in done]
    chunks = [todo[i : i + spec.chunk_size] for i in range(0, len(todo), spec.chunk_size)]
    computed: list[str] = []
    if chunks:
        pool = make_executor(
            executor,
            workers=workers,
            scheduler=scheduler,
            scheduler_timeout=scheduler_timeout,
            chunks=len(chunks),
        )
        show = sys.stderr.isatty() if progress is None else progress
        try:
            with _Progress(show, len(todo), f"{spec.domain}: {len(names)} queries") as bar:
                for chunk, result in pool.map(run_chunk, task, chunks):
                    if isinstance(result, BaseException):
                        error = f"{type(result).__name__}: {result}"
                        result = ChunkResult(failures=[{"input": i, "error": error} for i in chunk])
                    store.append(result.rows, result.failures)
                    computed += list(chunk)
                    bar.advance(len(chunk))
                    if on_chunk is not None:
                        on_chunk(list(chunk), result)
        finally:
            pool.close()
    table = _ordered(store.rows(), [r.id for r in records], names, task.target_label())
    failures = store.failures()
    files = write_tables(table, failures, spec)
    result = ReportResult(
        output=spec.output,
        table=table,
        failures=failures,
        computed=computed,
        skipped=len(done & {r.id for r in records}),
        seconds=time.perf_counter() - start,
        files=files,
        task=task,
        check=store.check,
    )
    if "html" in spec.formats:
        from symxai.report.html import write_html

        files["html"] = write_html(task, table, failures, spec.output / "report.html")
    return result


def _ordered(
    frame: pd.DataFrame, inputs: list[str], queries: list[str], target: str
) -> pd.DataFrame:
    """Rows of this spec's inputs and queries, in data-set order then query order, with
    the run's ``target`` name in every row."""
    if frame.empty:
        return pd.DataFrame(columns=list(TABLE_COLUMNS))
    frame = frame[frame["input"].isin(inputs) & frame["query"].isin(queries)].copy()
    frame["target"] = target
    frame["_input"] = frame["input"].map({name: i for i, name in enumerate(inputs)})
    frame["_query"] = frame["query"].map({name: i for i, name in enumerate(queries)})
    frame = frame.sort_values(["_input", "_query"]).drop(columns=["_input", "_query"])
    return frame.reset_index(drop=True)[list(TABLE_COLUMNS)]


def write_tables(table: pd.DataFrame, failures: pd.DataFrame, spec: ReportSpec) -> dict[str, Path]:
    """Write the tidy table in the spec's formats, and the failures when there are any."""
    files: dict[str, Path] = {}
    folder = spec.output
    out = table.copy()
    out["label"] = out["label"].map(lambda v: None if v is None or pd.isna(v) else str(v))
    if "csv" in spec.formats:
        files["csv"] = folder / "relevance.csv"
        out.to_csv(files["csv"], index=False)
    if "parquet" in spec.formats:
        files["parquet"] = folder / "relevance.parquet"
        out.to_parquet(files["parquet"], index=False)
    if "jsonl" in spec.formats:
        files["jsonl"] = folder / "relevance.jsonl"
        out.to_json(files["jsonl"], orient="records", lines=True, double_precision=15)
    failed = folder / "failures.csv"
    failed.unlink(missing_ok=True)
    if not failures.empty:
        failures.to_csv(failed, index=False)
        files["failures"] = failed
    return files
