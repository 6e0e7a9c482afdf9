"""Cell-data loaders: a synthetic cohort written in each layout (cell table as Parquet
and CSV, the xCG parquet layout with WKB points, AnnData ``.h5ad`` per the on-disk
spec, an in-memory AnnData-like object) reads back identically, and every bad input
gives a CellDataError naming the file, column, row or image."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import h5py
import numpy as np
import pandas as pd
import pytest

from symxai.data.cells import (
    CellDataError,
    Cohort,
    read_anndata,
    read_cell_table,
    read_xcg_layout,
    synthetic_cohort,
    write_anndata,
    write_cell_table,
    write_xcg_layout,
)
from symxai.data.cells.wkb import decode_points, encode_points


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return synthetic_cohort(n_patients=6, cells_per_core=200, seed=2)


def assert_same_cohort(expected: Cohort, loaded: Cohort) -> None:
    assert [t.image_id for t in loaded.tissues] == [t.image_id for t in expected.tissues]
    for want, got in zip(expected.tissues, loaded.tissues, strict=True):
        assert got.patient_id == want.patient_id
        assert np.array_equal(got.positions, want.positions)
        assert np.array_equal(got.phenotypes, want.phenotypes)
        assert got.vocabulary == want.vocabulary
    pd.testing.assert_frame_equal(loaded.clinical, expected.clinical.reset_index(drop=True))
    assert loaded.dropped == {}


def cell_frame(cohort: Cohort) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        pd.DataFrame(
            {
                "image_id": t.image_id,
                "x": t.positions[:, 0],
                "y": t.positions[:, 1],
                "phenotype": t.phenotype_names(),
            }
        )
        for t in cohort.tissues
    ]
    return pd.concat(rows, ignore_index=True), cohort.clinical.copy()


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_cell_table_round_trip(cohort: Cohort, tmp_path: Path, file_format: str) -> None:
    cells, clinical = write_cell_table(cohort, tmp_path, file_format)
    assert cells.name == f"cells.{file_format}"
    assert_same_cohort(cohort, read_cell_table(cells, clinical))


def test_xcg_layout_round_trip(cohort: Cohort, tmp_path: Path) -> None:
    write_xcg_layout(cohort, tmp_path)
    spot = pd.read_parquet(tmp_path / "raw_points" / "core_000.parquet")
    assert "geometry" in spot and spot["Treg"].dtype == bool and "Non-Cl Mo" in spot
    metadata = pd.read_parquet(tmp_path / "metadata" / "patient_metadata.parquet")
    assert {"OS_M", "OS_EVENT", "STAGE_3+"} <= set(metadata.columns)
    assert_same_cohort(cohort, read_xcg_layout(tmp_path))


def test_xcg_spot_with_xy_columns_and_nullable_alias_flags(cohort: Cohort, tmp_path: Path) -> None:
    write_xcg_layout(cohort, tmp_path)
    tissue = cohort.tissues[0]
    flags = {
        name.replace(" ", "_").replace("-", "_"): pd.array(tissue.phenotypes == code, "boolean")
        for code, name in enumerate(tissue.vocabulary)
    }
    frame = pd.DataFrame(
        {**flags, "x": tissue.positions[:, 0], "y": tissue.positions[:, 1], "cell_id": 7}
    )
    frame.to_parquet(tmp_path / "raw_points" / f"{tissue.image_id}.parquet")
    assert_same_cohort(cohort, read_xcg_layout(tmp_path))


def test_wkb_points_round_trip_both_byte_orders_and_ewkb() -> None:
    points = np.random.default_rng(0).uniform(-500, 500, size=(50, 2))
    encoded = encode_points(points)
    assert all(len(value) == 21 and value[:5] == b"\x01\x01\x00\x00\x00" for value in encoded)
    assert np.array_equal(decode_points(encoded), points)
    big = b"\x00\x00\x00\x00\x01" + np.array([1.5, -2.25], dtype=">f8").tobytes()
    ewkb = (
        b"\x01"
        + np.array([0x20000001, 4326], dtype="<u4").tobytes()
        + np.array([3.0, 4.0]).tobytes()
    )
    assert np.array_equal(decode_points([big, ewkb]), [[1.5, -2.25], [3.0, 4.0]])
    line = b"\x01\x02\x00\x00\x00" + bytes(16)
    with pytest.raises(
        CellDataError, match="row 1 holds a WKB geometry of type 0x2, not a 2-D POINT"
    ):
        decode_points([encoded[0], line])
    with pytest.raises(CellDataError, match="row 0 is not a 2-D WKB point"):
        decode_points([b"\x01\x01"])


def test_h5ad_round_trip_follows_the_anndata_spec(cohort: Cohort, tmp_path: Path) -> None:
    path = write_anndata(cohort, tmp_path / "cohort.h5ad")
    with h5py.File(path) as handle:
        assert handle.attrs["encoding-type"] == "anndata"
        assert handle["obs"].attrs["encoding-type"] == "dataframe"
        assert handle["obs/cell_type"].attrs["encoding-type"] == "categorical"
        assert handle["obs/cell_type/codes"].shape == (cohort.n_cells,)
        assert handle["obsm/spatial"].shape == (cohort.n_cells, 2)
    assert_same_cohort(cohort, read_anndata(path))


def test_hand_written_h5ad_with_library_id_and_a_clinical_table(
    cohort: Cohort, tmp_path: Path
) -> None:
    tissue = cohort.tissues[1]
    path = tmp_path / "one.h5ad"
    names = tissue.phenotype_names()
    categories = sorted(set(names))
    with h5py.File(path, "w") as handle:
        obs = handle.create_group("obs")
        obs.attrs.update(
            {"encoding-type": "dataframe", "encoding-version": "0.2.0", "_index": "cell"}
        )
        obs.attrs["column-order"] = ["celltype", "library_id"]
        obs.create_dataset("cell", data=[f"c{i}".encode() for i in range(tissue.n_cells)])
        group = obs.create_group("celltype")
        group.attrs.update(
            {"encoding-type": "categorical", "encoding-version": "0.2.0", "ordered": False}
        )
        group.create_dataset("categories", data=categories, dtype=h5py.string_dtype())
        group.create_dataset(
            "codes", data=np.array([categories.index(n) for n in names], dtype=np.int8)
        )
        obs.create_dataset(
            "library_id", data=[tissue.image_id] * tissue.n_cells, dtype=h5py.string_dtype()
        )
        handle.create_group("obsm").create_dataset(
            "spatial", data=np.column_stack([tissue.positions, np.zeros(tissue.n_cells)])
        )
    clinical = cohort.clinical[cohort.clinical["image_id"] == tissue.image_id]
    loaded = read_anndata(path, cell_type_key="celltype", clinical=clinical)
    assert np.array_equal(loaded.tissues[0].positions, tissue.positions)
    assert np.array_equal(loaded.tissues[0].phenotypes, tissue.phenotypes)
    bare = read_anndata(path, cell_type_key="celltype")
    assert bare.clinical["os_months"].isna().all() and bare.clinical["event"].isna().all()
    assert bare.clinical["patient_id"].tolist() == [tissue.image_id]


def test_in_memory_anndata_like_object(cohort: Cohort) -> None:
    cells, clinical = cell_frame(cohort)
    obs = pd.DataFrame(
        {"cell_type": pd.Categorical(cells["phenotype"]), "image_id": cells["image_id"]}
    )
    adata = SimpleNamespace(obs=obs, obsm={"spatial": cells[["x", "y"]].to_numpy()})
    assert_same_cohort(cohort, read_anndata(adata, clinical=clinical))
    with pytest.raises(CellDataError, match="not AnnData-like"):
        read_anndata(object())


# --- bad inputs -------------------------------------------------------------------------


def write_pair(tmp_path: Path, cells: pd.DataFrame, clinical: pd.DataFrame) -> tuple[Path, Path]:
    cells.to_csv(tmp_path / "cells.csv", index=False)
    clinical.to_parquet(tmp_path / "clinical.parquet", index=False)
    return tmp_path / "cells.csv", tmp_path / "clinical.parquet"


def test_cell_table_missing_columns(cohort: Cohort, tmp_path: Path) -> None:
    cells, clinical = cell_frame(cohort)
    paths = write_pair(tmp_path, cells.drop(columns="phenotype"), clinical)
    with pytest.raises(
        CellDataError, match=r"cells.csv: missing column 'phenotype'; found 'image_id'"
    ):
        read_cell_table(*paths)
    paths = write_pair(tmp_path, cells, clinical.drop(columns=["event", "stage"]))
    with pytest.raises(CellDataError, match=r"clinical.parquet: missing columns 'event', 'stage'"):
        read_cell_table(*paths)


def test_cell_table_unknown_phenotype_names_rows_and_suggests(
    cohort: Cohort, tmp_path: Path
) -> None:
    cells, clinical = cell_frame(cohort)
    cells.loc[[3, 9], "phenotype"] = "Tregs"
    with pytest.raises(
        CellDataError,
        match=r"cells.csv: column 'phenotype', line 5, line 11 \(2 cell\(s\)\): "
        r"unknown phenotype 'Tregs'; did you mean 'Treg'",
    ):
        read_cell_table(*write_pair(tmp_path, cells, clinical))
    cells.loc[[3, 9], "phenotype"] = "B_cell"
    loaded = read_cell_table(*write_pair(tmp_path, cells, clinical))
    assert loaded.tissues[0].phenotype_names()[3] == "B cell"


def test_cell_table_nan_coordinates_and_duplicates(cohort: Cohort, tmp_path: Path) -> None:
    cells, clinical = cell_frame(cohort)
    broken = cells.copy()
    broken.loc[4, "y"] = np.nan
    with pytest.raises(
        CellDataError,
        match=r"NaN or infinite coordinate in column 'y' at line 6 \(image 'core_000'\)",
    ):
        read_cell_table(*write_pair(tmp_path, broken, clinical))
    duplicated = pd.concat([cells, cells.iloc[[7]]], ignore_index=True)
    with pytest.raises(
        CellDataError,
        match=r"duplicate cells \(same image and position\) at line 9, line .*image 'core_000'",
    ):
        read_cell_table(*write_pair(tmp_path, duplicated, clinical))


def test_images_without_clinical_rows_and_empty_images(cohort: Cohort, tmp_path: Path) -> None:
    cells, clinical = cell_frame(cohort)
    paths = write_pair(tmp_path, cells, clinical.iloc[1:])
    with pytest.raises(
        CellDataError, match=r"1 image\(s\) have no row in .*clinical.parquet, e.g. 'core_000'"
    ):
        read_cell_table(*paths)
    loaded = read_cell_table(*paths, unmatched="drop")
    first = cohort.tissues[0]
    assert loaded.dropped == {
        "images without a clinical row": 1,
        "cells of images without a clinical row": first.n_cells,
    }
    assert len(loaded) == len(cohort) - 1
    paths = write_pair(tmp_path, cells[cells["image_id"] != first.image_id], clinical)
    with pytest.raises(
        CellDataError, match=r"no cells in .*cells.csv \(empty images\), e.g. 'core_000'"
    ):
        read_cell_table(*paths)
    assert read_cell_table(*paths, unmatched="drop").dropped == {
        "empty images (clinical rows without cells)": 1
    }


def test_clinical_values_are_checked(cohort: Cohort, tmp_path: Path) -> None:
    cells, clinical = cell_frame(cohort)
    empty = clinical.copy()
    empty.loc[2, "os_months"] = np.nan
    with pytest.raises(CellDataError, match="column 'os_months' is empty at row 2"):
        read_cell_table(*write_pair(tmp_path, cells, empty))
    repeated = pd.concat([clinical, clinical.iloc[[0]]], ignore_index=True)
    with pytest.raises(CellDataError, match="image 'core_000' has more than one clinical row"):
        read_cell_table(*write_pair(tmp_path, cells, repeated))
    with pytest.raises(CellDataError, match="unknown table format"):
        read_cell_table(tmp_path / "cells.xlsx", tmp_path / "clinical.parquet")


def test_xcg_layout_bad_inputs(cohort: Cohort, tmp_path: Path) -> None:
    write_xcg_layout(cohort, tmp_path)
    spot = tmp_path / "raw_points" / "core_001.parquet"
    original = pd.read_parquet(spot)
    renamed = original.rename(columns={"Treg": "Tregs"})
    renamed.to_parquet(spot)
    with pytest.raises(
        CellDataError,
        match=r"core_001.parquet: column 'Tregs': unknown phenotype 'Tregs'; did you mean 'Treg'",
    ):
        read_xcg_layout(tmp_path)
    doubled = original.copy()
    flags = [column for column in doubled.columns if doubled[column].dtype == bool]
    doubled.loc[5, flags] = False
    doubled.loc[5, ["Cancer", "Tc"]] = True
    doubled.to_parquet(spot)
    with pytest.raises(
        CellDataError,
        match=r"core_001.parquet: row 5 \(image 'core_001'\) has 2 phenotype columns set",
    ):
        read_xcg_layout(tmp_path)
    original.iloc[:0].to_parquet(spot)
    with pytest.raises(
        CellDataError, match=r"core_001.parquet: image 'core_001' has no cells \(empty image\)"
    ):
        read_xcg_layout(tmp_path)
    original.drop(columns="geometry").to_parquet(spot)
    with pytest.raises(CellDataError, match="missing column 'geometry'"):
        read_xcg_layout(tmp_path)
    spot.unlink()
    with pytest.raises(
        CellDataError, match=r"no cells in .*raw_points \(empty images\), e.g. 'core_001'"
    ):
        read_xcg_layout(tmp_path)
    assert read_xcg_layout(tmp_path, unmatched="drop").dropped == {
        "empty images (clinical rows without cells)": 1
    }
    metadata_path = tmp_path / "metadata" / "patient_metadata.parquet"
    pd.read_parquet(metadata_path).drop(columns="OS_M").to_parquet(metadata_path)
    with pytest.raises(CellDataError, match=r"patient_metadata.parquet: missing column 'OS_M'"):
        read_xcg_layout(tmp_path)
    with pytest.raises(CellDataError, match="not an xCG layout"):
        read_xcg_layout(tmp_path / "raw_points")


def test_xcg_layout_nan_and_duplicate_positions(cohort: Cohort, tmp_path: Path) -> None:
    write_xcg_layout(cohort, tmp_path)
    spot = tmp_path / "raw_points" / "core_002.parquet"
    frame = pd.read_parquet(spot)
    frame["geometry"] = encode_points(np.array([[0.0, 1.0]] * len(frame)))
    frame.to_parquet(spot)
    with pytest.raises(
        CellDataError, match=r"core_002.parquet: duplicate cells .* at row 0, row 1, row 2 and"
    ):
        read_xcg_layout(tmp_path)
    frame["geometry"] = encode_points(
        np.column_stack([np.arange(len(frame)), np.full(len(frame), np.nan)])
    )
    frame.to_parquet(spot)
    with pytest.raises(
        CellDataError, match=r"core_002.parquet: NaN or infinite coordinate in column 'y' at row 0"
    ):
        read_xcg_layout(tmp_path)


def test_anndata_bad_inputs(cohort: Cohort, tmp_path: Path) -> None:
    cells, clinical = cell_frame(cohort)
    obs = pd.DataFrame({"cell_type": cells["phenotype"], "image_id": cells["image_id"]})
    spatial = cells[["x", "y"]].to_numpy()
    with pytest.raises(CellDataError, match="obs: missing column 'phenotype'"):
        read_anndata(SimpleNamespace(obs=obs, obsm={"spatial": spatial}), cell_type_key="phenotype")
    with pytest.raises(CellDataError, match=r"missing obsm\['xy'\]"):
        read_anndata(SimpleNamespace(obs=obs, obsm={"spatial": spatial}), spatial_key="xy")
    bad = obs.copy()
    bad.loc[11, "cell_type"] = "Cancr"
    with pytest.raises(
        CellDataError, match=r"column 'cell_type', obs row 11 .*did you mean 'Cancer'"
    ):
        read_anndata(SimpleNamespace(obs=bad, obsm={"spatial": spatial}), clinical=clinical)
    nan = spatial.copy()
    nan[3, 0] = np.nan
    with pytest.raises(CellDataError, match=r"column 'x' at obs row 3 \(cell '3'\)"):
        read_anndata(SimpleNamespace(obs=obs, obsm={"spatial": nan}), clinical=clinical)
    with pytest.raises(CellDataError, match="not an HDF5"):
        (tmp_path / "x.h5ad").write_text("text")
        read_anndata(tmp_path / "x.h5ad")
    varying = obs.assign(os_months=np.arange(len(obs)), event=True, stage=0)
    with pytest.raises(
        CellDataError, match="obs column 'os_months' takes more than one value in image 'core_000'"
    ):
        read_anndata(SimpleNamespace(obs=varying, obsm={"spatial": spatial}))
