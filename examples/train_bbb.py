"""Train the blood-brain barrier classifier (PropertyGNN on from_smiles features) and save it.

    python examples/train_bbb.py            # into the symxai cache
    python examples/train_bbb.py --ship     # into symxai/data/models

Trains on the shipped B3DB classification set (7,805 molecules, BBB+ / BBB-, seeded
80/10/10 split) and prints the test ROC AUC. Under 2 minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from symxai.cache import cache_dir
from symxai.training.properties import BBB_WEIGHTS_NAME, train_bbb_gnn
from symxai.training.store import StateDicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ship", action="store_true", help="write into symxai/data/models")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    trained = train_bbb_gnn(seed=arguments.seed)
    metrics = trained.metrics
    root = Path(__file__).resolve().parent.parent
    folder = root / "symxai" / "data" / "models" if arguments.ship else cache_dir("models")
    path = StateDicts(folder).save(BBB_WEIGHTS_NAME, trained)
    print(
        f"trained in {metrics['training_seconds']:.0f} s ({metrics['epochs_run']} epochs, "
        f"best {metrics['best_epoch'] + 1}): ROC AUC train {metrics['train_roc_auc']:.3f}, "
        f"validation {metrics['val_roc_auc']:.3f}, test {metrics['test_roc_auc']:.3f}"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
