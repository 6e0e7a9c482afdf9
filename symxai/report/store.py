"""The resumable store of a batch run: an append-only journal of rows and failures.

``<output>/rows.jsonl`` gets one JSON line per (input, query) row as soon as a chunk
finishes (flushed and fsynced), ``<output>/failures.jsonl`` one line per failed input,
``<output>/run.json`` the spec's fingerprint. A re-run reads the journal, skips every
input whose rows are all there and explains only the rest; a line cut off by an
interruption is dropped, and rows are keyed by ``(input, query)`` so that no row is ever
written twice into the final tables. Failed inputs are tried again on a re-run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from symxai.errors import SymxaiError

__all__ = ["TABLE_COLUMNS", "ResumeError", "RunStore"]

TABLE_COLUMNS = ("input", "query", "formula", "relevance", "mode", "prediction", "label")


class ResumeError(SymxaiError, ValueError):
    """The output folder holds rows of a different run (another model, data or mode)."""


class RunStore:
    """Journal files of one output folder (see the module docstring)."""

    def __init__(self, folder: Path, fingerprint: str, description: dict[str, Any]) -> None:
        self.folder = Path(folder)
        self.rows_path = self.folder / "rows.jsonl"
        self.failures_path = self.folder / "failures.jsonl"
        self.run_path = self.folder / "run.json"
        self.fingerprint = fingerprint
        self.description = description

    # -------------------------------------------------------------- opening
    def open(self, *, overwrite: bool = False) -> None:
        """Create the folder; refuse to mix with rows of another run unless ``overwrite``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if overwrite:
            for path in (self.rows_path, self.failures_path, self.run_path):
                path.unlink(missing_ok=True)
        if self.run_path.is_file() and self.rows_path.is_file():
            previous = json.loads(self.run_path.read_text()).get("fingerprint")
            if previous != self.fingerprint:
                raise ResumeError(
                    f"{self.folder} holds rows of another run (different domain, data, model, "
                    "backend, target or mode); choose another output folder or pass --overwrite"
                )
        self.run_path.write_text(
            json.dumps({"fingerprint": self.fingerprint, **self.description}, indent=2, default=str)
        )
        self._repair(self.rows_path)
        self._repair(self.failures_path)
        self.failures_path.unlink(missing_ok=True)

    @staticmethod
    def _repair(path: Path) -> None:
        """Cut a last line that an interruption left without its newline."""
        if not path.is_file():
            return
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            path.write_bytes(data[: data.rfind(b"\n") + 1])

    # -------------------------------------------------------------- reading
    @staticmethod
    def _lines(path: Path) -> Iterable[dict[str, Any]]:
        if not path.is_file():
            return
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue

    def rows(self) -> pd.DataFrame:
        """All rows written so far, one per ``(input, query)`` (the last one wins)."""
        frame = pd.DataFrame(list(self._lines(self.rows_path)), columns=list(TABLE_COLUMNS))
        if frame.empty:
            return frame
        frame = frame.drop_duplicates(subset=["input", "query"], keep="last")
        return frame.reset_index(drop=True)

    def failures(self) -> pd.DataFrame:
        """Inputs that failed in this run: ``input`` and ``error``."""
        return pd.DataFrame(list(self._lines(self.failures_path)), columns=["input", "error"])

    def finished(self, queries: Sequence[str]) -> set[str]:
        """Inputs whose rows for every query in ``queries`` are written."""
        frame = self.rows()
        if frame.empty:
            return set()
        frame = frame[frame["query"].isin(list(queries))]
        counts = frame.groupby("input")["query"].nunique()
        return {str(i) for i in counts.index[counts == len(set(queries))]}

    # -------------------------------------------------------------- writing
    @staticmethod
    def _append(path: Path, records: Iterable[dict[str, Any]]) -> None:
        text = "".join(json.dumps(record, default=_plain) + "\n" for record in records)
        if not text:
            return
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())

    def append(self, rows: Iterable[dict[str, Any]], failures: Iterable[dict[str, Any]]) -> None:
        """Write the rows and failures of one finished chunk."""
        self._append(self.rows_path, rows)
        self._append(self.failures_path, failures)


def _plain(value: Any) -> Any:
    """JSON for numpy scalars."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)
