"""Molecular property predictors: shipped models' test metrics, planted ground truth and
explanation speed, as one JSON line.

* ``esol_rmse`` (log10 mol/L) and ``bbb_auc``: the shipped solubility regressor and
  blood-brain barrier classifier on the test parts of their seeded splits (recomputed
  here; goals at most 1.0 and at least 0.85);
* ``planted_*``: :func:`symxai.evaluation.planted.check_planted` on the planted model's
  test molecules: ``planted_hydroxyl_spearman`` (goal at least 0.8),
  ``planted_interaction_ratio`` (goal at least 3; undefined where the one-group mean is 0,
  which ``missing="absent"`` makes it, is ``null``: see that module) with the means
  behind it, the same by perturbation (``planted_perturbation_*``, only the molecules
  with a nitro group or an aromatic amine explained, so its Spearman correlation is over
  those), ``planted_interaction_vs_alone_ratio`` (the conjunction's mean on the
  both-groups molecules over the larger mean of either group without the other there),
  the molecule counts and the training record of the shipped planted model;
* ``explain_s_per_molecule``: median seconds, one thread, for a GNN-LRP explanation of
  one solubility-set molecule by the solubility model plus four group queries
  (``explain_molecule`` and ``relevances``), over :data:`TIMED` test molecules
  interleaved over :data:`REPEATS` rounds; ``batched_s_per_molecule`` the same queries
  on all test molecules at once (``molecule_relevances``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from symxai.data.properties import PropertyData, load_b3db, load_solubility
from symxai.domains.molecules import explain_molecule, molecule_from_smiles, molecule_relevances
from symxai.domains.molecules.planted import load_planted, load_planted_gnn
from symxai.evaluation.planted import check_planted
from symxai.query import parse_query
from symxai.training.properties import (
    evaluate_property_model,
    load_bbb_gnn,
    load_solubility_gnn,
    property_graphs,
)

TIMED = 20
REPEATS = 3
PLANTED_MEANS = (
    "interaction_mean_both",
    "interaction_mean_one",
    "nitro_mean_both",
    "aromatic_amine_mean_both",
    "nitro_alone_mean_both",
    "aromatic_amine_alone_mean_both",
)
QUERIES = [
    "group:hydroxyl",
    "group:hydroxyl & ~group:aromatic_ring",
    "group:aromatic_ring",
    "group:halogen",
]


def rounded(value: float | None) -> float | None:
    """``value`` to 3 decimals; an undefined ratio (``None``) stays ``None``."""
    return None if value is None else round(value, 3)


def _test_metric(loader: Callable[[], Any], data: PropertyData) -> float:
    model = loader().model
    test = data.split["test"]
    graphs = property_graphs([data.smiles[i] for i in test])
    return evaluate_property_model(model, graphs, data.targets[test], data.task)


def main() -> None:
    torch.set_num_threads(1)
    solubility = load_solubility()
    esol_rmse = _test_metric(load_solubility_gnn, solubility)
    bbb_auc = _test_metric(load_bbb_gnn, load_b3db())

    start = time.perf_counter()
    planted = check_planted().figures()
    planted_s = time.perf_counter() - start
    perturbed = check_planted(backend="perturbation").figures()
    planted_record = load_planted_gnn().metrics
    planted_data = load_planted()

    model = load_solubility_gnn().model
    test_smiles = [solubility.smiles[i] for i in solubility.split["test"]]
    timed = test_smiles[:TIMED]
    explain_molecule(timed[0], model, target=None, featurizer="ogb").relevances(
        QUERIES, missing="absent"
    )
    seconds: list[list[float]] = [[] for _ in timed]
    for _ in range(REPEATS):
        for position, smiles in enumerate(timed):
            start = time.perf_counter()
            explanation = explain_molecule(smiles, model, target=None, featurizer="ogb")
            explanation.relevances(QUERIES, missing="absent")
            seconds[position].append(time.perf_counter() - start)
    per_molecule = float(np.median([np.median(s) for s in seconds]))

    molecules = [molecule_from_smiles(s, featurizer="ogb") for s in test_smiles]
    start = time.perf_counter()
    batch = molecule_relevances(
        molecules, [parse_query(q) for q in QUERIES], model, target=None, missing="absent"
    )
    batched_s = time.perf_counter() - start
    assert not batch.errors

    print(
        json.dumps(
            {
                "esol_rmse": round(esol_rmse, 3),
                "bbb_auc": round(bbb_auc, 3),
                "planted_hydroxyl_spearman": rounded(planted["hydroxyl_spearman"]),
                "planted_interaction_ratio": planted["interaction_ratio"],
                "planted_interaction_vs_alone_ratio": rounded(
                    planted["interaction_vs_alone_ratio"]
                ),
                **{f"planted_{key}": round(planted[key], 3) for key in PLANTED_MEANS},
                "planted_perturbation_hydroxyl_spearman": rounded(perturbed["hydroxyl_spearman"]),
                "planted_perturbation_interaction_ratio": perturbed["interaction_ratio"],
                "planted_perturbation_interaction_vs_alone_ratio": rounded(
                    perturbed["interaction_vs_alone_ratio"]
                ),
                **{
                    f"planted_perturbation_{key}": round(perturbed[key], 3) for key in PLANTED_MEANS
                },
                "planted_molecules": len(planted_data),
                "planted_molecules_both": planted_data.extra["interaction"].count("1"),
                "planted_test_rmse": round(planted["test_rmse"], 3),
                "planted_test_molecules": planted["molecules"],
                "planted_test_both": planted["molecules_both"],
                "planted_test_one": planted["molecules_one"],
                "planted_check_s": round(planted_s, 1),
                "planted_training_s": planted_record.get("training_seconds"),
                "explain_s_per_molecule": round(per_molecule, 4),
                "batched_s_per_molecule": round(batched_s / len(molecules), 4),
                "explained_molecules": len(molecules),
                "queries": len(QUERIES),
                "torch_threads": torch.get_num_threads(),
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
