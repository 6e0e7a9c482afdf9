"""Cohorts the cells domain reads: the synthetic LUAD cohort and files in the layouts of
:mod:`symxai.data.cells`.

``data`` is one of

* ``synthetic-luad``: :func:`~symxai.data.cells.synthetic_cohort` with its defaults (416
  patients drawn, about 3,950 cells per core, about 13 s to generate);
  ``synthetic-luad-small``: 40 patients of about 600 cells (for quick looks and tests);
* a cell table (``.csv``/``.tsv``/``.parquet``) with a clinical table beside it
  (``clinical.<same suffix>``), or a folder holding ``cells.*`` and ``clinical.*``
  (what :func:`~symxai.data.cells.write_cell_table` writes);
* a folder in the xCG layout (``raw_points/``, ``metadata/``);
* an AnnData ``.h5ad`` file (survival columns in ``obs``).

Cohorts are cached per process.
"""

from __future__ import annotations

import functools
from pathlib import Path

from symxai.data.cells import (
    CellDataError,
    Cohort,
    read_anndata,
    read_cell_table,
    read_xcg_layout,
    synthetic_cohort,
)

__all__ = ["SYNTHETIC_DATASETS", "load_cohort"]

SYNTHETIC_DATASETS: dict[str, dict[str, int]] = {
    "synthetic-luad": {},
    "synthetic-luad-small": {"n_patients": 40, "cells_per_core": 600},
}
"""Shipped data sets: name -> arguments of :func:`~symxai.data.cells.synthetic_cohort`
(seed 0)."""

_TABLE_SUFFIXES = (".parquet", ".csv", ".tsv")


def _clinical_beside(cells: Path) -> Path:
    for suffix in (cells.suffix, *_TABLE_SUFFIXES):
        candidate = cells.with_name(f"clinical{suffix}")
        if candidate.is_file():
            return candidate
    raise CellDataError(
        f"{cells}: no clinical table beside it (expected clinical{cells.suffix} with "
        "patient_id, image_id, os_months, event, stage)"
    )


@functools.cache
def load_cohort(data: str) -> Cohort:
    """The cohort ``data`` names (see the module docstring); raises
    :class:`~symxai.data.cells.CellDataError` for data it cannot read."""
    if data in SYNTHETIC_DATASETS:
        return synthetic_cohort(**SYNTHETIC_DATASETS[data])
    path = Path(data)
    if path.is_dir():
        if (path / "raw_points").is_dir():
            return read_xcg_layout(path)
        tables = [path / f"cells{suffix}" for suffix in _TABLE_SUFFIXES]
        found = [table for table in tables if table.is_file()]
        if not found:
            raise CellDataError(
                f"{path}: a folder of cell data holds cells.parquet/.csv/.tsv and "
                "clinical.*, or the xCG layout (raw_points/, metadata/)"
            )
        return read_cell_table(found[0], _clinical_beside(found[0]))
    if path.is_file() and path.suffix.lower() == ".h5ad":
        return read_anndata(path)
    if path.is_file() and path.suffix.lower() in _TABLE_SUFFIXES:
        return read_cell_table(path, _clinical_beside(path))
    raise CellDataError(
        f"cell data {data!r} is neither {' nor '.join(SYNTHETIC_DATASETS)} nor a cell table "
        "(.csv/.tsv/.parquet with clinical.* beside it), an xCG layout folder or an .h5ad file"
    )
