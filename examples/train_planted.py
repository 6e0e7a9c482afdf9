"""Train the planted-property regressor (PropertyGNN on from_smiles features) and save it.

    python examples/train_planted.py            # into the symxai cache
    python examples/train_planted.py --ship     # into symxai/data/models

The target is computed by RDKit from named groups,
``2 * #hydroxyl - 1 * #aromatic_ring + 1.5 * [nitro and aromatic_amine]``, on real
molecules (B3DB, solubility and Mutagenicity SMILES:
:func:`symxai.domains.molecules.planted.load_planted`); prints the test RMSE.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from symxai.cache import cache_dir
from symxai.domains.molecules.planted import PLANTED_WEIGHTS_NAME, train_planted_gnn
from symxai.training.store import StateDicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ship", action="store_true", help="write into symxai/data/models")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    trained = train_planted_gnn(
        seed=arguments.seed,
        progress=lambda epoch, loss, rmse: print(
            f"epoch {epoch + 1}: loss {loss:.4f}, val {rmse:.3f}"
        ),
    )
    metrics = trained.metrics
    root = Path(__file__).resolve().parent.parent
    folder = root / "symxai" / "data" / "models" if arguments.ship else cache_dir("models")
    path = StateDicts(folder).save(PLANTED_WEIGHTS_NAME, trained)
    print(
        f"trained in {metrics['training_seconds']:.0f} s ({metrics['epochs_run']} epochs, "
        f"best {metrics['best_epoch'] + 1}): RMSE train {metrics['train_rmse']:.3f}, "
        f"validation {metrics['val_rmse']:.3f}, test {metrics['test_rmse']:.3f}"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
