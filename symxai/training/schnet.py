"""Training the malondialdehyde SchNet potential, and the shipped weights.

:func:`train_malondialdehyde_schnet` fits the stock schnetpack SchNet of
:func:`symxai.models.schnet.build_schnet` (3 interactions x 64, 20 Gaussians, 5 Å cutoff)
to energies and forces: loss ``0.1 * MSE(E) + 0.9 * MSE(F)`` (eV, eV/Å), Adam with a
cosine decay from 1e-3 to 1e-5, batches of 32, 150 epochs (about 3 minutes on 2 CPU
cores), on the fixed split :func:`~symxai.data.malondialdehyde.malondialdehyde_split`
(80/10/10 within every temperature and within the path, so that path frames are in all
splits); the weights of the best validation loss are kept. The shipped model (this
default) has test errors of 18.3 meV (energy) and 52.8 meV/Å (forces), listed in
``symxai/data/models/malondialdehyde_schnet.json``; schnetpack's usual weights 0.01/0.99
(``energy_weight=0.01``) give 13.9 meV and 48.3 meV/Å on the same split.

:func:`load_malondialdehyde_schnet` loads the shipped weights
``symxai/data/models/malondialdehyde_schnet.pt`` (a state_dict, loaded with
``weights_only=True``) and ``malondialdehyde_schnet.json`` (configuration and test
errors), else the cached ones, else trains the model and caches it
(:func:`~symxai.training.store.load_or_train`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from symxai.data.malondialdehyde import (
    DATA_NAME,
    load_malondialdehyde_data,
    malondialdehyde_split,
)
from symxai.models.schnet import SCHNET_CONFIG, build_schnet, schnet_inputs, schnet_predict
from symxai.training.store import StateDicts, Trained, load_or_train

__all__ = [
    "WEIGHTS_NAME",
    "TrainedChemistry",
    "evaluate_schnet",
    "load_malondialdehyde_schnet",
    "save_trained",
    "train_malondialdehyde_schnet",
]

WEIGHTS_NAME = "malondialdehyde_schnet"

TrainedChemistry = Trained
"""A trained SchNet potential and its metrics (configuration, test errors, timings)."""


def evaluate_schnet(
    model: Any, data: dict[str, np.ndarray], indices: np.ndarray | None = None
) -> dict[str, float]:
    """Mean absolute errors of ``model`` on the frames ``indices`` (all by default):
    ``energy_mae_eV`` over frames and ``force_mae_eV_per_A`` over force components."""
    indices = np.arange(len(data["energies"])) if indices is None else np.asarray(indices)
    energies, forces = schnet_predict(model, data["positions"][indices], data["numbers"])
    return {
        "energy_mae_eV": float(np.abs(energies - data["energies"][indices]).mean()),
        "force_mae_eV_per_A": float(np.abs(forces - data["forces"][indices]).mean()),
        "frames": len(indices),
    }


def train_malondialdehyde_schnet(
    *,
    epochs: int = 150,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    final_learning_rate: float = 1e-5,
    energy_weight: float = 0.1,
    seed: int = 0,
    config: dict[str, Any] | None = None,
    data: dict[str, np.ndarray] | None = None,
    progress: Callable[[int, float, float], None] | None = None,
) -> TrainedChemistry:
    """Fit the SchNet of :func:`~symxai.models.schnet.build_schnet` (default
    :data:`~symxai.models.schnet.SCHNET_CONFIG`, 3 x 64) to the shipped xTB data.

    Loss ``energy_weight * MSE(E) + (1 - energy_weight) * MSE(F)`` (eV, eV/Å) on batches of
    ``batch_size`` training frames, Adam with a cosine decay from ``learning_rate`` to
    ``final_learning_rate``; the model fits ``E - n_atoms * mean`` (mean per atom of the
    training energies, put into the ``AddOffsets`` postprocessor). The weights with the
    lowest validation loss are kept; ``metrics`` reports energy and force MAEs on the
    train, validation and test splits of :func:`malondialdehyde_split` (and on the test
    path frames alone). ``progress(epoch, train_loss, val_loss)`` is called every epoch.
    """
    data = load_malondialdehyde_data() if data is None else data
    split = malondialdehyde_split(data, seed=0)
    config = dict(SCHNET_CONFIG if config is None else config)
    config.pop("mean_energy_per_atom", None)
    n_atoms = len(data["numbers"])
    mean = float(data["energies"][split["train"]].mean() / n_atoms)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = build_schnet(**config, mean_energy_per_atom=mean)
    positions = torch.as_tensor(data["positions"], dtype=torch.float32)
    targets = torch.as_tensor(data["energies"] - n_atoms * mean, dtype=torch.float32)
    forces = torch.as_tensor(data["forces"], dtype=torch.float32)
    numbers = torch.as_tensor(data["numbers"])
    cutoff = float(config["cutoff"])
    train = torch.as_tensor(split["train"])
    steps_per_epoch = -(-len(train) // batch_size)
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimiser, epochs * steps_per_epoch, eta_min=final_learning_rate
    )
    val_inputs = schnet_inputs(positions[split["val"]], numbers, cutoff)

    def loss_of(inputs: dict[str, torch.Tensor], batch: torch.Tensor) -> torch.Tensor:
        out = model({key: value.clone() for key, value in inputs.items()})
        energy_error = torch.mean((out["energy"] - targets[batch]) ** 2)
        force_error = torch.mean((out["forces"] - forces[batch].reshape(-1, 3)) ** 2)
        return energy_weight * energy_error + (1 - energy_weight) * force_error

    best_loss, best_state = float("inf"), None
    start = time.perf_counter()
    model.do_postprocessing = False
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for batch in train[torch.randperm(len(train), generator=generator)].split(batch_size):
            loss = loss_of(schnet_inputs(positions[batch], numbers, cutoff), batch)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        model.eval()
        val_loss = loss_of(val_inputs, torch.as_tensor(split["val"])).item()
        if val_loss < best_loss:
            best_loss = val_loss
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if progress is not None:
            progress(epoch, total / len(train), val_loss)
    seconds = time.perf_counter() - start
    if best_state is not None:
        model.load_state_dict(best_state)
    model.do_postprocessing = True
    model.eval()
    test_path = split["test"][data["kind"][split["test"]] == "path"]
    metrics: dict[str, Any] = {
        "config": dict(model.symxai_config),
        "data": DATA_NAME,
        "method": str(data["method"]),
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "final_learning_rate": final_learning_rate,
        "energy_weight": energy_weight,
        "seed": seed,
        "split_seed": 0,
        "split_sizes": {name: len(idx) for name, idx in split.items()},
        "training_seconds": round(seconds, 1),
        "torch_threads": torch.get_num_threads(),
        "best_val_loss": best_loss,
    }
    for name, idx in split.items():
        errors = evaluate_schnet(model, data, idx)
        metrics[f"{name}_energy_mae_eV"] = errors["energy_mae_eV"]
        metrics[f"{name}_force_mae_eV_per_A"] = errors["force_mae_eV_per_A"]
    metrics["energy_mae_eV"] = metrics["test_energy_mae_eV"]
    metrics["force_mae_eV_per_A"] = metrics["test_force_mae_eV_per_A"]
    path_errors = evaluate_schnet(model, data, test_path)
    metrics["test_path_energy_mae_eV"] = path_errors["energy_mae_eV"]
    metrics["test_path_force_mae_eV_per_A"] = path_errors["force_mae_eV_per_A"]
    metrics["energy_std_eV"] = float(data["energies"].std())
    metrics["force_std_eV_per_A"] = float(data["forces"].std())
    return TrainedChemistry(model, metrics)


def save_trained(trained: Trained[Any], folder: Path) -> Path:
    """Write ``malondialdehyde_schnet.pt`` (state_dict) and ``.json`` (metrics) to ``folder``."""
    return StateDicts(folder).save(WEIGHTS_NAME, trained)


def load_malondialdehyde_schnet(*, train_if_missing: bool = True) -> Trained[Any]:
    """The malondialdehyde SchNet: the shipped weights, else the cached ones, else trained
    now (:func:`train_malondialdehyde_schnet`, a few minutes) and cached. Weights are
    loaded with ``weights_only=True``; the model is in eval mode."""
    return load_or_train(
        WEIGHTS_NAME,
        lambda metrics: build_schnet(**metrics["config"]),
        train_malondialdehyde_schnet,
        train_if_missing=train_if_missing,
        missing="no malondialdehyde SchNet weights found; "
        "run examples/train_malondialdehyde_schnet.py",
    )
