"""The resumable store of a batch run: an append-only journal of rows and failures.

``<output>/rows.jsonl`` gets one JSON line per (input, query) row as soon as a chunk
finishes (flushed and fsynced), ``<output>/failures.jsonl`` one line per failed input,
``<output>/run.json`` the spec's fingerprint and settings. A re-run reads the journal,
skips every input whose rows are all there and explains only the rest; a line cut off
by an interruption is dropped, and rows are keyed by ``(input, query)`` so that no row
is ever written twice into the final tables. Failed inputs are tried again on a re-run.

Every journal row carries, besides the table's columns, the ``definition`` of its query
(a hash of its canonical formula, mode, context and shapley set, from
:meth:`~symxai.report.spec.ReportSpec.query_definitions`) and a ``checksum`` (SHA-256 of
the row's other fields). On resume every row is validated against :data:`ROW_SCHEMA`:
a row with a wrong type, an infinite number, a missing field or a checksum that does
not match (a hand-edited value) is invalid; a row whose definition differs from the
spec's (a query whose formula changed under the same name) is stale. Neither counts as
written: their inputs are explained again, the journal is rewritten without them, and
:attr:`RunStore.check` says what was found. While a run is open the folder is locked
(:mod:`symxai.report.lock`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from symxai.errors import SymxaiError
from symxai.report.lock import FolderLock

__all__ = [
    "JOURNAL_COLUMNS",
    "ROW_SCHEMA",
    "TABLE_COLUMNS",
    "JournalCheck",
    "OutputFolderError",
    "ResumeError",
    "RunStore",
    "row_checksum",
    "validate_row",
]

#: Columns of a journal row (without its ``definition`` and ``checksum``).
JOURNAL_COLUMNS = ("input", "query", "formula", "relevance", "mode", "prediction", "label")

#: Columns of the tidy table: the journal's and ``target``, the explained output's name
#: (the same for every row of a run; the fingerprint fixes it, so the journal does not
#: store it and journals written before the column existed resume unchanged).
TABLE_COLUMNS = (*JOURNAL_COLUMNS, "target")

#: Field -> allowed JSON types of a journal row (``float`` fields: finite or NaN).
ROW_SCHEMA: dict[str, tuple[type, ...]] = {
    "input": (str,),
    "query": (str,),
    "formula": (str,),
    "relevance": (float,),
    "mode": (str,),
    "prediction": (float,),
    "label": (type(None), int, float, str),
    "definition": (str,),
    "checksum": (str,),
}


class ResumeError(SymxaiError, ValueError):
    """The output folder holds rows of a different run (another model, data or mode)."""


class OutputFolderError(SymxaiError, OSError):
    """The output folder cannot be used: it is a file or a device, or it is not writable."""


@dataclass
class JournalCheck:
    """What resuming found in the journal: ``invalid`` rows (``line N: reason``) and
    ``stale`` rows (query name -> inputs whose row was written for another definition
    of the query); the inputs of both are explained again."""

    invalid: list[str] = field(default_factory=list)
    stale: dict[str, set[str]] = field(default_factory=dict)
    inputs: set[str] = field(default_factory=set)

    def messages(self) -> list[str]:
        """One line per finding, for the command line."""
        out = []
        if self.invalid:
            shown = "; ".join(self.invalid[:3]) + ("; ..." if len(self.invalid) > 3 else "")
            out.append(
                f"{len(self.invalid)} journal row(s) failed validation and their inputs are "
                f"explained again ({shown})"
            )
        for query, inputs in sorted(self.stale.items()):
            out.append(
                f"query {query!r} changed since its rows were written: "
                f"{len(inputs)} input(s) explained again"
            )
        return out


def row_checksum(row: Mapping[str, Any]) -> str:
    """SHA-256 (hex, 16 digits) of a row's fields other than ``checksum``."""
    content = {key: value for key, value in row.items() if key != "checksum"}
    text = json.dumps(content, sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def validate_row(row: Any) -> str | None:
    """Why a journal row is invalid (``None`` when it is valid)."""
    if not isinstance(row, dict):
        return f"not a JSON object but {type(row).__name__}"
    missing = [key for key in ROW_SCHEMA if key not in row]
    if missing:
        return f"missing {', '.join(missing)}"
    extra = sorted(set(row) - set(ROW_SCHEMA))
    if extra:
        return f"unknown field(s) {', '.join(extra)}"
    for key, types in ROW_SCHEMA.items():
        value = row[key]
        if isinstance(value, bool) or not isinstance(value, types):
            expected = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            return f"{key} must be {expected}, got {value!r}"
        if isinstance(value, float) and math.isinf(value):
            return f"{key} must be finite or NaN, got {value!r}"
    if row["checksum"] != row_checksum(row):
        return "checksum does not match its content (edited by hand?)"
    return None


class RunStore:
    """Journal files of one output folder (see the module docstring).

    ``definitions`` maps every query name of the spec to its definition hash; rows of
    these queries with another definition are stale.
    """

    def __init__(
        self,
        folder: Path,
        fingerprint: str,
        description: dict[str, Any],
        definitions: Mapping[str, str] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.rows_path = self.folder / "rows.jsonl"
        self.failures_path = self.folder / "failures.jsonl"
        self.run_path = self.folder / "run.json"
        self.fingerprint = fingerprint
        self.description = description
        self.definitions = dict(definitions or {})
        self.check = JournalCheck()
        self._lock = FolderLock(self.folder)
        self._kept: list[dict[str, Any]] | None = None

    # -------------------------------------------------------------- opening
    def open(self, *, overwrite: bool = False) -> None:
        """Create and lock the folder; refuse to mix with rows of another run unless
        ``overwrite``; validate the journal (see the module docstring)."""
        self._prepare_folder()
        self._lock.acquire()
        try:
            self._open(overwrite)
        except BaseException:
            self._lock.release()
            raise

    def close(self) -> None:
        """Release the folder's lock."""
        self._lock.release()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _prepare_folder(self) -> None:
        folder = self.folder
        if folder.exists() and not folder.is_dir():
            kind = "a file" if folder.is_file() else "not a folder (a device or special file)"
            raise OutputFolderError(f"output folder {folder} is {kind}; choose a folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputFolderError(
                f"cannot create output folder {folder}: {error.strerror or error}"
            ) from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputFolderError(f"output folder {folder} is not writable")
        try:
            probe = folder / f".symxai.write-test.{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise OutputFolderError(
                f"output folder {folder} is not writable: {error.strerror or error}"
            ) from None

    def _open(self, overwrite: bool) -> None:
        if overwrite:
            for path in (self.rows_path, self.failures_path, self.run_path):
                path.unlink(missing_ok=True)
        if self.run_path.is_file() and self.rows_path.is_file():
            previous = _json_file(self.run_path)
            if previous.get("fingerprint") != self.fingerprint:
                changed = _differences(previous.get("settings"), self.description.get("settings"))
                raise ResumeError(
                    f"{self.folder} holds rows of another run ({changed}); "
                    "choose another output folder or pass --overwrite"
                )
        self.run_path.write_text(
            json.dumps({"fingerprint": self.fingerprint, **self.description}, indent=2, default=str)
        )
        self._repair(self.rows_path)
        self._repair(self.failures_path)
        self.failures_path.unlink(missing_ok=True)
        self._load()

    @staticmethod
    def _repair(path: Path) -> None:
        """Cut a last line that an interruption left without its newline."""
        if not path.is_file():
            return
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            path.write_bytes(data[: data.rfind(b"\n") + 1])

    def _load(self) -> None:
        """Read and validate the journal; rewrite it without invalid and stale rows."""
        kept: list[dict[str, Any]] = []
        check = JournalCheck()
        dropped = False
        if self.rows_path.is_file():
            with self.rows_path.open(encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        row = line.strip()[:40]
                        reason: str | None = "not valid JSON"
                    else:
                        reason = validate_row(row)
                    if reason is not None:
                        check.invalid.append(f"line {number}: {reason}")
                        if isinstance(row, dict) and isinstance(row.get("input"), str):
                            check.inputs.add(row["input"])
                        dropped = True
                        continue
                    current = self.definitions.get(row["query"])
                    if current is not None and row["definition"] != current:
                        check.stale.setdefault(row["query"], set()).add(row["input"])
                        check.inputs.add(row["input"])
                        dropped = True
                        continue
                    kept.append(row)
        if dropped:
            temporary = self.rows_path.with_suffix(".jsonl.tmp")
            temporary.unlink(missing_ok=True)
            self._append(temporary, kept)
            temporary.touch()
            os.replace(temporary, self.rows_path)
        self.check = check
        self._kept = kept

    # -------------------------------------------------------------- reading
    @staticmethod
    def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
        frame = pd.DataFrame(rows, columns=list(JOURNAL_COLUMNS))
        if frame.empty:
            return frame
        frame = frame.drop_duplicates(subset=["input", "query"], keep="last")
        return frame.reset_index(drop=True)

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
        """All valid, current rows written so far, one per ``(input, query)`` (the last
        one wins)."""
        if self._kept is None:
            self._load()
        return self._frame(self._kept or [])

    def failures(self) -> pd.DataFrame:
        """Inputs that failed in this run: ``input`` and ``error``."""
        return pd.DataFrame(list(self._lines(self.failures_path)), columns=["input", "error"])

    def finished(self, queries: Sequence[str]) -> set[str]:
        """Inputs whose rows for every query in ``queries`` are written (and valid)."""
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
        """Write the rows (with their query's definition and a checksum) and failures of
        one finished chunk."""
        stamped = []
        for row in rows:
            row = {key: _plain_value(value) for key, value in row.items()}
            row["definition"] = self.definitions.get(row["query"], "")
            row["checksum"] = row_checksum(row)
            stamped.append(row)
        self._append(self.rows_path, stamped)
        self._append(self.failures_path, failures)
        if self._kept is not None:
            self._kept += stamped


def _json_file(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _differences(previous: Any, current: Any) -> str:
    """The settings that differ between the earlier run and this one, in words."""
    changed = []
    if isinstance(previous, dict) and isinstance(current, dict):
        changed = [
            f"{key} {previous.get(key)!r} then, {value!r} now"
            for key, value in current.items()
            if json.dumps(previous.get(key), default=str) != json.dumps(value, default=str)
        ]
    return "; ".join(changed) or "different domain, data, model, backend, target or mode"


def _plain_value(value: Any) -> Any:
    """Numpy scalars as Python numbers (so the checksum sees what JSON will hold)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _plain(value: Any) -> Any:
    """JSON for numpy scalars."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)
