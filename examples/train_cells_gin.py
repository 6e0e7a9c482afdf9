"""Train the cell-graph survival GIN on the synthetic LUAD cohort and save its weights.

    python examples/train_cells_gin.py                  # train/val/test split, into the cache
    python examples/train_cells_gin.py --ship           # into symxai/data/models
    python examples/train_cells_gin.py --folds 5        # 5-fold cross-validated C-index

The cohort is synthetic (:func:`symxai.data.cells.synthetic_cohort`: planted spatial
motifs, known log hazards); every tissue core becomes a kNN cell graph (k = 3) with
phenotype one-hot features and graph-level ``time``, ``event`` and ``stage``. Prints the
C-index of the model, of the true log hazard (oracle) and of the stage alone.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from symxai.cache import cache_dir
from symxai.training.cells import (
    WEIGHTS_NAME,
    c_index,
    cross_validate,
    predict_log_hazard,
    stratified_folds,
    survival_targets,
    train_survival_gin,
)
from symxai.training.store import StateDicts


def cohort_graphs(patients: int, cells: int, seed: int, k: int) -> tuple[list[Any], np.ndarray]:
    """One graph per tissue with ``time``, ``event``, ``stage`` from the clinical table,
    and the planted log hazard of every graph."""
    from symxai.data.cells import synthetic_cohort

    cohort = synthetic_cohort(n_patients=patients, cells_per_core=cells, seed=seed)
    clinical = cohort.clinical.set_index("image_id")
    graphs, truth = [], []
    for tissue in cohort.tissues:
        row = clinical.loc[tissue.image_id]
        graph = tissue.to_data(k=k)
        graph.time = torch.tensor([float(row["os_months"])])
        graph.event = torch.tensor([int(row["event"])])
        graph.stage = torch.tensor([float(row["stage"])])
        graphs.append(graph)
        truth.append(float(row["truth"]))
    return graphs, np.asarray(truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=416)
    parser.add_argument("--cells", type=int, default=3950, help="mean cells per core")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--variant", choices=["lrp", "xcg"], default="lrp")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=0, help="cross-validate instead")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ship", action="store_true", help="write into symxai/data/models")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    start = time.perf_counter()
    graphs, truth = cohort_graphs(arguments.patients, arguments.cells, arguments.seed, arguments.k)
    print(f"{len(graphs)} cell graphs built in {time.perf_counter() - start:.1f} s")
    options = {"epochs": arguments.epochs, "variant": arguments.variant}

    if arguments.folds:
        result = cross_validate(graphs, folds=arguments.folds, seed=arguments.seed, **options)
        folds = ", ".join(f"{score:.3f}" for score in result.c_indices)
        print(f"C-index per fold: {folds}; mean {result.mean:.3f} +- {result.std:.3f}")
        return

    _, event, _ = survival_targets(graphs)
    parts = stratified_folds(event.numpy(), 5, arguments.seed)
    test, val = parts[0], parts[1]
    train = np.setdiff1d(np.arange(len(graphs)), np.r_[test, val])

    def progress(epoch: int, loss: float, score: float | None) -> None:
        print(f"epoch {epoch + 1:3d}  loss {loss:.3f}  validation C-index {score:.3f}")

    trained = train_survival_gin(
        [graphs[i] for i in train],
        [graphs[i] for i in val],
        seed=arguments.seed,
        progress=progress,
        **options,
    )
    test_graphs = [graphs[i] for i in test]
    time_, test_event, stage = survival_targets(test_graphs)
    scores = {
        "test_c_index": c_index(predict_log_hazard(trained.model, test_graphs), time_, test_event),
        "oracle_c_index": c_index(truth[test], time_, test_event),
        "stage_c_index": c_index(stage.numpy(), time_, test_event),
    }
    trained.metrics.update(scores)
    root = Path(__file__).resolve().parent.parent
    folder = root / "symxai" / "data" / "models" if arguments.ship else cache_dir("models")
    path = StateDicts(folder).save(WEIGHTS_NAME, trained)
    print(", ".join(f"{name} {value:.3f}" for name, value in scores.items()))
    print(f"trained in {trained.metrics['training_seconds']:.0f} s; wrote {path}")


if __name__ == "__main__":
    main()
