"""Cells: tissue cores as cell graphs (xCG setting), explained by a survival GIN.

* :mod:`~symxai.domains.cells.space`: :func:`tissue_space` (cells ``c0 ..`` as features;
  phenotype, alias, lineage, ``tile:"r,c"`` and ``region:"name"`` atoms);
* :mod:`~symxai.domains.cells.tiles` / :mod:`~symxai.domains.cells.regions`: the tile
  grid and user polygons;
* :mod:`~symxai.domains.cells.tissue_input`: :class:`TissueInput` (a
  :class:`~symxai.api.DomainInput`);
* :mod:`~symxai.domains.cells.explain`: :func:`explain_tissue`;
* :mod:`~symxai.domains.cells.summaries`: phenotype bars, interaction matrix, tile map,
  cohort percentiles, risk groups;
* :mod:`~symxai.domains.cells.kaplan_meier`: :func:`kaplan_meier`, :func:`log_rank_test`;
* :mod:`~symxai.domains.cells.sources`: :func:`load_cohort` (synthetic or files);
* :mod:`~symxai.domains.cells.pictures`: maps with a 100 µm scale bar, heatmap,
  Kaplan-Meier plot (loaded on first use: they need matplotlib);
* :mod:`~symxai.domains.cells.domain`: the registered ``cells`` domain.

The cohort ``synthetic-luad`` is synthetic (planted motifs, :mod:`symxai.data.cells`);
relevance explains the model, not the biology.
"""

from typing import Any

from symxai.domains.cells.explain import explain_tissue, load_shipped_model
from symxai.domains.cells.kaplan_meier import kaplan_meier, log_rank_test
from symxai.domains.cells.regions import Regions, region_members
from symxai.domains.cells.sources import SYNTHETIC_DATASETS, load_cohort
from symxai.domains.cells.space import TissueFeatureSpace, tissue_space
from symxai.domains.cells.summaries import (
    cohort_percentiles,
    cohort_relevances,
    interaction_matrix,
    percentile_of,
    phenotype_atom,
    phenotype_bars,
    risk_group_means,
    risk_groups,
    tile_values,
)
from symxai.domains.cells.tiles import TileGrid, parse_tile
from symxai.domains.cells.tissue_input import TissueInput

__all__ = [
    "PHENOTYPE_COLOURS",
    "SYNTHETIC_DATASETS",
    "Regions",
    "TileGrid",
    "TissueFeatureSpace",
    "TissueInput",
    "cohort_percentiles",
    "cohort_relevances",
    "explain_tissue",
    "interaction_matrix",
    "kaplan_meier",
    "load_cohort",
    "load_shipped_model",
    "log_rank_test",
    "parse_tile",
    "percentile_of",
    "phenotype_atom",
    "phenotype_bars",
    "plot_cell_relevance",
    "plot_interaction_matrix",
    "plot_kaplan_meier",
    "plot_phenotype_bars",
    "plot_phenotypes",
    "plot_tile_map",
    "region_members",
    "risk_group_means",
    "risk_groups",
    "tile_values",
    "tissue_space",
]

_PICTURES = (
    "PHENOTYPE_COLOURS",
    "plot_cell_relevance",
    "plot_interaction_matrix",
    "plot_kaplan_meier",
    "plot_phenotype_bars",
    "plot_phenotypes",
    "plot_tile_map",
)


def __getattr__(name: str) -> Any:
    """The pictures, imported on first use (they load matplotlib)."""
    if name in _PICTURES:
        from symxai.domains.cells import pictures

        return getattr(pictures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
