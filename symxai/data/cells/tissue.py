"""A tissue core as a set of phenotyped cells, a cohort of cores with clinical data,
and the planted ground truth of a synthetic cohort."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from symxai.data.cells.graphs import knn_graph
from symxai.data.cells.phenotypes import LUAD_PHENOTYPES

if TYPE_CHECKING:
    from torch_geometric.data import Data

__all__ = ["CLINICAL_COLUMNS", "Cohort", "CohortTruth", "Tissue"]

CLINICAL_COLUMNS: tuple[str, ...] = ("patient_id", "image_id", "os_months", "event", "stage")
"""Columns of :attr:`Cohort.clinical`, one row per image: ``os_months`` overall
survival (or follow-up when censored) in months, ``event`` True when death was
observed, ``stage`` an integer (0/1 for stage III or higher in the LUAD cohort and the
synthetic one; a loader passes an ordinal stage through unchanged)."""


@dataclass
class Tissue:
    """One imaged tissue core: cell centroids in µm, a phenotype code per cell (an index
    into ``vocabulary``) and, once :func:`~symxai.data.cells.graphs.build_graph` has run,
    the undirected cell graph as ``edge_index`` (``(2, E)`` int64, both directions)."""

    image_id: str
    patient_id: str
    positions: np.ndarray
    phenotypes: np.ndarray
    vocabulary: tuple[str, ...] = LUAD_PHENOTYPES
    edge_index: np.ndarray | None = None

    @property
    def n_cells(self) -> int:
        return len(self.phenotypes)

    def phenotype_names(self) -> np.ndarray:
        """The phenotype name of each cell (``(n,)`` object array)."""
        return np.asarray(self.vocabulary, dtype=object)[self.phenotypes]

    def one_hot(self) -> np.ndarray:
        """Node features: ``(n, len(vocabulary))`` float32, one 1 per row."""
        features = np.zeros((self.n_cells, len(self.vocabulary)), dtype=np.float32)
        features[np.arange(self.n_cells), self.phenotypes] = 1.0
        return features

    def to_data(self, k: int = 3) -> Data:
        """A ``torch_geometric.data.Data`` with ``x`` (one-hot), ``edge_index`` and
        ``pos``; the kNN graph with ``k`` neighbours is built if none is stored."""
        import torch
        from torch_geometric.data import Data

        edges = self.edge_index if self.edge_index is not None else knn_graph(self.positions, k)
        return Data(
            x=torch.from_numpy(self.one_hot()),
            edge_index=torch.from_numpy(np.ascontiguousarray(edges, dtype=np.int64)),
            pos=torch.from_numpy(np.asarray(self.positions, dtype=np.float32)),
            image_id=self.image_id,
        )


@dataclass
class CohortTruth:
    """Planted ground truth of a synthetic cohort.

    ``motifs``: one row per patient with columns ``patient_id``, ``S1``, ``S2``, ``S3``
    (motif scores: anchor cells per 1,000 cells of the core, see
    :mod:`~symxai.data.cells.motifs`), ``treg_fraction`` (Tregs / all cells),
    ``log_hazard`` (the true log hazard the survival times were drawn from),
    ``decoy`` (a decoy patient: many stromal Tregs away from the tumour) and
    ``programme`` (the patient's immune programme).
    ``motif_cells``: image id -> motif name -> boolean membership per cell.
    """

    motifs: pd.DataFrame
    motif_cells: dict[str, dict[str, np.ndarray]]
    coefficients: dict[str, float] = field(default_factory=dict)


@dataclass
class Cohort:
    """Tissue cores, their clinical table (:data:`CLINICAL_COLUMNS`, one row per image,
    in the order of ``tissues``), the ground truth when synthetic, and ``dropped``:
    what was left out and why (reason -> number of patients, images or cells)."""

    tissues: list[Tissue]
    clinical: pd.DataFrame
    truth: CohortTruth | None = None
    dropped: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.tissues)

    @property
    def n_cells(self) -> int:
        return sum(tissue.n_cells for tissue in self.tissues)

    def tissue(self, image_id: str) -> Tissue:
        """The tissue core with this image id."""
        for tissue in self.tissues:
            if tissue.image_id == image_id:
                return tissue
        raise KeyError(f"no image {image_id!r} in the cohort")
