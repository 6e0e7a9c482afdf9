"""Cell graphs of imaged tissue (xCG setting): the LUAD phenotype vocabulary, tissue
cores and cohorts, kNN and radius cell graphs, a synthetic cohort with planted motifs,
survival graphs with their fixed split, and readers/writers for cell tables, the xCG
parquet layout and AnnData ``.h5ad``."""

from symxai.data.cells.errors import CellDataError
from symxai.data.cells.graphs import build_graph, knn_graph, radius_graph
from symxai.data.cells.loaders import (
    read_anndata,
    read_cell_table,
    read_xcg_layout,
    write_anndata,
    write_cell_table,
    write_xcg_layout,
)
from symxai.data.cells.motifs import MOTIFS, motif_anchors, motif_cells, motif_scores
from symxai.data.cells.phenotypes import (
    LINEAGES,
    LUAD_PHENOTYPES,
    PHENOTYPE_ALIASES,
    expand_phenotypes,
    resolve_phenotype,
)
from symxai.data.cells.survival import SPLIT_SHARES, cells_split, survival_graphs
from symxai.data.cells.synthetic import synthetic_cohort
from symxai.data.cells.tissue import CLINICAL_COLUMNS, Cohort, CohortTruth, Tissue

__all__ = [
    "CLINICAL_COLUMNS",
    "LINEAGES",
    "LUAD_PHENOTYPES",
    "MOTIFS",
    "PHENOTYPE_ALIASES",
    "SPLIT_SHARES",
    "CellDataError",
    "Cohort",
    "CohortTruth",
    "Tissue",
    "build_graph",
    "cells_split",
    "expand_phenotypes",
    "knn_graph",
    "motif_anchors",
    "motif_cells",
    "motif_scores",
    "radius_graph",
    "read_anndata",
    "read_cell_table",
    "read_xcg_layout",
    "resolve_phenotype",
    "survival_graphs",
    "synthetic_cohort",
    "write_anndata",
    "write_cell_table",
    "write_xcg_layout",
]
