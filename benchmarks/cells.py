"""Faithfulness of the shipped cell-graph survival GIN's explanations on the planted
synthetic cohort, and timings at about 3,950 cells: prints one JSON line.

The cohort is ``synthetic_cohort(seed=0)`` (one core per patient), the model
``load_cells_gin(train_if_missing=False)`` (variant ``"lrp"``), the patients those of the
``test`` part of ``cells_split(cohort, 0)`` (76). Every core is explained with the
defaults of :func:`~symxai.domains.cells.explain_tissue` (GNN-LRP, ``missing="absent"``:
a phenotype a core lacks is an empty atom), relevance in Harsanyi mode.

**Survival.** ``test_c_index`` (model log hazard), ``oracle_c_index`` (the planted log
hazard), ``stage_c_index`` (stage alone): Harrell's C on the test patients.

**Motifs** (:mod:`~symxai.data.cells.motifs`; scores are anchors per 1,000 cells):

* ``s1_spearman``: Spearman over test patients of ``R(Cancer & Treg & ~Tc)`` with the
  planted S1 (adverse: Tregs touching cancer, no Tc within two hops);
* ``s1_partial_spearman``: the same, partial given the Treg fraction (rank all three,
  regress out the Treg-fraction ranks, correlate the residuals;
  :func:`~symxai.domains.cells.faithfulness.partial_spearman`), so that Treg abundance
  alone (the decoy patients) cannot carry it;
* ``s2_spearman``: Spearman of ``R(Tc & Cancer)`` with S2 (protective: Tc touching
  cancer); a faithful explanation of a model that learnt S2 gives a negative value;
* ``prediction_*``: the same statistics for the explained graph part ``g`` of the log
  hazard itself, to tell whether the model or the query misses a motif;

  a caveat on reading them: the query's atoms name the motif's own cells, so ``R`` of
  an *untrained* GIN of the same shape also tracks the motif scores (measured on 25 test
  cores, two random initialisations: ``|rho|`` 0.95 for S1, 0.98 for S2, with either
  sign). The magnitude of these correlations mostly says the query isolates the motif;
  what the training adds is the sign (S1 adverse, S2 protective). ``untrained_*`` gives
  that baseline in the same run: the same statistics for ``UNTRAINED_SEEDS`` untrained
  GINs of the shipped model's configuration, and ``untrained_planted_signs``, how many of
  them have both signs as planted (S1 positive, S2 negative; about a quarter by chance);
* ``motif_cell_auc``: per-cell relevance ``R_i`` (``explanation.feature_relevance()``)
  against the planted motif cells (anchors and the cancer cells they touch), pooled over
  the test cores (:func:`~symxai.domains.cells.faithfulness.rank_auc`): ``motif_cell_auc_s1``
  is the AUC of ``+R_i`` for S1 cells against all other cells (adverse cells should
  raise the risk), ``motif_cell_auc_s2`` that of ``-R_i`` for S2 cells (protective cells
  should lower it), ``motif_cell_auc`` their mean.

**Timings** (2 torch threads, the test core closest to 3,950 cells; best of
``REPEATS`` runs, each on a fresh ``explain_tissue`` explanation, so no value is
cached; the explanation's construction is not included, ``explain_s`` times it alone;
every ``*_s`` (wall clock) comes with ``*_cpu_s``, the CPU time of this process, which
other processes on a shared machine disturb less): ``query3_s``
(``relevance("Cancer & Treg & ~Tc")``), ``interaction_matrix_s`` (16 x 16 phenotype
pairs: the 16 labelled phenotypes, ``1 + 16 + 120`` value calls), ``tile_map_s``
(10 x 10 grid), ``feature_relevance_s`` (one backward pass). ``seconds_explain_cohort``
is the time to explain every test core (both motif queries and the per-cell relevance),
``seconds_total`` the whole run.

``goals`` holds the targets of issue 12 as booleans; they are reported, not asserted.
Usage: ``python benchmarks/cells.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from symxai.data.cells import LUAD_PHENOTYPES, cells_split, synthetic_cohort
from symxai.domains.cells import explain_tissue, interaction_matrix, phenotype_atom, tile_values
from symxai.domains.cells.faithfulness import partial_spearman, rank_auc, spearman
from symxai.models import SurvivalGIN
from symxai.training.cells import c_index, load_cells_gin

S1_QUERY = "Cancer & Treg & ~Tc"
S2_QUERY = "Tc & Cancer"
TIMING_CELLS = 3950
REPEATS = 3
THREADS = 2
UNTRAINED_SEEDS = 4


def best_of(
    repeats: int, prepare: Callable[[], Any], fn: Callable[[Any], Any]
) -> tuple[float, float]:
    """Shortest wall time and shortest CPU time of ``repeats`` runs of ``fn(prepare())``,
    ``prepare`` not timed."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        prepared = prepare()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(prepared)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    start = time.perf_counter()
    torch.set_num_threads(THREADS)
    cohort = synthetic_cohort(seed=0)
    model = load_cells_gin(train_if_missing=False).model.eval()
    test = cells_split(cohort, 0)["test"]
    tissues = [cohort.tissues[int(i)] for i in test]
    clinical = cohort.clinical.set_index("image_id").loc[[t.image_id for t in tissues]]
    truth = cohort.truth.motifs.set_index("patient_id").loc[[t.patient_id for t in tissues]]
    time_months = clinical["os_months"].to_numpy(float, copy=True)
    event = clinical["event"].to_numpy(bool, copy=True)
    stage = clinical["stage"].to_numpy(float, copy=True)

    explain_start = time.perf_counter()
    s1_relevance, s2_relevance, graph_part, log_hazard = [], [], [], []
    cell_relevance, s1_cells, s2_cells = [], [], []
    for tissue, core_stage in zip(tissues, stage, strict=True):
        explanation = explain_tissue(tissue, model, stage=core_stage, missing="absent")
        s1, s2 = explanation.relevances([S1_QUERY, S2_QUERY], missing="absent").to_numpy()
        s1_relevance.append(s1)
        s2_relevance.append(s2)
        graph_part.append(float(explanation.prediction))
        log_hazard.append(explanation.metadata["log_hazard"])
        cell_relevance.append(np.asarray(explanation.feature_relevance()))
        planted = cohort.truth.motif_cells[tissue.image_id]
        s1_cells.append(planted["S1"])
        s2_cells.append(planted["S2"])
    seconds_explain = time.perf_counter() - explain_start

    s1_true, s2_true = truth["S1"].to_numpy(float), truth["S2"].to_numpy(float)
    treg = truth["treg_fraction"].to_numpy(float)
    relevance = np.concatenate(cell_relevance)
    auc_s1 = rank_auc(relevance, np.concatenate(s1_cells))
    auc_s2 = rank_auc(-relevance, np.concatenate(s2_cells))
    figures: dict[str, Any] = {
        "test_patients": len(tissues),
        "test_c_index": c_index(log_hazard, time_months, event),
        "oracle_c_index": c_index(
            truth["log_hazard"].to_numpy(float, copy=True), time_months, event
        ),
        "stage_c_index": c_index(stage, time_months, event),
        "s1_partial_spearman": partial_spearman(s1_relevance, s1_true, treg),
        "s1_spearman": spearman(s1_relevance, s1_true),
        "s2_spearman": spearman(s2_relevance, s2_true),
        "prediction_s1_partial_spearman": partial_spearman(graph_part, s1_true, treg),
        "prediction_s1_spearman": spearman(graph_part, s1_true),
        "prediction_s2_spearman": spearman(graph_part, s2_true),
        "motif_cell_auc": (auc_s1 + auc_s2) / 2,
        "motif_cell_auc_s1": auc_s1,
        "motif_cell_auc_s2": auc_s2,
        "seconds_explain_cohort": seconds_explain,
    }

    untrained_s1, untrained_s2 = [], []
    for seed in range(UNTRAINED_SEEDS):
        torch.manual_seed(seed)
        untrained = SurvivalGIN(**model.config).eval()
        pairs = np.array(
            [
                explain_tissue(tissue, untrained, missing="absent")
                .relevances([S1_QUERY, S2_QUERY], missing="absent")
                .to_numpy()
                for tissue in tissues
            ]
        )
        untrained_s1.append(partial_spearman(pairs[:, 0], s1_true, treg))
        untrained_s2.append(spearman(pairs[:, 1], s2_true))
    figures["untrained_s1_partial_spearman"] = untrained_s1
    figures["untrained_s2_spearman"] = untrained_s2
    figures["untrained_planted_signs"] = sum(
        a > 0 and b < 0 for a, b in zip(untrained_s1, untrained_s2, strict=True)
    )

    core = min(tissues, key=lambda tissue: abs(tissue.n_cells - TIMING_CELLS))
    labelled = [phenotype_atom(name) for name in LUAD_PHENOTYPES if name != "NONE"]

    def fresh() -> Any:
        return explain_tissue(core, model, missing="absent")

    figures["cells"] = core.n_cells
    figures["threads"] = THREADS
    timings: dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]] = {
        "explain": (lambda: None, lambda _: fresh()),
        "query3": (fresh, lambda explanation: explanation.relevance(S1_QUERY)),
        "interaction_matrix": (
            fresh,
            lambda explanation: interaction_matrix(explanation, labelled),
        ),
        "tile_map": (fresh, tile_values),
        "feature_relevance": (fresh, lambda explanation: explanation.feature_relevance()),
    }
    for name, (prepare, fn) in timings.items():
        figures[f"{name}_s"], figures[f"{name}_cpu_s"] = best_of(REPEATS, prepare, fn)

    c = figures
    figures["goals"] = {
        "test_c_index>=0.65": c["test_c_index"] >= 0.65,
        "test_c_index>=stage+0.05": c["test_c_index"] >= c["stage_c_index"] + 0.05,
        "test_c_index>=oracle-0.08": c["test_c_index"] >= c["oracle_c_index"] - 0.08,
        "s1_partial_spearman>=0.6": c["s1_partial_spearman"] >= 0.6,
        "s2_spearman<=-0.6": c["s2_spearman"] <= -0.6,
        "query3_s<1": c["query3_s"] < 1.0,
        "interaction_matrix_s<10": c["interaction_matrix_s"] < 10.0,
        "tile_map_s<5": c["tile_map_s"] < 5.0,
    }
    figures["seconds_total"] = time.perf_counter() - start
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
