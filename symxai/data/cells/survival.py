"""A cohort as survival graphs, and the fixed train/validation/test split by patient.

:func:`survival_graphs` turns every tissue core of a :class:`~symxai.data.cells.tissue.Cohort`
into a PyG ``Data`` (phenotype one-hot ``x``, kNN ``edge_index``, ``pos`` in µm) that also
carries the clinical row of its image as graph-level attributes: ``time`` (``os_months``),
``event`` (0/1) and ``stage`` as one-element tensors, ``image_id`` and ``patient_id`` as
plain strings and, for a cohort with planted truth, ``log_hazard_true`` (the log hazard
the survival times were drawn from; the *oracle* risk).

:func:`cells_split` is the split the shipped survival GIN is trained and scored on. It is
made **by patient**, so that all cores of a patient fall into one part, and stratified by
event: the patients with an observed death (any of their cores) and the censored ones
are shuffled apart (``numpy.random.default_rng(seed)``) and each group is cut in the
shares ``train : val : test = 0.6 : 0.2 : 0.2`` (rounded down for val and test, the
rest to train). For the default synthetic cohort (``synthetic_cohort(seed=0)``: 416
patients drawn, 381 kept after dropping ``os_months <= 3``) that is 229 / 76 / 76 cores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from symxai.data.cells.errors import CellDataError
from symxai.data.cells.tissue import Cohort

if TYPE_CHECKING:
    from torch_geometric.data import Data

__all__ = ["SPLIT_SHARES", "cells_split", "survival_graphs"]

SPLIT_SHARES: dict[str, float] = {"train": 0.6, "val": 0.2, "test": 0.2}
"""Shares of the patients in each part of :func:`cells_split` (within each event group)."""


def _clinical_rows(cohort: Cohort) -> list[dict[str, object]]:
    """The clinical row of every tissue, in the order of ``cohort.tissues``."""
    clinical = cohort.clinical
    missing = [name for name in ("image_id", "os_months", "event", "stage") if name not in clinical]
    if missing:
        raise CellDataError(f"the clinical table has no column {missing[0]!r}")
    if clinical["image_id"].duplicated().any():
        duplicate = clinical["image_id"][clinical["image_id"].duplicated()].iloc[0]
        raise CellDataError(f"image {duplicate!r} has more than one clinical row")
    rows = clinical.set_index("image_id").to_dict("index")
    unmatched = [tissue.image_id for tissue in cohort.tissues if tissue.image_id not in rows]
    if unmatched:
        raise CellDataError(
            f"{len(unmatched)} images have no clinical row, the first is {unmatched[0]!r}"
        )
    return [rows[tissue.image_id] for tissue in cohort.tissues]


def survival_graphs(cohort: Cohort, k: int = 3) -> list[Data]:
    """One PyG graph per tissue core of ``cohort`` (same order), with its clinical values.

    Node data: ``x`` (phenotype one-hot, float32), ``edge_index`` (the tissue's stored
    graph, else its kNN graph with ``k`` neighbours), ``pos`` (µm). Graph data: ``time``
    (float32 ``[1]``, months), ``event`` (int64 ``[1]``, 1 = death observed), ``stage``
    (float32 ``[1]``), ``image_id`` and ``patient_id`` (``str``) and, when the cohort has
    a planted truth, ``log_hazard_true`` (float32 ``[1]``, looked up by patient).

    A stored ``edge_index`` wins over ``k``: a synthetic tissue keeps the graph its motifs
    were planted on.
    """
    import torch

    truth = None
    if cohort.truth is not None:
        truth = dict(
            zip(
                cohort.truth.motifs["patient_id"],
                cohort.truth.motifs["log_hazard"].astype(float),
                strict=True,
            )
        )
    graphs = []
    for tissue, row in zip(cohort.tissues, _clinical_rows(cohort), strict=True):
        graph = tissue.to_data(k=k)
        graph.time = torch.tensor([float(row["os_months"])], dtype=torch.float32)
        graph.event = torch.tensor([int(bool(row["event"]))], dtype=torch.int64)
        graph.stage = torch.tensor([float(row["stage"])], dtype=torch.float32)
        graph.patient_id = str(row.get("patient_id", tissue.patient_id))
        if truth is not None:
            graph.log_hazard_true = torch.tensor([truth[graph.patient_id]], dtype=torch.float32)
        graphs.append(graph)
    return graphs


def cells_split(cohort: Cohort, seed: int = 0) -> dict[str, np.ndarray]:
    """Indices into ``cohort.tissues`` (sorted int arrays) for ``"train"``, ``"val"`` and
    ``"test"``: disjoint, covering every core, all cores of a patient in one part, and
    each part holding about :data:`SPLIT_SHARES` of the patients with an event and of the
    censored ones (see the module text)."""
    rows = _clinical_rows(cohort)
    patients = [
        str(row.get("patient_id", tissue.patient_id))
        for row, tissue in zip(rows, cohort.tissues, strict=True)
    ]
    names = sorted(set(patients))
    died = {name: False for name in names}
    for name, row in zip(patients, rows, strict=True):
        died[name] = died[name] or bool(row["event"])
    rng = np.random.default_rng(seed)
    part_of: dict[str, str] = {}
    for group in ([n for n in names if died[n]], [n for n in names if not died[n]]):
        shuffled = [group[i] for i in rng.permutation(len(group))]
        n_val = int(SPLIT_SHARES["val"] * len(shuffled))
        n_test = int(SPLIT_SHARES["test"] * len(shuffled))
        for position, name in enumerate(shuffled):
            part_of[name] = (
                "val" if position < n_val else "test" if position < n_val + n_test else "train"
            )
    return {
        part: np.asarray(
            [i for i, name in enumerate(patients) if part_of[name] == part], dtype=np.int64
        )
        for part in SPLIT_SHARES
    }
