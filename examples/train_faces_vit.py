"""Train the faces ViT (25x25 grayscale LFW crops, 5x5 patches, 4 layers, hidden 64).

    python examples/train_faces_vit.py                 # into the symxai cache
    python examples/train_faces_vit.py --ship          # into symxai/data/models

About 15 s on one CPU core (the model is too small to gain from more threads); prints the
accuracy on the fixed train/test split of skimage's lfw_subset (70 + 30 images per class).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from symxai.cache import cache_dir
from symxai.training.faces import save_trained, train_faces_vit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--ship", action="store_true", help="write into symxai/data/models")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    start = time.perf_counter()

    def progress(epoch: int, loss: float, accuracy: float) -> None:
        if epoch % 10 == 9 or epoch == arguments.epochs - 1:
            print(f"epoch {epoch + 1:3d}  loss {loss:.3f}  train accuracy {accuracy:.3f}")

    trained = train_faces_vit(epochs=arguments.epochs, seed=arguments.seed, progress=progress)
    seconds = time.perf_counter() - start
    trained.metrics["training_seconds"] = round(seconds, 1)
    root = Path(__file__).resolve().parent.parent
    folder = root / "symxai" / "data" / "models" if arguments.ship else cache_dir("models")
    path = save_trained(trained, folder)
    metrics = trained.metrics
    print(
        f"trained in {seconds:.0f} s: accuracy train {metrics['train_accuracy']:.3f}, "
        f"test {metrics['test_accuracy']:.3f}"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
