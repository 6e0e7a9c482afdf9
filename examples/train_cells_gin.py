"""Train the cell-graph survival GIN on the synthetic LUAD cohort and save its weights.

    python examples/train_cells_gin.py                  # fixed train/val/test split, into the cache
    python examples/train_cells_gin.py --ship           # the same, into symxai/data/models
    python examples/train_cells_gin.py --folds 5        # 5-fold cross-validated C-index

The cohort is synthetic (:func:`symxai.data.cells.synthetic_cohort`: planted spatial
motifs, known log hazards); every tissue core becomes a kNN cell graph (k = 3) with
phenotype one-hot features and graph-level ``time``, ``event`` and ``stage``
(:func:`symxai.data.cells.survival_graphs`). The split is
:func:`symxai.data.cells.cells_split` (by patient, stratified by event). Prints the
C-index of the model, of the true log hazard (oracle) and of the stage alone.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from symxai.cache import cache_dir
from symxai.training.cells import (
    CELLS_GIN_TRAINING,
    WEIGHTS_NAME,
    cross_validate,
    train_cells_gin,
)
from symxai.training.store import StateDicts

DEFAULT_COHORT = {"patients": 416, "cells": 3950, "seed": 0}


def main() -> None:
    from symxai.data.cells import survival_graphs, synthetic_cohort

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=DEFAULT_COHORT["patients"])
    parser.add_argument("--cells", type=int, default=DEFAULT_COHORT["cells"], help="mean per core")
    parser.add_argument("--seed", type=int, default=DEFAULT_COHORT["seed"], help="cohort seed")
    parser.add_argument("--epochs", type=int, default=CELLS_GIN_TRAINING["epochs"])
    parser.add_argument("--variant", choices=["lrp", "xcg"], default="lrp")
    parser.add_argument("--folds", type=int, default=0, help="cross-validate instead")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ship", action="store_true", help="write into symxai/data/models")
    arguments = parser.parse_args()
    cohort_settings = {
        "patients": arguments.patients,
        "cells": arguments.cells,
        "seed": arguments.seed,
    }
    if arguments.ship and (cohort_settings != DEFAULT_COHORT or arguments.variant != "lrp"):
        parser.error(
            "--ship writes the default model: leave --patients, --cells, --seed, --variant"
        )
    torch.set_num_threads(arguments.threads)
    start = time.perf_counter()
    cohort = synthetic_cohort(
        n_patients=arguments.patients, cells_per_core=arguments.cells, seed=arguments.seed
    )
    seconds = time.perf_counter() - start
    print(f"{len(cohort)} tissue cores, {cohort.n_cells:,} cells in {seconds:.1f} s")
    options = {"epochs": arguments.epochs, "variant": arguments.variant}

    if arguments.folds:
        training = {**CELLS_GIN_TRAINING, **options}
        result = cross_validate(
            survival_graphs(cohort), folds=arguments.folds, seed=arguments.seed, **training
        )
        folds = ", ".join(f"{score:.3f}" for score in result.c_indices)
        print(f"C-index per fold: {folds}; mean {result.mean:.3f} +- {result.std:.3f}")
        return

    def progress(epoch: int, loss: float, score: float | None) -> None:
        print(f"epoch {epoch + 1:3d}  loss {loss:.3f}  validation C-index {score:.3f}")

    trained = train_cells_gin(cohort, progress=progress, **options)
    metrics = trained.metrics
    for part in ("val", "test"):
        print(
            f"{part}: model C-index {metrics[f'{part}_c_index']:.3f}, oracle "
            f"{metrics[f'oracle_{part}_c_index']:.3f}, stage {metrics[f'stage_{part}_c_index']:.3f}"
        )
    root = Path(__file__).resolve().parent.parent
    folder = root / "symxai" / "data" / "models" if arguments.ship else cache_dir("models")
    path = StateDicts(folder).save(WEIGHTS_NAME, trained)
    print(f"trained in {metrics['training_seconds']:.0f} s; wrote {path}")


if __name__ == "__main__":
    main()
