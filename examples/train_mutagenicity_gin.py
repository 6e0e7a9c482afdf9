"""Train the Mutagenicity GIN (3 x GINConv, hidden 64) and save its weights.

    python examples/train_mutagenicity_gin.py                 # into the symxai cache
    python examples/train_mutagenicity_gin.py --ship          # into symxai/data/models

About a minute on 2 CPU cores; prints the accuracy on the train/validation/test split.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from symxai.cache import cache_dir
from symxai.training.mutagenicity import save_trained, train_mutagenicity_gin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ship", action="store_true", help="write into symxai/data/models")
    arguments = parser.parse_args()
    torch.set_num_threads(2)
    start = time.perf_counter()

    def progress(epoch: int, loss: float, accuracy: float) -> None:
        if epoch % 10 == 9 or epoch == arguments.epochs - 1:
            print(f"epoch {epoch + 1:3d}  loss {loss:.3f}  validation accuracy {accuracy:.3f}")

    trained = train_mutagenicity_gin(
        epochs=arguments.epochs, seed=arguments.seed, progress=progress
    )
    seconds = time.perf_counter() - start
    trained.metrics["training_seconds"] = round(seconds, 1)
    root = Path(__file__).resolve().parent.parent
    folder = root / "symxai" / "data" / "models" if arguments.ship else cache_dir("models")
    path = save_trained(trained, folder)
    metrics = trained.metrics
    print(
        f"trained in {seconds:.0f} s: accuracy train {metrics['train_accuracy']:.3f}, "
        f"validation {metrics['val_accuracy']:.3f}, test {metrics['test_accuracy']:.3f}"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
