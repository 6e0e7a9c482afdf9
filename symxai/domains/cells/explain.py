"""Explanations of tissue cores: :func:`explain_tissue`, a thin adapter over
:func:`symxai.explain`."""

from __future__ import annotations

from typing import Any

import torch

from symxai.api import explain
from symxai.data.cells import Tissue
from symxai.domains.cells.regions import Regions
from symxai.domains.cells.tissue_input import TissueInput
from symxai.explanation import Explanation

__all__ = ["BACKENDS", "explain_tissue", "load_shipped_model"]

BACKENDS = ("gnn-lrp", "perturbation")


def load_shipped_model() -> torch.nn.Module:
    """The shipped cell-graph survival GIN (``cells-gin``), trained on the synthetic cohort
    on first use if no weights are shipped or cached."""
    from symxai.training.cells import load_cells_gin

    return load_cells_gin(train_if_missing=True).model


def explain_tissue(
    tissue: Tissue | TissueInput,
    model: torch.nn.Module | None = None,
    backend: str = "gnn-lrp",
    stage: float | None = None,
    *,
    tiles: tuple[int, int] = (10, 10),
    regions: Regions | None = None,
    target: Any = None,
    rules: Any = None,
    batch_size: int | None = None,
    missing: str = "error",
) -> Explanation:
    """Explain a survival GNN's risk for one tissue core: ``symxai.explain(model,
    TissueInput(tissue, stage, tiles, regions))``.

    The features are the cells (``c0 ..``); phenotypes, aliases, lineage groups, grid
    tiles (``tile:"3,4"``) and polygons (``region:"name"``) name sets of them
    (:mod:`~symxai.domains.cells.space`). ``tiles`` and ``regions`` apply to a
    :class:`~symxai.data.cells.Tissue`; a :class:`TissueInput` brings its own.
    ``model`` defaults to the shipped ``cells-gin`` (:func:`load_shipped_model`).

    ``explanation.prediction`` is the explained output: the *graph part* ``g`` of the
    log hazard (:class:`~symxai.models.survival_gin.SurvivalGIN`), not the stage term.
    With ``backend="gnn-lrp"`` (default) ``v(S)`` is the relevance of the walks inside
    the cells ``S``, and for the bias-free (``variant="lrp"``) model ``v(N) = g``; with
    ``backend="perturbation"`` ``v(S) = g`` of the graph with the other cells removed
    together with their edges. When ``stage`` is given (or the :class:`TissueInput`
    carries it) and the model has a stage covariate, ``metadata`` holds ``stage``,
    ``stage_term = beta * stage`` and ``log_hazard = g + beta * stage``;
    ``metadata["tissue"]`` is the tissue and ``metadata["image_id"]`` its id.
    """
    if backend not in BACKENDS:
        raise ValueError(
            f"unknown backend {backend!r} for tissue cores: use 'gnn-lrp' or 'perturbation'"
        )
    prepared = (
        tissue
        if isinstance(tissue, TissueInput)
        else TissueInput(tissue, stage=stage, tiles=tiles, regions=regions)
    )
    if stage is not None:
        prepared.stage = stage
    if model is None:
        model = load_shipped_model()
    options: dict[str, Any] = {"target": target}
    if backend == "gnn-lrp":
        options["rules"] = rules
    else:
        batch_size = None
    overrides = {key: value for key, value in options.items() if value is not None}
    explanation = explain(
        model, prepared, backend, batch_size=batch_size, missing=missing, **overrides
    )
    explanation.metadata["tissue"] = prepared.tissue
    explanation.metadata["image_id"] = prepared.tissue.image_id
    stage_term = getattr(model, "stage_term", None)
    has_stage = getattr(model, "stage_coefficient", None) is not None
    if prepared.stage is not None and has_stage and stage_term is not None:
        with torch.no_grad():
            term = float(stage_term(torch.tensor([float(prepared.stage)]))[0])
        explanation.metadata["stage"] = prepared.stage
        explanation.metadata["stage_term"] = term
        explanation.metadata["log_hazard"] = float(explanation.prediction or 0.0) + term
    return explanation
