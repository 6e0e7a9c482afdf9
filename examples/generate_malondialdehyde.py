"""Generate the GFN2-xTB malondialdehyde data set shipped as symxai/data/malondialdehyde.npz.

    python examples/generate_malondialdehyde.py                  # into symxai/data
    python examples/generate_malondialdehyde.py --out other.npz  # elsewhere

Langevin MD with tblite's GFN2-xTB at 300, 600 and 1000 K (500 frames each, one every
10 steps of 0.5 fs) plus the 61 images of the proton-transfer path (climbing-image NEB),
then a fresh single point at every stored float32 geometry. Seeded, single-threaded
(OMP_NUM_THREADS=1); about 1.5 minutes on one CPU core. Also writes a plot of the path
energies and the sampled transfer coordinates next to the data (--plot).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from symxai.data.malondialdehyde import MALONDIALDEHYDE_POSITIONS
from symxai.data.xtb import generate_dataset, optimise_malondialdehyde, save_dataset

ROOT = Path(__file__).resolve().parent.parent


def plot(data: dict[str, np.ndarray], path: Path) -> None:
    """Path energy profile and histograms of the transfer coordinate per temperature."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    on_path = data["kind"] == "path"
    reference = data["energies"][on_path].min()
    left.plot(data["coordinate"][on_path], data["energies"][on_path] - reference, "o-", ms=3)
    left.set_xlabel("d(O3-H5) - d(O4-H5) [Å]")
    left.set_ylabel("E - E_min [eV]")
    left.set_title("proton-transfer path (NEB, GFN2-xTB)")
    low, high = np.floor(data["coordinate"].min()), np.ceil(data["coordinate"].max())
    for temperature in sorted(set(data["temperature"][~on_path].tolist())):
        chosen = (~on_path) & (data["temperature"] == temperature)
        right.hist(
            data["coordinate"][chosen],
            bins=np.arange(low, high + 0.05, 0.1),
            histtype="step",
            lw=1.5,
            label=f"MD {temperature:.0f} K",
        )
    right.set_xlabel("d(O3-H5) - d(O4-H5) [Å]")
    right.set_ylabel("frames")
    right.legend()
    right.set_title("sampled transfer coordinate")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "symxai" / "data" / "malondialdehyde.npz"
    )
    parser.add_argument("--frames", type=int, default=500, help="MD frames per temperature")
    parser.add_argument("--images", type=int, default=61, help="images on the NEB path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=None, help="write a PNG overview here")
    arguments = parser.parse_args()

    minimum = optimise_malondialdehyde()
    drift = np.abs(minimum.get_positions() - MALONDIALDEHYDE_POSITIONS).max()
    print(
        f"rebuilt the xTB minimum from RDKit: largest deviation {drift:.1e} Å from the stored one"
    )
    start = time.perf_counter()
    data = generate_dataset(
        frames_per_temperature=arguments.frames,
        path_images=arguments.images,
        seed=arguments.seed,
        progress=print,
    )
    seconds = time.perf_counter() - start
    path = save_dataset(data, arguments.out)
    settings = json.loads(str(data["settings"]))
    print(
        f"{len(data['energies'])} frames in {seconds:.0f} s; NEB barrier"
        f" {settings['path_barrier_eV']:.3f} eV; wrote {path} ({path.stat().st_size / 1e3:.0f} kB)"
    )
    if arguments.plot is not None:
        plot(data, arguments.plot)
        print(f"wrote {arguments.plot}")


if __name__ == "__main__":
    main()
