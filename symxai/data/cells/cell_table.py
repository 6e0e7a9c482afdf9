"""The cell-table layout: one table of cells and one clinical table (CSV, TSV or
Parquet).

Cells: ``image_id``, ``x``, ``y`` (centroid in µm), ``phenotype`` (a name of the
vocabulary, an alias such as ``B_cell`` or a spelling that differs only in case or in
spaces/hyphens/underscores). Clinical, one row per image: ``patient_id``, ``image_id``,
``os_months``, ``event`` (bool or 0/1), ``stage`` (integer). Cells keep their file
order within an image; tissues follow the clinical table's order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from symxai.data.cells.assembly import (
    assemble_cohort,
    check_clinical,
    check_coordinates,
    check_duplicates,
    phenotype_codes,
    require_columns,
)
from symxai.data.cells.phenotypes import LUAD_PHENOTYPES
from symxai.data.cells.tables import read_table, write_table
from symxai.data.cells.tissue import Cohort

__all__ = ["CELL_COLUMNS", "read_cell_table", "write_cell_table"]

CELL_COLUMNS: tuple[str, ...] = ("image_id", "x", "y", "phenotype")


def split_by_image(
    images: np.ndarray, positions: np.ndarray, codes: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Image id -> (positions, codes) of its cells, in row order, images in first-seen order."""
    order = np.argsort(images, kind="stable")
    unique, starts = np.unique(images[order], return_index=True)
    bounds = [*starts[1:], len(order)]
    pieces = {
        str(image): (positions[order[start:end]], codes[order[start:end]])
        for image, start, end in zip(unique, starts, bounds, strict=True)
    }
    first_seen = pd.unique(images)
    return {str(image): pieces[str(image)] for image in first_seen}


def read_cell_table(
    cells_path: str | Path,
    clinical_path: str | Path,
    vocabulary: tuple[str, ...] = LUAD_PHENOTYPES,
    unmatched: str = "raise",
) -> Cohort:
    """A cohort from a cell table and a clinical table (layout in the module text).

    Raises :class:`~symxai.data.cells.errors.CellDataError`, naming file, column, row
    and image, for missing columns, unknown phenotypes (with suggestions), NaN
    coordinates, duplicate cells, images without a clinical row and clinical rows
    without cells (``unmatched="drop"`` leaves the last two out, counted in
    ``Cohort.dropped``).
    """
    cells, where = read_table(cells_path)
    source = str(cells_path)
    require_columns(cells, CELL_COLUMNS, source)
    images = cells["image_id"].astype(str).to_numpy()
    positions = check_coordinates(cells["x"], cells["y"], images, source, where)
    codes = phenotype_codes(cells["phenotype"], vocabulary, source, "phenotype", where)
    check_duplicates(images, positions, source, where)
    clinical_frame, clinical_where = read_table(clinical_path)
    clinical = check_clinical(clinical_frame, str(clinical_path), clinical_where)
    return assemble_cohort(
        split_by_image(images, positions, codes),
        clinical,
        vocabulary,
        source,
        str(clinical_path),
        unmatched,
    )


def write_cell_table(
    cohort: Cohort, folder: str | Path, file_format: str = "parquet"
) -> tuple[Path, Path]:
    """Write ``cohort`` as ``cells.<ext>`` and ``clinical.<ext>`` in ``folder``
    (``file_format`` ``parquet`` or ``csv``); returns both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cells = pd.DataFrame(
        {
            "image_id": np.concatenate(
                [
                    np.full(tissue.n_cells, tissue.image_id, dtype=object)
                    for tissue in cohort.tissues
                ]
            ),
            "x": np.concatenate([tissue.positions[:, 0] for tissue in cohort.tissues]),
            "y": np.concatenate([tissue.positions[:, 1] for tissue in cohort.tissues]),
            "phenotype": np.concatenate([tissue.phenotype_names() for tissue in cohort.tissues]),
        }
    )
    return (
        write_table(cells, folder / f"cells.{file_format}"),
        write_table(
            cohort.clinical.loc[:, ["patient_id", "image_id", "os_months", "event", "stage"]],
            folder / f"clinical.{file_format}",
        ),
    )
