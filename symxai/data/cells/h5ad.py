"""AnnData input without the ``anndata`` package (it pins pandas < 3): ``.h5ad`` files
read with h5py following the AnnData on-disk format, and in-memory AnnData-like objects
by duck typing (anything with an ``obs`` DataFrame and an ``obsm`` mapping).

On disk (AnnData format 0.1, dataframe encoding 0.2): ``obs`` is a group with the
attributes ``encoding-type = "dataframe"``, ``_index`` (the index dataset's name) and
``column-order``; each column is a dataset (numbers, booleans, strings), a categorical
group (``categories`` + integer ``codes``, -1 = missing) or a nullable group
(``values`` + ``mask``). ``obsm/<spatial_key>`` is an ``(n, >= 2)`` dataset whose
first two columns are the centroid in µm. The legacy layout with ``obs`` stored as one
compound dataset is refused with a clear message.

Per cell, ``obs[cell_type_key]`` names the phenotype and ``obs[image_key]`` the image;
without an image key the columns :data:`IMAGE_KEYS` are tried, and failing those the
whole object is one image (named by the file stem, or ``image_0``). Survival comes from
``clinical`` (a table path or DataFrame with the clinical columns) or from per-cell
obs columns ``os_months``, ``event``, ``stage`` (and ``patient_id``), constant within
an image; without either, ``os_months`` is NaN, ``event`` and ``stage`` are missing
(nullable dtypes) and each image is its own patient.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
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
from symxai.data.cells.cell_table import split_by_image
from symxai.data.cells.errors import CellDataError
from symxai.data.cells.phenotypes import LUAD_PHENOTYPES
from symxai.data.cells.tables import read_table
from symxai.data.cells.tissue import CLINICAL_COLUMNS, Cohort

__all__ = ["IMAGE_KEYS", "read_anndata", "read_h5ad_obs", "write_anndata"]

IMAGE_KEYS: tuple[str, ...] = ("image_id", "library_id", "sample_id", "spot_id", "fov", "sample")
_SURVIVAL = ("os_months", "event", "stage")


def _strings(dataset: h5py.Dataset) -> np.ndarray:
    values = dataset[()]
    if values.dtype.kind in ("S", "O"):
        return np.array(
            [
                value.decode() if isinstance(value, bytes) else str(value)
                for value in values.ravel()
            ],
            dtype=object,
        ).reshape(values.shape)
    return values


def _column(node: h5py.Group | h5py.Dataset, source: str) -> Any:
    if isinstance(node, h5py.Dataset):
        return _strings(node)
    kind = node.attrs.get("encoding-type", "")
    if kind == "categorical":
        categories = _strings(node["categories"])
        return pd.Categorical.from_codes(
            node["codes"][()].astype(np.int64), categories=pd.Index(categories)
        )
    if kind in ("nullable-integer", "nullable-boolean", "nullable-string-array"):
        values = pd.array(_strings(node["values"]), dtype=object)
        values[node["mask"][()].astype(bool)] = None
        return values
    raise CellDataError(f"{source}: column encoding {kind!r} is not supported")


def read_h5ad_obs(
    path: str | Path, spatial_key: str = "spatial"
) -> tuple[pd.DataFrame, np.ndarray]:
    """``obs`` as a DataFrame and ``obsm[spatial_key]`` as an array, read with h5py."""
    path = Path(path)
    if not path.is_file():
        raise CellDataError(f"{path}: no such file")
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise CellDataError(f"{path}: not an HDF5 (.h5ad) file ({error})") from None
    with handle:
        if "obs" not in handle:
            raise CellDataError(f"{path}: no 'obs' group; not an AnnData file")
        obs = handle["obs"]
        if not isinstance(obs, h5py.Group):
            raise CellDataError(
                f"{path}: 'obs' is a compound dataset (the legacy AnnData layout before "
                "0.7); rewrite the file with a current anndata"
            )
        index_name = obs.attrs.get("_index", "_index")
        order = [str(name) for name in obs.attrs.get("column-order", [])] or [
            name for name in obs if name != index_name
        ]
        columns = {name: _column(obs[name], f"{path}: obs/{name}") for name in order}
        index = _strings(obs[index_name]) if index_name in obs else None
        frame = pd.DataFrame(columns, index=None if index is None else pd.Index(index))
        if "obsm" not in handle or spatial_key not in handle["obsm"]:
            raise CellDataError(f"{path}: missing obsm[{spatial_key!r}] (cell coordinates)")
        spatial = handle["obsm"][spatial_key]
        if not isinstance(spatial, h5py.Dataset):
            raise CellDataError(f"{path}: obsm[{spatial_key!r}] must be an array")
        return frame, np.asarray(spatial[()])


def _survival_from_obs(obs: pd.DataFrame, images: np.ndarray, source: str) -> pd.DataFrame:
    per_cell = pd.DataFrame({"image_id": images})
    for column in ("patient_id", *_SURVIVAL):
        if column in obs.columns:
            per_cell[column] = obs[column].to_numpy()
    if "patient_id" not in per_cell:
        per_cell["patient_id"] = images
    grouped = per_cell.groupby("image_id", sort=False)
    varying = [column for column in per_cell.columns if (grouped[column].nunique() > 1).any()]
    if varying:
        image = grouped[varying[0]].nunique().gt(1).idxmax()
        raise CellDataError(
            f"{source}: obs column {varying[0]!r} takes more than one value in image {image!r}"
        )
    first = grouped.first().reset_index()
    if all(column in first for column in _SURVIVAL):
        return check_clinical(
            first, f"{source}: obs", lambda row: f"image {first['image_id'][row]!r}"
        )
    return pd.DataFrame(
        {
            "patient_id": first["patient_id"].astype(str),
            "image_id": first["image_id"].astype(str),
            "os_months": np.full(len(first), np.nan),
            "event": pd.array([pd.NA] * len(first), dtype="boolean"),
            "stage": pd.array([pd.NA] * len(first), dtype="Int64"),
        }
    )


def read_anndata(
    path_or_obj: str | Path | Any,
    cell_type_key: str = "cell_type",
    spatial_key: str = "spatial",
    image_key: str | None = None,
    clinical: str | Path | pd.DataFrame | None = None,
    vocabulary: tuple[str, ...] = LUAD_PHENOTYPES,
    unmatched: str = "raise",
) -> Cohort:
    """A cohort from an ``.h5ad`` file or an AnnData-like object (module text); errors
    as in :func:`~symxai.data.cells.cell_table.read_cell_table`."""
    if isinstance(path_or_obj, str | Path):
        source = str(path_or_obj)
        obs, spatial = read_h5ad_obs(path_or_obj, spatial_key)
        default_image = Path(path_or_obj).stem
    else:
        source = type(path_or_obj).__name__
        if not hasattr(path_or_obj, "obs") or not hasattr(path_or_obj, "obsm"):
            raise CellDataError(f"{source}: not AnnData-like (needs .obs and .obsm)")
        obs = pd.DataFrame(path_or_obj.obs)
        if spatial_key not in path_or_obj.obsm:
            raise CellDataError(f"{source}: missing obsm[{spatial_key!r}] (cell coordinates)")
        spatial = np.asarray(path_or_obj.obsm[spatial_key])
        default_image = "image_0"
    require_columns(obs, [cell_type_key], f"{source}: obs")
    if spatial.ndim != 2 or spatial.shape[1] < 2 or len(spatial) != len(obs):
        raise CellDataError(
            f"{source}: obsm[{spatial_key!r}] has shape {spatial.shape}; expected "
            f"({len(obs)}, 2) or more columns"
        )
    if image_key is not None:
        require_columns(obs, [image_key], f"{source}: obs")
    else:
        image_key = next((key for key in IMAGE_KEYS if key in obs.columns), None)
    images = (
        obs[image_key].astype(str).to_numpy()
        if image_key is not None
        else np.full(len(obs), default_image, dtype=object)
    )
    labels = obs.index.astype(str)

    def where(row: int) -> str:
        return f"obs row {row} (cell {labels[row]!r})"

    positions = check_coordinates(spatial[:, 0], spatial[:, 1], images, source, where)
    codes = phenotype_codes(obs[cell_type_key], vocabulary, f"{source}: obs", cell_type_key, where)
    check_duplicates(images, positions, source, where)
    if clinical is None:
        table = _survival_from_obs(obs, images, source)
        clinical_source = f"{source}: obs"
    else:
        frame, clinical_where = (
            (clinical, lambda row: f"row {row}")
            if isinstance(clinical, pd.DataFrame)
            else read_table(clinical)
        )
        clinical_source = "clinical table" if isinstance(clinical, pd.DataFrame) else str(clinical)
        table = check_clinical(frame, clinical_source, clinical_where)
    return assemble_cohort(
        split_by_image(images, positions, codes),
        table,
        vocabulary,
        source,
        clinical_source,
        unmatched,
    )


def _attributes(node: h5py.HLObject, kind: str, version: str) -> None:
    node.attrs["encoding-type"] = kind
    node.attrs["encoding-version"] = version


def _write_strings(group: h5py.Group, name: str, values: np.ndarray) -> None:
    dataset = group.create_dataset(
        name, data=np.asarray(values, dtype=object), dtype=h5py.string_dtype()
    )
    _attributes(dataset, "string-array", "0.2.0")


def _write_categorical(
    group: h5py.Group, name: str, codes: np.ndarray, categories: list[str]
) -> None:
    node = group.create_group(name)
    _attributes(node, "categorical", "0.2.0")
    node.attrs["ordered"] = False
    _write_strings(node, "categories", np.asarray(categories, dtype=object))
    _attributes(node.create_dataset("codes", data=codes.astype(np.int16)), "array", "0.2.0")


def write_anndata(cohort: Cohort, path: str | Path) -> Path:
    """Write ``cohort`` as an ``.h5ad`` file per the AnnData on-disk format: obs
    columns ``cell_type`` and ``image_id``/``patient_id`` (categorical), the clinical
    columns per cell, ``obsm/spatial``; no expression matrix (``X`` absent, ``var``
    empty). Returns the path."""
    path = Path(path)
    tissues = cohort.tissues
    sizes = np.array([tissue.n_cells for tissue in tissues])
    per_image = cohort.clinical.set_index("image_id").loc[[tissue.image_id for tissue in tissues]]
    image_codes = np.repeat(np.arange(len(tissues)), sizes)
    vocabulary = list(tissues[0].vocabulary) if tissues else list(LUAD_PHENOTYPES)
    with h5py.File(path, "w") as handle:
        _attributes(handle, "anndata", "0.1.0")
        obs = handle.create_group("obs")
        _attributes(obs, "dataframe", "0.2.0")
        obs.attrs["_index"] = "_index"
        columns = ["cell_type", "image_id", "patient_id", *CLINICAL_COLUMNS[2:]]
        obs.attrs["column-order"] = columns
        _write_strings(
            obs,
            "_index",
            np.array(
                [
                    f"{tissue.image_id}:{cell}"
                    for tissue in tissues
                    for cell in range(tissue.n_cells)
                ]
            ),
        )
        _write_categorical(
            obs, "cell_type", np.concatenate([t.phenotypes for t in tissues]), vocabulary
        )
        _write_categorical(obs, "image_id", image_codes, [tissue.image_id for tissue in tissues])
        patients = list(dict.fromkeys(per_image["patient_id"]))
        patient_code = {patient: code for code, patient in enumerate(patients)}
        _write_categorical(
            obs,
            "patient_id",
            np.array([patient_code[p] for p in per_image["patient_id"]])[image_codes],
            patients,
        )
        for column in CLINICAL_COLUMNS[2:]:
            values = per_image[column].to_numpy()[image_codes]
            _attributes(obs.create_dataset(column, data=values), "array", "0.2.0")
        obsm = handle.create_group("obsm")
        _attributes(obsm, "dict", "0.1.0")
        spatial = np.concatenate([tissue.positions for tissue in tissues])
        _attributes(obsm.create_dataset("spatial", data=spatial), "array", "0.2.0")
        var = handle.create_group("var")
        _attributes(var, "dataframe", "0.2.0")
        var.attrs["_index"] = "_index"
        var.attrs["column-order"] = np.array([], dtype=h5py.string_dtype())
        _write_strings(var, "_index", np.array([], dtype=object))
        for name in ("obsp", "varm", "varp", "layers", "uns"):
            _attributes(handle.create_group(name), "dict", "0.1.0")
    return path
