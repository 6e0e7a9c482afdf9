"""Malondialdehyde proton transfer: which atoms carry SchNet's energy along the path?

Loads the shipped GFN2-xTB data (MD frames and a proton-transfer path between the two
enol tautomers, examples/generate_malondialdehyde.py) and the shipped SchNet, scores
`H5 & O3`, `H5 & O4` and `H5 & O3 & ~O4` on every path frame with SchNet-LRP, prints a
few frames and writes the plot symxai-output/proton_transfer.png.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from symxai.data.malondialdehyde import load_malondialdehyde_data
from symxai.domains.structures import plot_trajectory, trajectory_relevances

QUERIES = ["H5 & O3", "H5 & O4", "H5 & O3 & ~O4", "H5 & O4 & ~O3"]


def main(output: Path = Path("symxai-output")) -> None:
    data = load_malondialdehyde_data()
    path = data["kind"] == "path"
    coordinate = data["coordinate"][path]
    table = trajectory_relevances(data["numbers"], data["positions"][path], QUERIES)
    table.insert(0, "coordinate", coordinate)
    order = np.argsort(coordinate)
    shown = table.iloc[order[:: max(1, len(order) // 8)]]
    print(shown.round(3).to_string(index=False))
    output.mkdir(parents=True, exist_ok=True)
    figure = plot_trajectory(
        table,
        coordinate,
        output / "proton_transfer.png",
        queries=QUERIES,
        title="SchNet-LRP along the malondialdehyde proton transfer",
    )
    print(f"wrote {figure}")


if __name__ == "__main__":
    main()
