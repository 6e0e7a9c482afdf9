"""Malondialdehyde: the molecule, its proton-transfer coordinate and the shipped xTB data.

**Molecule.** :func:`malondialdehyde` is the enol form of malondialdehyde
(3-hydroxy-2-propenal, C3H4O2) with the intramolecular O-H...O hydrogen bond, atoms in
the fixed order::

    index  0   1   2   3   4   5   6   7   8              H7
    atom   C0  C1  C2  O3  O4  H5  H6  H7  H8              |
                                                   H6     C1     H8
                                                     \\  //  \\   /
                                                      C0      C2
                                                      |       ||
                                                      O3      O4
                                                        \\    .
                                                         H5 .

C0 is the enol carbon (C0=C1, C0-O3), C1 the central CH, C2 the carbonyl carbon (C2=O4);
H6, H7 and H8 sit on C0, C1 and C2. H5 is the hydroxyl proton, bonded to O3 and
hydrogen-bonded to O4: the proton that moves in the transfer O3-H5...O4 -> O3...H5-O4
between the two equivalent tautomers (the other tautomer swaps the roles C0<->C2,
O3<->O4, H6<->H8).

The geometry :data:`MALONDIALDEHYDE_POSITIONS` is the GFN2-xTB minimum rebuilt by
:func:`symxai.data.xtb.optimise_malondialdehyde` (see there).

**Data** (:func:`symxai.data.xtb.generate_dataset`, run by
``examples/generate_malondialdehyde.py``; shipped as ``symxai/data/malondialdehyde.npz``,
read by :func:`load_malondialdehyde_data`): GFN2-xTB energies (eV) and forces (eV/Å) of
Langevin MD frames at 300, 600 and 1000 K (``kind == "md"``) and of the 61 images of the
proton-transfer minimum-energy path (``kind == "path"``), 1,561 frames in all.
:func:`malondialdehyde_split` is the fixed train/validation/test split.

The transfer coordinate :func:`transfer_coordinate` is ``d(O3-H5) - d(O4-H5)`` (Å):
negative with H5 on O3, positive with H5 on O4.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np

__all__ = [
    "ACCEPTOR",
    "DATA_NAME",
    "DONOR",
    "MALONDIALDEHYDE_POSITIONS",
    "MALONDIALDEHYDE_SMILES",
    "MALONDIALDEHYDE_SYMBOLS",
    "MODEL_ELEMENTS",
    "PROTON",
    "TAUTOMER_PERMUTATION",
    "load_malondialdehyde_data",
    "malondialdehyde",
    "malondialdehyde_split",
    "mirror_tautomer",
    "transfer_coordinate",
]

MALONDIALDEHYDE_SMILES = "O=C/C=C\\O"
"""SMILES of the (Z)-enol the geometry is built from (RDKit atom order O C C C O)."""

MALONDIALDEHYDE_SYMBOLS: tuple[str, ...] = ("C", "C", "C", "O", "O", "H", "H", "H", "H")
"""Elements in the fixed atom order C0 C1 C2 O3 O4 H5 H6 H7 H8."""

DONOR, ACCEPTOR, PROTON = 3, 4, 5
"""Indices of O3 (bonded to the hydroxyl proton in :func:`malondialdehyde`), O4 (the
carbonyl oxygen) and H5 (the hydroxyl proton that moves)."""

TAUTOMER_PERMUTATION: tuple[int, ...] = (2, 1, 0, 4, 3, 5, 8, 7, 6)
"""The atom relabelling that maps one tautomer onto the other: C0<->C2, O3<->O4, H6<->H8."""

MODEL_ELEMENTS: tuple[str, ...] = ("H", "C", "O")
"""Elements of the data set, so the only ones a model trained on it has seen."""

MALONDIALDEHYDE_POSITIONS = np.array(
    [
        [-1.18540610, 0.46782680, 0.00000000],
        [0.00008343, 1.12828309, 0.00000000],
        [1.22787132, 0.38624413, 0.00000000],
        [-1.30481383, -0.83741754, 0.00000000],
        [1.29386846, -0.83741754, 0.00000000],
        [-0.38198088, -1.22112125, 0.00000000],
        [-2.13467657, 0.99381586, 0.00000000],
        [0.03126867, 2.20280566, 0.00000000],
        [2.15211814, 0.98643667, 0.00000000],
    ]
)
"""Cartesian coordinates (Å) of :func:`malondialdehyde`, the GFN2-xTB minimum (see the
module docstring); rebuilt by :func:`symxai.data.xtb.optimise_malondialdehyde`."""

DATA_NAME = "malondialdehyde.npz"


def malondialdehyde() -> Any:
    """The enol form of malondialdehyde as ``ase.Atoms`` (atoms C0 C1 C2 O3 O4 H5 H6 H7 H8,
    H5 the hydroxyl proton on O3), at the GFN2-xTB minimum; no calculator attached."""
    from ase import Atoms

    return Atoms(symbols=list(MALONDIALDEHYDE_SYMBOLS), positions=MALONDIALDEHYDE_POSITIONS)


def transfer_coordinate(positions: Any) -> np.ndarray | float:
    """Proton-transfer coordinate ``d(O3-H5) - d(O4-H5)`` in Å of ``[n, 3]`` positions (a
    float), of ``[F, n, 3]`` frames (an array), or of ``ase.Atoms``. Negative while H5 is
    bonded to O3, positive once it is bonded to O4."""
    if hasattr(positions, "get_positions"):
        positions = positions.get_positions()
    pos = np.asarray(positions, dtype=np.float64)
    d_donor = np.linalg.norm(pos[..., PROTON, :] - pos[..., DONOR, :], axis=-1)
    d_acceptor = np.linalg.norm(pos[..., PROTON, :] - pos[..., ACCEPTOR, :], axis=-1)
    out = d_donor - d_acceptor
    return float(out) if out.ndim == 0 else out


def _kabsch(mobile: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``mobile`` rigidly rotated and translated onto ``target`` (least squares, proper)."""
    mobile_centre, target_centre = mobile.mean(0), target.mean(0)
    a, b = mobile - mobile_centre, target - target_centre
    u, _, vt = np.linalg.svd(a.T @ b)
    sign = np.sign(np.linalg.det(u @ vt))
    rotation = u @ np.diag([1.0, 1.0, sign]) @ vt
    return a @ rotation + target_centre


def mirror_tautomer(atoms: Any) -> Any:
    """The equivalent tautomer of ``atoms`` with H5 on the other oxygen: the same geometry
    relabelled by :data:`TAUTOMER_PERMUTATION` (C0<->C2, O3<->O4, H6<->H8) and rigidly
    aligned onto ``atoms``, so that only the proton and small skeleton motions separate
    the two. Same energy by symmetry; no calculator attached."""
    from ase import Atoms

    positions = atoms.get_positions()[list(TAUTOMER_PERMUTATION)]
    return Atoms(
        symbols=atoms.get_chemical_symbols(),
        positions=_kabsch(positions, atoms.get_positions()),
    )


def load_malondialdehyde_data() -> dict[str, np.ndarray]:
    """The shipped GFN2-xTB data set ``symxai/data/malondialdehyde.npz`` as a dict of numpy
    arrays (see :func:`generate_dataset` for the keys, shapes and units)."""
    with resources.as_file(resources.files("symxai.data") / DATA_NAME) as path:
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing; run examples/generate_malondialdehyde.py to create it"
            )
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}


def malondialdehyde_split(
    data: dict[str, np.ndarray] | None = None,
    *,
    seed: int = 0,
    fractions: tuple[float, float] = (0.8, 0.1),
) -> dict[str, np.ndarray]:
    """Fixed train/val/test frame indices: within every group of frames (each MD
    temperature, the path) a ``seed``-ed permutation is cut into ``fractions[0]`` train,
    ``fractions[1]`` validation and the rest test. Path frames are in all three splits."""
    data = load_malondialdehyde_data() if data is None else data
    groups = np.char.add(data["kind"].astype(str), data["temperature"].astype(int).astype(str))
    rng = np.random.default_rng(seed)
    out: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for group in sorted(set(groups.tolist())):
        members = np.flatnonzero(groups == group)
        order = members[rng.permutation(len(members))]
        train_end = round(fractions[0] * len(members))
        val_end = train_end + max(1, round(fractions[1] * len(members)))
        out["train"].append(order[:train_end])
        out["val"].append(order[train_end:val_end])
        out["test"].append(order[val_end:])
    return {name: np.sort(np.concatenate(parts)) for name, parts in out.items()}
