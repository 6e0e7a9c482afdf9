"""Reading and writing one table file (CSV or Parquet) with row names for errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from symxai.data.cells.assembly import Where
from symxai.data.cells.errors import CellDataError

__all__ = ["read_table", "table_format", "write_table"]

_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}


def table_format(path: Path) -> str:
    """``csv``, ``tsv`` or ``parquet`` from the file suffix (``.gz`` allowed for text)."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz", ".zst"):
        suffixes = suffixes[:-1]
    kind = _FORMATS.get(suffixes[-1]) if suffixes else None
    if kind is None:
        raise CellDataError(f"{path}: unknown table format; use .csv, .tsv or .parquet")
    return kind


def read_table(path: str | Path) -> tuple[pd.DataFrame, Where]:
    """The table at ``path`` and how to name its rows: ``line N`` of a text file (the
    header is line 1), ``row N`` (0-based) of a Parquet file."""
    path = Path(path)
    kind = table_format(path)
    if not path.is_file():
        raise CellDataError(f"{path}: no such file")
    if kind == "parquet":
        return pd.read_parquet(path), lambda row: f"row {row}"
    separator = "\t" if kind == "tsv" else ","
    frame = pd.read_csv(path, sep=separator)
    return frame, lambda row: f"line {row + 2}"


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` (no index) in the format of ``path``'s suffix."""
    kind = table_format(path)
    if kind == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, sep="\t" if kind == "tsv" else ",", index=False)
    return path
