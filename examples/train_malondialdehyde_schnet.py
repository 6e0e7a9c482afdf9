"""Train the malondialdehyde SchNet (schnetpack, 3 interactions x 64) on the shipped xTB data.

    python examples/train_malondialdehyde_schnet.py           # into the symxai cache
    python examples/train_malondialdehyde_schnet.py --ship    # into symxai/data/models

Energy + force loss (0.1 * MSE(E) + 0.9 * MSE(F); --energy-weight sets the 0.1), Adam with
cosine decay, 150 epochs of 1,249 training frames: about 3 minutes on 2 CPU cores. Prints
the energy and force mean absolute errors on the held-out test frames (MD at 300/600/1000 K
and path images).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from symxai.cache import cache_dir
from symxai.training.schnet import save_trained, train_malondialdehyde_schnet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--energy-weight", type=float, default=0.1, help="weight of MSE(E) in the loss"
    )
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--ship", action="store_true", help="write into symxai/data/models")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    start = time.perf_counter()

    def progress(epoch: int, loss: float, val_loss: float) -> None:
        if epoch % 10 == 9 or epoch == arguments.epochs - 1:
            seconds = time.perf_counter() - start
            print(
                f"epoch {epoch + 1:3d}  loss {loss:.4f}  validation loss {val_loss:.4f}"
                f"  ({seconds:.0f} s)",
                flush=True,
            )

    trained = train_malondialdehyde_schnet(
        epochs=arguments.epochs,
        seed=arguments.seed,
        energy_weight=arguments.energy_weight,
        progress=progress,
    )
    seconds = time.perf_counter() - start
    trained.metrics["total_seconds"] = round(seconds, 1)
    root = Path(__file__).resolve().parent.parent
    folder = root / "symxai" / "data" / "models" if arguments.ship else cache_dir("models")
    path = save_trained(trained, folder)
    metrics = trained.metrics
    print(
        f"trained in {metrics['training_seconds']:.0f} s: test energy MAE"
        f" {1000 * metrics['energy_mae_eV']:.1f} meV, force MAE"
        f" {1000 * metrics['force_mae_eV_per_A']:.1f} meV/Å"
        f" (path test frames: {1000 * metrics['test_path_energy_mae_eV']:.1f} meV,"
        f" {1000 * metrics['test_path_force_mae_eV_per_A']:.1f} meV/Å)"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
