"""Checks shared by the cell-data readers and the assembly of a :class:`Cohort` from
validated cells and a clinical table.

Every problem raises :class:`CellDataError` naming the file, the column, the row and the
image; the only inputs left out on request (``unmatched="drop"``) are images without a
clinical row and clinical rows without cells, and each is counted in
``Cohort.dropped``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from symxai.data.cells.errors import CellDataError
from symxai.data.cells.phenotypes import resolve_phenotype
from symxai.data.cells.tissue import CLINICAL_COLUMNS, Cohort, Tissue

__all__ = [
    "Where",
    "assemble_cohort",
    "check_clinical",
    "check_coordinates",
    "check_duplicates",
    "phenotype_codes",
    "require_columns",
]

Where = Callable[[int], str]
"""Row position (0-based, in the frame as read) -> how to name it (``row 3``, ``line 5``)."""

UNMATCHED = ("raise", "drop")


def _rows(where: Where, positions: np.ndarray, limit: int = 3) -> str:
    named = ", ".join(where(int(row)) for row in positions[:limit])
    more = len(positions) - limit
    return named + (f" and {more} more" if more > 0 else "")


def require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Raise when ``frame`` lacks any of ``columns``; the message lists what is there."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise CellDataError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(column) for column in missing)
            + "; found "
            + (", ".join(repr(str(column)) for column in frame.columns) or "no columns")
        )


def check_coordinates(
    x: np.ndarray, y: np.ndarray, images: np.ndarray, source: str, where: Where
) -> np.ndarray:
    """``(n, 2)`` float64 positions; NaN or infinite coordinates raise, naming rows."""
    positions = np.column_stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)])
    bad = np.flatnonzero(~np.isfinite(positions).all(axis=1))
    if len(bad):
        column = "x" if not np.isfinite(positions[bad[0], 0]) else "y"
        raise CellDataError(
            f"{source}: NaN or infinite coordinate in column {column!r} at "
            f"{_rows(where, bad)} (image {images[bad[0]]!r}); {len(bad)} cell(s) affected"
        )
    return positions


def phenotype_codes(
    names: pd.Series, vocabulary: Sequence[str], source: str, column: str, where: Where
) -> np.ndarray:
    """Index in ``vocabulary`` of each cell's phenotype name (aliases and spelling
    variants resolved by :func:`resolve_phenotype`); unknown or missing names raise."""
    values = names.to_numpy(dtype=object)
    missing = np.flatnonzero(pd.isna(values))
    if len(missing):
        raise CellDataError(
            f"{source}: column {column!r} has no phenotype at {_rows(where, missing)}"
        )
    unique, inverse = np.unique(values.astype(str), return_inverse=True)
    lookup = {member: index for index, member in enumerate(vocabulary)}
    codes = np.empty(len(unique), dtype=np.int64)
    for position, name in enumerate(unique):
        try:
            codes[position] = lookup[resolve_phenotype(str(name), vocabulary)]
        except CellDataError as error:
            rows = np.flatnonzero(inverse == position)
            raise CellDataError(
                f"{source}: column {column!r}, {_rows(where, rows)} ({len(rows)} cell(s)): {error}"
            ) from None
    return codes[inverse]


def check_duplicates(images: np.ndarray, positions: np.ndarray, source: str, where: Where) -> None:
    """Raise when two cells of one image share a position."""
    frame = pd.DataFrame({"image": images, "x": positions[:, 0], "y": positions[:, 1]})
    duplicated = np.flatnonzero(frame.duplicated(keep=False).to_numpy())
    if len(duplicated):
        first = duplicated[0]
        raise CellDataError(
            f"{source}: duplicate cells (same image and position) at {_rows(where, duplicated)}: "
            f"image {images[first]!r}, x={positions[first, 0]:g}, y={positions[first, 1]:g}"
        )


def check_clinical(clinical: pd.DataFrame, source: str, where: Where) -> pd.DataFrame:
    """The clinical table with :data:`CLINICAL_COLUMNS` typed (ids as str, ``event``
    bool, ``stage`` int); missing columns or values and repeated images raise."""
    require_columns(clinical, CLINICAL_COLUMNS, source)
    table = clinical.loc[:, list(CLINICAL_COLUMNS)].reset_index(drop=True)
    for column in CLINICAL_COLUMNS:
        empty = np.flatnonzero(table[column].isna().to_numpy())
        if len(empty):
            raise CellDataError(f"{source}: column {column!r} is empty at {_rows(where, empty)}")
    repeated = np.flatnonzero(table["image_id"].astype(str).duplicated(keep=False).to_numpy())
    if len(repeated):
        raise CellDataError(
            f"{source}: image {str(table['image_id'][repeated[0]])!r} has more than one "
            f"clinical row ({_rows(where, repeated)})"
        )
    os_months = pd.to_numeric(table["os_months"], errors="coerce")
    if os_months.isna().any():
        row = int(np.flatnonzero(os_months.isna().to_numpy())[0])
        raise CellDataError(f"{source}: column 'os_months' is not a number at {where(row)}")
    stage = table["stage"]
    stage = pd.to_numeric(
        stage.astype(int) if stage.dtype == bool else stage, errors="coerce"
    ).astype(float)
    if stage.isna().any() or (stage != np.round(stage)).any():
        row = int(np.flatnonzero((stage.isna() | (stage != np.round(stage))).to_numpy())[0])
        raise CellDataError(f"{source}: column 'stage' is not an integer at {where(row)}")
    event = table["event"]
    if event.dtype != bool:
        numeric = pd.to_numeric(event, errors="coerce")
        if not numeric.isin([0, 1]).all():
            row = int(np.flatnonzero(~numeric.isin([0, 1]).to_numpy())[0])
            raise CellDataError(f"{source}: column 'event' is not 0/1 or boolean at {where(row)}")
        event = numeric == 1
    return pd.DataFrame(
        {
            "patient_id": table["patient_id"].astype(str),
            "image_id": table["image_id"].astype(str),
            "os_months": os_months.astype(float),
            "event": event.astype(bool),
            "stage": stage.astype(int),
        }
    )


def assemble_cohort(
    images: dict[str, tuple[np.ndarray, np.ndarray]],
    clinical: pd.DataFrame,
    vocabulary: tuple[str, ...],
    cell_source: str,
    clinical_source: str,
    unmatched: str = "raise",
) -> Cohort:
    """A cohort from validated cells per image (id -> positions, phenotype codes) and a
    checked clinical table (:func:`check_clinical`), tissues in clinical order.

    An image with cells but no clinical row, or a clinical row whose image has no cells
    (an empty image), raises with ``unmatched="raise"``; with ``"drop"`` it is left out
    and counted in ``Cohort.dropped``.
    """
    if unmatched not in UNMATCHED:
        raise CellDataError(f"unmatched must be one of {UNMATCHED}, got {unmatched!r}")
    dropped: dict[str, int] = {}
    known = set(clinical["image_id"])
    orphans = [image for image in images if image not in known]
    if orphans:
        if unmatched == "raise":
            raise CellDataError(
                f"{cell_source}: {len(orphans)} image(s) have no row in {clinical_source}, "
                f"e.g. {orphans[0]!r}; pass unmatched='drop' to leave them out (counted)"
            )
        dropped["images without a clinical row"] = len(orphans)
        dropped["cells of images without a clinical row"] = sum(
            len(images[image][1]) for image in orphans
        )
    empty = [image for image in clinical["image_id"] if len(images.get(image, ((), ()))[1]) == 0]
    if empty:
        if unmatched == "raise":
            raise CellDataError(
                f"{clinical_source}: {len(empty)} image(s) have no cells in {cell_source} "
                f"(empty images), e.g. {empty[0]!r}; pass unmatched='drop' to leave them "
                "out (counted)"
            )
        dropped["empty images (clinical rows without cells)"] = len(empty)
        clinical = clinical[~clinical["image_id"].isin(empty)].reset_index(drop=True)
    tissues = [
        Tissue(
            image_id=image,
            patient_id=patient,
            positions=images[image][0],
            phenotypes=images[image][1],
            vocabulary=tuple(vocabulary),
        )
        for image, patient in zip(clinical["image_id"], clinical["patient_id"], strict=True)
    ]
    return Cohort(tissues=tissues, clinical=clinical, truth=None, dropped=dropped)
