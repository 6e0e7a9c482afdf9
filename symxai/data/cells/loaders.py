"""Readers and writers of cell data in one place: the cell-table layout
(:mod:`~symxai.data.cells.cell_table`), the xCG parquet layout
(:mod:`~symxai.data.cells.xcg_layout`) and AnnData (:mod:`~symxai.data.cells.h5ad`)."""

from symxai.data.cells.cell_table import read_cell_table, write_cell_table
from symxai.data.cells.h5ad import read_anndata, write_anndata
from symxai.data.cells.xcg_layout import read_xcg_layout, write_xcg_layout

__all__ = [
    "read_anndata",
    "read_cell_table",
    "read_xcg_layout",
    "write_anndata",
    "write_cell_table",
    "write_xcg_layout",
]
