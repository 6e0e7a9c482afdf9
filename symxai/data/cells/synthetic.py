"""A synthetic lung-adenocarcinoma cohort with planted spatial motifs and known
survival, shaped like the imaging mass cytometry cohort of Sorin et al. (Nature 2023:
416 patients, one core of 1 mm diameter each, about 3,950 cells per core, 17 phenotypes).

Each patient is generated from its own random stream (``seed``, patient index), so a
patient's core does not depend on how many patients are drawn. Per core:

1. **Cells.** ``n ~ round(cells_per_core * exp(sigma * Z))`` (log-normal around
   ``cells_per_core``), placed uniformly in a disc of radius ``radius_um``.
2. **Compartments.** A smooth random field ``f(x) = sum_b a_b exp(-|x - c_b|^2 / 2 w_b^2)``
   (a few Gaussian bumps, widths 50-140 µm) thresholded at its ``1 - t`` quantile
   gives tumour nests covering a fraction ``t ~ U(0.3, 0.7)`` of the cells; stroma
   within ``margin_um``-like reach of a nest (field above a lower threshold) is the
   invasive margin, the rest deep stroma. Tertiary-lymphoid-like aggregates (discs of
   30-60 µm radius in deep stroma, more in inflamed tumours) hold mostly B and Th cells.
3. **Phenotypes.** Drawn per compartment from mixtures: nests are mostly cancer cells;
   stroma holds unlabelled (fibroblast-like) cells, endothelial cells, macrophages,
   monocytes, neutrophils, dendritic and mast cells and lymphocytes.
4. **Immune programme** per patient: *inflamed* (Tc infiltrate the nests), *excluded*
   (Tc held at the margin) or *desert* (few Tc anywhere); the infiltration of nests by
   Tregs and by Th cells, and the stromal Treg density, vary independently per patient.
   **Decoy** patients (``decoy_fraction``) carry many Tregs in deep stroma and almost
   none near the tumour, so that Treg abundance alone does not predict S1.
5. **Survival.** The motif scores S1, S2, S3 of :mod:`~symxai.data.cells.motifs`
   (anchors per 1,000 cells, on the kNN graph with ``k`` neighbours stored in each
   tissue) are standardised over the cohort (``z = (S - mean) / std``) and give the
   log hazard ``eta = b1 z1 - b2 z2 - b3 z3 + b_stage stage`` with stage = 1 (stage III
   or higher) with probability ``stage3_fraction``. Survival times follow a Weibull
   proportional-hazards model, ``h(t) = lambda rho t^(rho - 1) exp(eta)`` with baseline
   median ``baseline_median_months``: ``T = (-log U / (lambda exp(eta)))^(1 / rho)``;
   censoring times are uniform on ``(0, censoring_max_months)``; ``os_months = min(T, C)``,
   ``event = T <= C``. Patients with ``os_months <= min_os_months`` are dropped (as xCG
   does) and counted in ``Cohort.dropped``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from symxai.data.cells.graphs import knn_graph
from symxai.data.cells.motifs import MOTIFS, motif_anchors, motif_cells, motif_scores
from symxai.data.cells.phenotypes import LUAD_PHENOTYPES
from symxai.data.cells.tissue import Cohort, CohortTruth, Tissue

__all__ = ["PROGRAMMES", "synthetic_cohort"]

PROGRAMMES: dict[str, float] = {"inflamed": 0.35, "excluded": 0.35, "desert": 0.30}
"""Immune programmes and their prevalence."""

_INDEX = {name: index for index, name in enumerate(LUAD_PHENOTYPES)}


def _mixture(weights: dict[str, float]) -> np.ndarray:
    """A probability vector over :data:`LUAD_PHENOTYPES` from unnormalised weights."""
    vector = np.zeros(len(LUAD_PHENOTYPES))
    for name, weight in weights.items():
        vector[_INDEX[name]] = weight
    return vector / vector.sum()


_STROMA = {
    "NONE": 0.26,
    "Endothelial cell": 0.10,
    "Alt MAC": 0.08,
    "Cl MAC": 0.05,
    "Cl Mo": 0.04,
    "Int Mo": 0.02,
    "Non-Cl Mo": 0.02,
    "DCs cell": 0.02,
    "Neutrophils": 0.05,
    "Mast cell": 0.02,
    "NK cell": 0.02,
    "B cell": 0.03,
    "Th": 0.06,
    "T other": 0.03,
    "Cancer": 0.005,
}
_NEST = {
    "Cancer": 0.86,
    "NONE": 0.03,
    "Alt MAC": 0.02,
    "Cl MAC": 0.01,
    "Neutrophils": 0.01,
    "Endothelial cell": 0.01,
    "T other": 0.005,
}
_AGGREGATE = {"B cell": 0.5, "Th": 0.3, "Tc": 0.05, "T other": 0.05, "DCs cell": 0.05, "NONE": 0.05}


@dataclass(frozen=True)
class _Immunity:
    """Per-patient immune levels: probabilities of Tc, Treg and Th among nest cells,
    among margin stroma cells and among deep stroma cells."""

    programme: str
    decoy: bool
    tc_nest: float
    tc_margin: float
    tc_stroma: float
    treg_nest: float
    treg_margin: float
    treg_stroma: float
    th_nest: float


def _immunity(rng: np.random.Generator, decoy: bool) -> _Immunity:
    programme = str(rng.choice(list(PROGRAMMES), p=list(PROGRAMMES.values())))

    def spread(median: float, sigma: float) -> float:
        """A log-normal draw with this median and log-scale spread."""
        return float(median * np.exp(sigma * rng.standard_normal()))

    tc_levels = {
        "inflamed": (0.06, 0.08, 0.05),
        "excluded": (0.006, 0.12, 0.05),
        "desert": (0.004, 0.015, 0.01),
    }[programme]
    tc_nest, tc_margin, tc_stroma = (spread(level, 0.4) for level in tc_levels)
    treg_nest = spread(0.02, 0.8)
    treg_stroma = spread(0.03, 0.6)
    if decoy:
        treg_nest, treg_margin, treg_stroma = 0.001, 0.001, spread(0.15, 0.3)
    else:
        treg_margin = treg_nest
    return _Immunity(
        programme=programme,
        decoy=decoy,
        tc_nest=tc_nest,
        tc_margin=tc_margin,
        tc_stroma=tc_stroma,
        treg_nest=treg_nest,
        treg_margin=treg_margin,
        treg_stroma=treg_stroma,
        th_nest=spread(0.015, 0.6),
    )


def _disc(rng: np.random.Generator, n: int, radius: float) -> np.ndarray:
    r = radius * np.sqrt(rng.random(n))
    theta = 2 * np.pi * rng.random(n)
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def _tumour_field(rng: np.random.Generator, positions: np.ndarray, radius: float) -> np.ndarray:
    n_bumps = 3 + rng.poisson(4)
    centres = _disc(rng, n_bumps, 1.1 * radius)
    widths = rng.uniform(50.0, 140.0, n_bumps)
    heights = rng.uniform(0.5, 1.5, n_bumps)
    squared = ((positions[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return (heights * np.exp(-squared / (2 * widths**2))).sum(axis=1)


def _compartments(
    rng: np.random.Generator, positions: np.ndarray, radius: float, programme: str
) -> np.ndarray:
    """Per cell: 0 nest, 1 margin stroma, 2 deep stroma, 3 lymphoid aggregate."""
    field = _tumour_field(rng, positions, radius)
    tumour_fraction = rng.uniform(0.3, 0.7)
    nest_threshold = np.quantile(field, 1 - tumour_fraction)
    margin_threshold = 0.6 * nest_threshold
    compartment = np.where(field >= nest_threshold, 0, np.where(field >= margin_threshold, 1, 2))
    deep = np.flatnonzero(compartment == 2)
    n_aggregates = rng.poisson(2.0 if programme == "inflamed" else 0.8)
    if len(deep) and n_aggregates:
        centres = positions[rng.choice(deep, size=n_aggregates)]
        aggregate_radius = rng.uniform(30.0, 60.0, n_aggregates)
        squared = ((positions[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        inside = (squared <= aggregate_radius**2).any(axis=1) & (compartment == 2)
        compartment[inside] = 3
    return compartment


def _phenotypes(
    rng: np.random.Generator, compartment: np.ndarray, immunity: _Immunity
) -> np.ndarray:
    mixtures = [
        _mixture(
            {**_NEST, "Tc": immunity.tc_nest, "Treg": immunity.treg_nest, "Th": immunity.th_nest}
        ),
        _mixture(
            {
                **_STROMA,
                "Cancer": 0.05,
                "Tc": immunity.tc_margin,
                "Treg": immunity.treg_margin,
            }
        ),
        _mixture({**_STROMA, "Tc": immunity.tc_stroma, "Treg": immunity.treg_stroma}),
        _mixture({**_AGGREGATE, "Treg": 0.02}),
    ]
    codes = np.empty(len(compartment), dtype=np.int64)
    for index, mixture in enumerate(mixtures):
        cells = np.flatnonzero(compartment == index)
        codes[cells] = rng.choice(len(LUAD_PHENOTYPES), size=len(cells), p=mixture)
    return codes


def synthetic_cohort(
    n_patients: int = 416,
    cells_per_core: int = 3950,
    seed: int = 0,
    radius_um: float = 500.0,
    decoy_fraction: float = 0.15,
    cells_sigma: float = 0.25,
    k: int = 3,
    coefficients: tuple[float, float, float, float] = (1.0, 0.8, 0.4, 0.7),
    stage3_fraction: float = 0.35,
    weibull_shape: float = 1.2,
    baseline_median_months: float = 60.0,
    censoring_max_months: float = 150.0,
    min_os_months: float = 3.0,
) -> Cohort:
    """A seeded synthetic cohort with planted motifs (see the module text).

    ``coefficients`` are ``(b1, b2, b3, b_stage)`` of the log hazard. Each tissue comes
    with its kNN graph (``k`` neighbours) in ``edge_index``, the graph the motifs are
    defined on. The truth holds per patient the motif scores, Treg fraction, log
    hazard, decoy flag and immune programme, and per cell each motif's membership.
    """
    if n_patients < 2:
        raise ValueError("a cohort needs at least two patients (scores are standardised)")
    tissues: list[Tissue] = []
    rows: list[dict[str, object]] = []
    cells_of: dict[str, dict[str, np.ndarray]] = {}
    for patient in range(n_patients):
        rng = np.random.default_rng([seed, patient])
        decoy = bool(rng.random() < decoy_fraction)
        immunity = _immunity(rng, decoy)
        n_cells = max(30, round(cells_per_core * np.exp(cells_sigma * rng.standard_normal())))
        positions = _disc(rng, n_cells, radius_um)
        compartment = _compartments(rng, positions, radius_um, immunity.programme)
        codes = _phenotypes(rng, compartment, immunity)
        edge_index = knn_graph(positions, k)
        tissue = Tissue(
            image_id=f"core_{patient:03d}",
            patient_id=f"patient_{patient:03d}",
            positions=positions,
            phenotypes=codes,
            edge_index=edge_index,
        )
        anchors = motif_anchors(codes, edge_index, LUAD_PHENOTYPES)
        cells_of[tissue.image_id] = motif_cells(codes, edge_index, LUAD_PHENOTYPES)
        tissues.append(tissue)
        rows.append(
            {
                "patient_id": tissue.patient_id,
                **motif_scores(anchors),
                "treg_fraction": float(np.mean(codes == _INDEX["Treg"])),
                "decoy": decoy,
                "programme": immunity.programme,
                "stage": int(rng.random() < stage3_fraction),
                "survival_uniform": rng.random(),
                "censoring_uniform": rng.random(),
            }
        )
    table = pd.DataFrame(rows)
    b1, b2, b3, b_stage = coefficients
    standard = {name: (table[name] - table[name].mean()) / table[name].std() for name in MOTIFS}
    table["log_hazard"] = (
        b1 * standard["S1"] - b2 * standard["S2"] - b3 * standard["S3"] + b_stage * table["stage"]
    )
    rate = np.log(2.0) / baseline_median_months**weibull_shape
    survival = (-np.log(table["survival_uniform"]) / (rate * np.exp(table["log_hazard"]))) ** (
        1.0 / weibull_shape
    )
    censoring = censoring_max_months * table["censoring_uniform"]
    table["os_months"] = np.minimum(survival, censoring)
    table["event"] = survival <= censoring
    kept = (table["os_months"] > min_os_months).to_numpy()
    table = table[kept].reset_index(drop=True)
    tissues = [tissue for tissue, keep in zip(tissues, kept, strict=True) if keep]
    clinical = pd.DataFrame(
        {
            "patient_id": table["patient_id"],
            "image_id": [tissue.image_id for tissue in tissues],
            "os_months": table["os_months"].astype(float),
            "event": table["event"].astype(bool),
            "stage": table["stage"].astype(int),
        }
    )
    motifs = table[
        ["patient_id", *MOTIFS, "treg_fraction", "log_hazard", "decoy", "programme"]
    ].copy()
    truth = CohortTruth(
        motifs=motifs,
        motif_cells={tissue.image_id: cells_of[tissue.image_id] for tissue in tissues},
        coefficients={"b1": b1, "b2": b2, "b3": b3, "b_stage": b_stage},
    )
    return Cohort(
        tissues=tissues,
        clinical=clinical,
        truth=truth,
        dropped={f"patients with os_months <= {min_os_months:g}": int((~kept).sum())},
    )
