"""The ``cells`` domain: tissue cores (cell graphs) explained by a survival GIN.

Inputs: one per image of a cohort (:mod:`~symxai.domains.cells.sources`): the
synthetic cohort ``synthetic-luad`` (or ``synthetic-luad-small``), a cell table with
its clinical table, an xCG layout folder or an ``.h5ad`` file; an input given as text is
``<data>:<image_id>``. Model: ``cells-gin`` (shipped,
:func:`~symxai.domains.cells.load_shipped_model`) or a
:class:`~symxai.models.survival_gin.SurvivalGIN` weights file written by
:func:`symxai.cache.save_weights`, with its metrics ``.json`` (holding ``config``)
beside it. Backends: ``gnn-lrp`` (default) or ``perturbation`` (cells removed with
their edges). The explained output, the only one, is the graph part of the log hazard.
Atoms: phenotypes, aliases, lineages, cells, ``tile:"r,c"`` and ``region:"name"``
(:mod:`~symxai.domains.cells.space`).
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symxai.cache import load_state
from symxai.data.cells import LINEAGES, LUAD_PHENOTYPES, CellDataError, resolve_phenotype
from symxai.domains.cells.explain import BACKENDS, explain_tissue, load_shipped_model
from symxai.domains.cells.sources import SYNTHETIC_DATASETS, load_cohort
from symxai.domains.cells.space import phenotype_vocabulary
from symxai.domains.cells.tiles import parse_tile
from symxai.domains.cells.tissue_input import TissueInput
from symxai.domains.registry import Domain, DomainError, GroundTruth, InputRecord
from symxai.errors import UnknownAtomError
from symxai.explanation import Explanation
from symxai.models.survival_gin import SurvivalGIN
from symxai.query.ast import Atom

__all__ = ["CellDomain"]

SHIPPED_MODEL = "cells-gin"
_CELL_NAME = re.compile(r"c\d+")
_QUALIFIERS = ("phenotype", "lineage", "tile", "region", "name", "group")


@functools.cache
def _survival_gin(model: str) -> Any:
    """The shipped model, or a SurvivalGIN weights file with its metrics beside it (cached)."""
    if model == SHIPPED_MODEL:
        return load_shipped_model()
    path = Path(model)
    info_path = path.with_suffix(".json")
    if not info_path.is_file():
        raise DomainError(
            f"model {model!r}: the metrics file {info_path.name} (with the model's config) "
            "is missing beside it"
        )
    try:
        config = json.loads(info_path.read_text())["config"]
        return load_state(SurvivalGIN(**config), path)
    except Exception as error:
        first = str(error).splitlines()[0] if str(error) else ""
        raise DomainError(
            f"model {model!r} is not a SurvivalGIN weights file written by symxai "
            f"({type(error).__name__}: {first})"
        ) from None


def _cohort(data: str) -> Any:
    try:
        return load_cohort(data)
    except CellDataError as error:
        raise DomainError(str(error)) from None


class CellDomain(Domain):
    """Tissue cores explained by a survival GIN (see the module docstring)."""

    name = "cells"
    description = (
        "Tissue cores as cell graphs (xCG) explained by a survival GIN; cells are the "
        "features, phenotypes name sets of them."
    )
    default_data = "synthetic-luad"
    datasets = tuple(SYNTHETIC_DATASETS)
    models = (SHIPPED_MODEL,)
    backends = BACKENDS

    def load_inputs(self, data: str) -> list[InputRecord]:
        cohort = _cohort(data)
        records = []
        for tissue, row in zip(cohort.tissues, cohort.clinical.itertuples(), strict=True):
            outcome = "death" if bool(row.event) else "censored"
            text = (
                f"{tissue.image_id}: {tissue.n_cells} cells, stage {row.stage}, "
                f"OS {row.os_months:.1f} months ({outcome})"
            )
            records.append(InputRecord(tissue.image_id, int(bool(row.event)), text))
        return records

    def load_input(self, data: str, record: InputRecord) -> Any:
        """The core with its patient's stage."""
        cohort = _cohort(data)
        position = {t.image_id: i for i, t in enumerate(cohort.tissues)}[record.id]
        stage = float(cohort.clinical["stage"].iloc[position])
        return TissueInput(cohort.tissues[position], stage=stage)

    def class_names(self, data: str) -> dict[Any, str]:
        return {1: "death observed", 0: "censored"}

    def prepare(self, text: str) -> Any:
        """``<data>:<image_id>``: one core of a data set or cohort file."""
        data, colon, image_id = text.strip().rpartition(":")
        if not colon or not data:
            raise DomainError(
                f"a tissue core is named <data>:<image_id> (synthetic-luad:core_000 or "
                f"cells.parquet:img7), got {text!r}"
            )
        records = {record.id: record for record in self.load_inputs(data)}
        if image_id not in records:
            close = difflib.get_close_matches(image_id, list(records), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise DomainError(f"{data} has no image {image_id!r}{hint}")
        return self.load_input(data, records[image_id])

    def load_model(self, name_or_path: str) -> Any:
        return _survival_gin(name_or_path)

    def output_count(self, model: Any) -> int:
        return 1

    def output_names(self, model: str) -> dict[int, str]:
        return {0: "log hazard, graph part"}

    def default_target(self) -> tuple[str, Any]:
        return "log-hazard", 0

    def explain(
        self,
        inputs: Any,
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
        perturbation: str | None = None,
    ) -> Explanation:
        return explain_tissue(inputs, model, backend, target=target, missing=missing)

    def ground_truth(self, data: str, record: InputRecord, inputs: Any) -> GroundTruth | None:
        """The planted truth of a synthetic cohort's core: ``features`` marks the cells of
        any planted motif (S1, S2 or S3: the anchors and the cancer cells they touch,
        :mod:`symxai.data.cells.motifs`), the cells the model's risk should rest on;
        ``None`` for data without planted truth (real cohorts)."""
        truth = _cohort(data).truth
        if truth is None or record.id not in truth.motif_cells:
            return None
        masks = list(truth.motif_cells[record.id].values())
        if not masks:
            return None
        features = np.logical_or.reduce([np.asarray(mask, dtype=bool) for mask in masks])
        return GroundTruth(features=features)

    def check_atom(self, atom: Atom) -> tuple[str, Sequence[str]] | None:
        """Names that are no phenotype, alias, lineage or cell name; unknown phenotypes,
        lineages and qualifiers; malformed tiles; quoted atoms (cells have no text)."""
        value = str(atom.value)
        spellings = phenotype_vocabulary(LUAD_PHENOTYPES)
        if atom.kind == "text":
            return f"{atom}: cells have no text; write phenotype:{atom}", ()
        if atom.kind == "name" and not _CELL_NAME.fullmatch(value) and value not in LINEAGES:
            try:
                resolve_phenotype(value)
            except CellDataError:
                return (
                    f"{atom} is not a phenotype, alias, lineage group or cell name such as c0 "
                    f"(phenotypes: {', '.join(LUAD_PHENOTYPES)})",
                    difflib.get_close_matches(value, spellings, n=3, cutoff=0.5),
                )
        if atom.kind != "qualified":
            return None
        qualifier = (atom.qualifier or "").lower()
        if qualifier == "phenotype":
            try:
                resolve_phenotype(value)
            except CellDataError:
                return (
                    f"{atom}: no such phenotype",
                    difflib.get_close_matches(value, spellings, n=3, cutoff=0.5),
                )
        elif qualifier == "lineage" and value not in LINEAGES:
            return (
                f"{atom}: no such lineage ({', '.join(LINEAGES)})",
                difflib.get_close_matches(value, list(LINEAGES), n=3),
            )
        elif qualifier == "tile":
            try:
                parse_tile(value)
            except UnknownAtomError as error:
                return str(error.reason), ()
        elif qualifier not in _QUALIFIERS:
            return (
                f"{atom}: unknown qualifier {qualifier!r} (cells know {', '.join(_QUALIFIERS)})",
                difflib.get_close_matches(qualifier, _QUALIFIERS, n=2),
            )
        return None

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        return explanation.feature_relevance()

    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        """The per-cell relevance map of the core as SVG."""
        from symxai.domains.cells.pictures import plot_cell_relevance  # loads matplotlib

        tissue = explanation.metadata["tissue"]
        plot_cell_relevance(tissue, self.feature_relevance(explanation), path, title=legend or None)
        return path
