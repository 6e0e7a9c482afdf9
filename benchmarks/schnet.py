"""SchNet LRP benchmark on malondialdehyde with the shipped SchNet (3 interactions x 64).

* ``subsets_per_s``: batched atom-set relevance v(S) of random atom subsets (512 copies
  of the molecule per pass); ``batched_vs_loop_speedup``: the same, one subset per pass.
* ``frames_per_s``: the 3-atom query ``H5 & O3 & ~O4`` (8 coalitions per frame) along a
  500-frame trajectory (the shipped MD and proton-transfer frames), all in one batch.
* ``energy_mae_eV`` / ``force_mae_eV_per_A``: the trained model on its held-out frames
  (recomputed here).
"""

from __future__ import annotations

import json
import time

import numpy as np
import torch

from symxai.backends.schnet_lrp import SchNetLRPBackend
from symxai.data.malondialdehyde import load_malondialdehyde_data, malondialdehyde_split
from symxai.domains.structures import trajectory_relevances
from symxai.training.schnet import evaluate_schnet, load_malondialdehyde_schnet


def main() -> None:
    torch.set_num_threads(2)
    trained = load_malondialdehyde_schnet()
    model = trained.model
    data = load_malondialdehyde_data()
    numbers, positions = data["numbers"], data["positions"]
    backend = SchNetLRPBackend(model, numbers, positions[0], batch_size=512)
    masks = np.random.default_rng(0).random((4096, backend.n)) < 0.5
    backend(masks[:512])
    start = time.perf_counter()
    batched = backend(masks)
    batched_s = time.perf_counter() - start
    loop_count = 256
    start = time.perf_counter()
    looped = np.array([backend(mask[None])[0] for mask in masks[:loop_count]])
    loop_s = time.perf_counter() - start
    assert np.allclose(looped, batched[:loop_count], rtol=1e-4, atol=1e-5)

    frames = positions[np.linspace(0, len(positions) - 1, 500).astype(int)]
    start = time.perf_counter()
    table = trajectory_relevances(numbers, frames, ["H5 & O3 & ~O4"], model)
    trajectory_s = time.perf_counter() - start
    assert len(table) == 500

    errors = evaluate_schnet(model, data, malondialdehyde_split(data)["test"])
    print(
        json.dumps(
            {
                "atoms": backend.n,
                "interactions": backend.num_layers,
                "subsets_per_s": round(len(masks) / batched_s, 1),
                "loop_subsets_per_s": round(loop_count / loop_s, 1),
                "batched_vs_loop_speedup": round(
                    (loop_s / loop_count) / (batched_s / len(masks)), 1
                ),
                "frames_per_s": round(500 / trajectory_s, 1),
                "energy_mae_eV": round(errors["energy_mae_eV"], 4),
                "force_mae_eV_per_A": round(errors["force_mae_eV_per_A"], 4),
                "reported_energy_mae_eV": trained.metrics.get("energy_mae_eV"),
                "reported_force_mae_eV_per_A": trained.metrics.get("force_mae_eV_per_A"),
                "test_frames": errors["frames"],
            }
        )
    )


if __name__ == "__main__":
    main()
