"""The preprocessed layout of the xCG LUAD data (read and written here from its
description; no code of the xCG repository is used).

::

    folder/
      raw_points/<spot>.parquet           one row per cell
      metadata/patient_metadata.parquet   one row per patient
      metadata/case_spot_mapping.parquet  patient <-> spot

A spot file holds one boolean column per phenotype (named by the phenotype, an alias or
a spelling variant; exactly one True per row) and the cell centroid either as a
``geometry`` column of WKB/EWKB 2-D points (GeoParquet's encoding, see
:mod:`~symxai.data.cells.wkb`) or as float columns ``x`` and ``y`` (µm; preferred when
both are present). Other non-boolean columns are ignored. The patient metadata holds
``OS_M`` (months), ``OS_EVENT`` (bool or 0/1) and ``STAGE_3+`` (bool or 0/1, read as the
integer stage) and a patient key; the mapping holds the patient key and the spot key.
Patient keys are read from the first column present among :data:`PATIENT_KEYS` (else
a named index), spot keys from :data:`SPOT_KEYS`.
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
    require_columns,
)
from symxai.data.cells.errors import CellDataError
from symxai.data.cells.phenotypes import LUAD_PHENOTYPES, resolve_phenotype
from symxai.data.cells.tissue import Cohort
from symxai.data.cells.wkb import decode_points, encode_points

__all__ = ["PATIENT_KEYS", "SPOT_KEYS", "read_xcg_layout", "write_xcg_layout"]

PATIENT_KEYS: tuple[str, ...] = ("case_id", "patient_id", "case", "patient", "Patient_ID")
SPOT_KEYS: tuple[str, ...] = ("spot_id", "spot", "image_id", "core_id", "spot_name")
_CLINICAL = ("OS_M", "OS_EVENT", "STAGE_3+")


def _row(row: int) -> str:
    return f"row {row}"


def _key(frame: pd.DataFrame, keys: tuple[str, ...], source: str, what: str) -> pd.Series:
    for key in keys:
        if key in frame.columns:
            return frame[key].astype(str).reset_index(drop=True)
    if frame.index.name is not None:
        return pd.Series(frame.index.astype(str), name=frame.index.name)
    raise CellDataError(
        f"{source}: no {what} column; expected one of "
        + ", ".join(repr(key) for key in keys)
        + "; found "
        + (", ".join(repr(str(column)) for column in frame.columns) or "no columns")
    )


def _read_spot(path: Path, vocabulary: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_parquet(path)
    source = str(path)
    spot = path.stem
    if len(frame) == 0:
        raise CellDataError(f"{source}: image {spot!r} has no cells (empty image)")
    if {"x", "y"} <= set(frame.columns):
        x, y = frame["x"], frame["y"]
    elif "geometry" in frame.columns:
        points = decode_points(list(frame["geometry"]), f"{source}: column 'geometry'")
        x, y = points[:, 0], points[:, 1]
    else:
        raise CellDataError(
            f"{source}: missing column 'geometry' (WKB points) or columns 'x' and 'y'"
        )
    images = np.full(len(frame), spot, dtype=object)
    positions = check_coordinates(x, y, images, source, _row)
    flags = [column for column in frame.columns if pd.api.types.is_bool_dtype(frame[column].dtype)]
    if not flags:
        raise CellDataError(f"{source}: no boolean phenotype columns")
    lookup = {member: index for index, member in enumerate(vocabulary)}
    column_codes = []
    for column in flags:
        try:
            column_codes.append(lookup[resolve_phenotype(str(column), vocabulary)])
        except CellDataError as error:
            raise CellDataError(f"{source}: column {str(column)!r}: {error}") from None
    matrix = frame[flags].fillna(False).to_numpy(dtype=bool)
    per_row = matrix.sum(axis=1)
    bad = np.flatnonzero(per_row != 1)
    if len(bad):
        raise CellDataError(
            f"{source}: row {bad[0]} (image {spot!r}) has {per_row[bad[0]]} phenotype "
            f"columns set; each cell needs exactly one ({len(bad)} row(s) affected)"
        )
    codes = np.asarray(column_codes, dtype=np.int64)[matrix.argmax(axis=1)]
    check_duplicates(images, positions, source, _row)
    return positions, codes


def read_xcg_layout(
    folder: str | Path, vocabulary: tuple[str, ...] = LUAD_PHENOTYPES, unmatched: str = "raise"
) -> Cohort:
    """A cohort from the xCG layout in ``folder`` (module text); errors as in
    :func:`~symxai.data.cells.cell_table.read_cell_table`. Tissues follow the order of
    the case-spot mapping."""
    folder = Path(folder)
    raw = folder / "raw_points"
    metadata_path = folder / "metadata" / "patient_metadata.parquet"
    mapping_path = folder / "metadata" / "case_spot_mapping.parquet"
    for path in (raw, metadata_path, mapping_path):
        if not path.exists():
            raise CellDataError(f"{folder}: not an xCG layout, {path} is missing")
    images = {path.stem: _read_spot(path, vocabulary) for path in sorted(raw.glob("*.parquet"))}
    metadata = pd.read_parquet(metadata_path)
    require_columns(metadata, _CLINICAL, str(metadata_path))
    patients = _key(metadata, PATIENT_KEYS, str(metadata_path), "patient key")
    if patients.duplicated().any():
        raise CellDataError(
            f"{metadata_path}: patient {patients[patients.duplicated()].iloc[0]!r} has "
            "more than one row"
        )
    mapping = pd.read_parquet(mapping_path)
    mapped_patients = _key(mapping, PATIENT_KEYS, str(mapping_path), "patient key")
    spots = _key(mapping, SPOT_KEYS, str(mapping_path), "spot key")
    position = pd.Series(np.arange(len(patients)), index=patients.to_numpy())
    unknown = np.flatnonzero(~mapped_patients.isin(position.index).to_numpy())
    if len(unknown):
        raise CellDataError(
            f"{mapping_path}: row {unknown[0]} names patient {mapped_patients[unknown[0]]!r}, "
            f"which has no row in {metadata_path}"
        )
    rows = metadata.reset_index(drop=True).iloc[position[mapped_patients].to_numpy()]
    clinical = pd.DataFrame(
        {
            "patient_id": mapped_patients.to_numpy(),
            "image_id": spots.to_numpy(),
            "os_months": rows["OS_M"].to_numpy(),
            "event": rows["OS_EVENT"].to_numpy(),
            "stage": rows["STAGE_3+"].to_numpy(),
        }
    )
    clinical = check_clinical(
        clinical, f"{mapping_path} joined with {metadata_path}", lambda row: f"mapping row {row}"
    )
    return assemble_cohort(images, clinical, vocabulary, str(raw), str(mapping_path), unmatched)


def _stage_3_plus(stage: np.ndarray) -> np.ndarray:
    """``STAGE_3+`` from a stage column: 0/1 values are already that flag; any other
    integers are read as ordinal stages (I = 1 ... IV = 4) and flagged when >= 3."""
    stage = np.asarray(stage, dtype=np.int64)
    return stage == 1 if set(np.unique(stage)) <= {0, 1} else stage >= 3


def write_xcg_layout(cohort: Cohort, folder: str | Path) -> Path:
    """Write ``cohort`` in the xCG layout under ``folder`` (geometry as WKB points);
    each patient's metadata is taken from its first clinical row, ``STAGE_3+`` as in
    :func:`_stage_3_plus`. Returns ``folder``."""
    folder = Path(folder)
    (folder / "raw_points").mkdir(parents=True, exist_ok=True)
    (folder / "metadata").mkdir(parents=True, exist_ok=True)
    for tissue in cohort.tissues:
        if "/" in tissue.image_id or "\\" in tissue.image_id:
            raise CellDataError(f"image id {tissue.image_id!r} cannot name a file")
        flags = {name: tissue.phenotypes == code for code, name in enumerate(tissue.vocabulary)}
        frame = pd.DataFrame({**flags, "geometry": encode_points(tissue.positions)})
        frame.to_parquet(folder / "raw_points" / f"{tissue.image_id}.parquet", index=False)
    clinical = cohort.clinical
    patients = clinical.drop_duplicates("patient_id")
    pd.DataFrame(
        {
            "case_id": patients["patient_id"].to_numpy(),
            "OS_M": patients["os_months"].to_numpy(dtype=float),
            "OS_EVENT": patients["event"].to_numpy(dtype=bool),
            "STAGE_3+": _stage_3_plus(patients["stage"].to_numpy()),
        }
    ).to_parquet(folder / "metadata" / "patient_metadata.parquet", index=False)
    pd.DataFrame(
        {"case_id": clinical["patient_id"].to_numpy(), "spot_id": clinical["image_id"].to_numpy()}
    ).to_parquet(folder / "metadata" / "case_spot_mapping.parquet", index=False)
    return folder
