"""Quantum chemistry: malondialdehyde, GFN2-xTB data, a SchNet potential and atoms as features.

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

Source of the geometry (:func:`optimise_malondialdehyde` rebuilds it): RDKit embeds
SMILES ``O=C/C=C\\O`` with explicit hydrogens (ETKDG, random seed 0) and relaxes it with
MMFF94; the O=C-C=C and C=C-O-H dihedrals are set to 0° (MMFF prefers the open rotamer
without the hydrogen bond); ASE's BFGS then relaxes it with GFN2-xTB (``tblite``) to a
largest force below 1e-3 eV/Å; the atoms are reordered as above and the molecule is put
in a standard frame (centre of mass at the origin, molecular plane = xy, O3 -> O4 along
+x). The result is stored below as :data:`MALONDIALDEHYDE_POSITIONS` (Å).

**Data** (:func:`generate_dataset`, run by ``examples/generate_malondialdehyde.py``;
shipped as ``symxai/data/malondialdehyde.npz``, read by
:func:`load_malondialdehyde_data`). GFN2-xTB energies (eV) and forces (eV/Å) from
``tblite`` (:func:`xtb_calculator`) for

* ``kind == "md"``: Langevin molecular dynamics (ASE; 0.5 fs steps, friction 0.01/fs,
  centre of mass fixed) started from the minimum at each temperature (300, 600 and
  1000 K), 500 frames per temperature, one every 10 steps after 200 steps of
  equilibration. At 600 K the proton hops between the oxygens; at 1000 K the hydroxyl
  also rotates out of the hydrogen bond now and then;
* ``kind == "path"``: the proton-transfer minimum-energy path from the tautomer with
  H5 on O3 to the equivalent one with H5 on O4 (:func:`mirror_tautomer`): a climbing-image
  nudged elastic band of 61 images (ASE ``NEB``, improved tangents, IDPP interpolation)
  relaxed with FIRE and GFN2-xTB to 0.01 eV/Å; the barrier is 0.163 eV.

1,561 frames in all (333 kB compressed), generated in about 70 s on one core.

Every stored energy and force is a fresh single point at the stored float32 positions,
so that ``xtb(positions) == energies`` exactly up to the SCF tolerance. The transfer
coordinate :func:`transfer_coordinate` is ``d(O3-H5) - d(O4-H5)`` (Å): negative with H5
on O3, positive with H5 on O4.

**Model.** :func:`train_malondialdehyde_schnet` fits the stock schnetpack SchNet of
:func:`symxai.models.schnet.build_schnet` (3 interactions x 64, 20 Gaussians, 5 Å cutoff)
to energies and forces: loss ``0.1 * MSE(E) + 0.9 * MSE(F)`` (eV, eV/Å), Adam with a
cosine decay from 1e-3 to 1e-5, batches of 32, 150 epochs (about 3 minutes on 2 CPU
cores), on the fixed split :func:`malondialdehyde_split` (80/10/10 within every
temperature and within the path, so that path frames are in all splits); the weights of
the best validation loss are kept. The shipped model (this default) has test errors of
18.3 meV (energy) and 52.8 meV/Å (forces), listed in
``symxai/data/models/malondialdehyde_schnet.json``; schnetpack's usual weights 0.01/0.99
(``energy_weight=0.01``) give 13.9 meV and 48.3 meV/Å on the same split.
:func:`~symxai.models.schnet.load_malondialdehyde_schnet` loads the shipped model.

**Features.** :func:`molecule_space` names the atoms ``C0 C1 C2 O3 O4 H5 ..`` (element and
index) with an ``element`` label column, so that ``H5 & O3 & ~O4``, ``O`` (every oxygen) and
``element:H`` resolve. :func:`read_structure` reads ``.xyz``/``.extxyz`` files (or takes
``ase.Atoms``) and rejects structures the model cannot handle with a
:class:`StructureError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

from symxai.errors import SymxaiError
from symxai.features import FeatureSpace
from symxai.models.schnet import (
    SCHNET_CONFIG,
    TrainedChemistry,
    build_schnet,
    load_malondialdehyde_schnet,
    save_trained,
    schnet_inputs,
    schnet_predict,
)

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
    "StructureError",
    "TrainedChemistry",
    "evaluate_schnet",
    "generate_dataset",
    "load_malondialdehyde_data",
    "load_malondialdehyde_schnet",
    "malondialdehyde",
    "malondialdehyde_split",
    "mirror_tautomer",
    "molecule_space",
    "optimise_malondialdehyde",
    "proton_transfer_path",
    "read_structure",
    "run_md",
    "save_dataset",
    "save_trained",
    "train_malondialdehyde_schnet",
    "transfer_coordinate",
    "xtb_calculator",
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
"""Elements the malondialdehyde SchNet has seen."""

_RDKIT_ORDER = (3, 2, 1, 4, 0, 8, 7, 6, 5)
"""RDKit atom indices (SMILES order O0 C1 C2 C3 O4, then H5 on C1, H6 on C2, H7 on C3,
H8 on O4) of C0 C1 C2 O3 O4 H5 H6 H7 H8."""

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
module docstring); rebuilt by :func:`optimise_malondialdehyde`."""

DATA_NAME = "malondialdehyde.npz"
_XTB_METHOD = "GFN2-xTB"


class StructureError(SymxaiError, ValueError):
    """A structure cannot be read, or the model cannot handle it (no atoms, overlapping
    atoms, elements the model has not seen)."""


# ------------------------------------------------------------------------ geometry
def xtb_calculator(**settings: Any) -> Any:
    """A ``tblite`` GFN2-xTB ASE calculator (energies in eV, forces in eV/Å), silent."""
    from tblite.ase import TBLite

    return TBLite(method=_XTB_METHOD, verbosity=0, **settings)


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


def _masses() -> np.ndarray:
    from ase.data import atomic_masses, atomic_numbers

    return np.array([atomic_masses[atomic_numbers[s]] for s in MALONDIALDEHYDE_SYMBOLS])


def _standard_frame(positions: np.ndarray) -> np.ndarray:
    """Centre of mass at the origin, best molecular plane = xy, O3 -> O4 along +x."""
    masses = _masses()
    pos = positions - (masses[:, None] * positions).sum(0) / masses.sum()
    normal = np.linalg.svd(pos - pos.mean(0))[2][2]
    x_axis = pos[ACCEPTOR] - pos[DONOR]
    x_axis -= x_axis.dot(normal) * normal
    x_axis /= np.linalg.norm(x_axis)
    y_axis = np.cross(normal, x_axis)
    if pos[1].dot(y_axis) < 0:  # the central carbon C1 on +y
        y_axis, normal = -y_axis, -normal
    return pos @ np.stack([x_axis, y_axis, normal]).T


def optimise_malondialdehyde(*, fmax: float = 1e-3, seed: int = 0) -> Any:
    """Rebuild :func:`malondialdehyde` from scratch: RDKit embedding of
    :data:`MALONDIALDEHYDE_SMILES` (ETKDG, ``seed``) + MMFF94, the hydrogen-bonded rotamer
    (O=C-C=C and C=C-O-H dihedrals set to 0°), GFN2-xTB relaxation (BFGS to ``fmax``
    eV/Å), atoms reordered to C0 C1 C2 O3 O4 H5 H6 H7 H8, standard frame. Returns
    ``ase.Atoms`` with the xTB calculator attached."""
    from ase import Atoms
    from ase.optimize import BFGS
    from rdkit import Chem
    from rdkit.Chem import AllChem, rdMolTransforms

    mol = Chem.AddHs(Chem.MolFromSmiles(MALONDIALDEHYDE_SMILES))
    if AllChem.EmbedMolecule(mol, randomSeed=seed) != 0:
        raise RuntimeError("RDKit could not embed malondialdehyde")
    AllChem.MMFFOptimizeMolecule(mol)
    conformer = mol.GetConformer()
    rdMolTransforms.SetDihedralDeg(conformer, 0, 1, 2, 3, 0.0)  # O=C-C=C: s-cis
    rdMolTransforms.SetDihedralDeg(conformer, 2, 3, 4, 8, 0.0)  # C=C-O-H: H towards O=C
    positions = conformer.GetPositions()[list(_RDKIT_ORDER)]
    atoms = Atoms(symbols=list(MALONDIALDEHYDE_SYMBOLS), positions=positions)
    atoms.calc = xtb_calculator()
    BFGS(atoms, logfile=None).run(fmax=fmax, steps=1000)
    atoms.positions = _standard_frame(atoms.positions)
    atoms.calc = xtb_calculator()
    return atoms


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


def proton_transfer_path(
    start: Any | None = None,
    *,
    images: int = 61,
    fmax: float = 0.01,
    steps: int = 1000,
    spring: float = 0.1,
) -> tuple[list[Any], dict[str, Any]]:
    """The proton-transfer minimum-energy path from ``start`` (default
    :func:`malondialdehyde`: H5 on O3) to :func:`mirror_tautomer` (H5 on O4): ``images``
    images including both end points, IDPP interpolation, climbing-image NEB relaxed with
    FIRE and GFN2-xTB to ``fmax`` eV/Å. Returns the images (positions only) and
    ``{"converged", "steps", "barrier_eV"}``."""
    from ase.mep import NEB
    from ase.optimize import FIRE

    if images < 3:
        raise ValueError(f"a path needs at least 3 images, got {images}")
    start = malondialdehyde() if start is None else start.copy()
    end = mirror_tautomer(start)
    band = [start] + [start.copy() for _ in range(images - 2)] + [end]
    for image in band:
        image.calc = xtb_calculator()
    neb = NEB(band, k=spring, climb=True, method="improvedtangent")
    neb.interpolate(method="idpp")
    optimiser = FIRE(neb, logfile=None)
    converged = bool(optimiser.run(fmax=fmax, steps=steps))
    energies = np.array([image.get_potential_energy() for image in band])
    info = {
        "converged": converged,
        "steps": int(optimiser.nsteps),
        "barrier_eV": float(energies.max() - energies[0]),
    }
    return [image.copy() for image in band], info


def run_md(
    start: Any | None = None,
    *,
    temperature: float,
    frames: int,
    interval: int = 10,
    equilibration: int = 200,
    timestep_fs: float = 0.5,
    friction_per_fs: float = 0.01,
    seed: int = 0,
) -> list[Any]:
    """Langevin dynamics with GFN2-xTB from ``start`` (default :func:`malondialdehyde`),
    velocities drawn at ``temperature`` K; after ``equilibration`` steps one frame every
    ``interval`` steps. Returns ``frames`` copies (positions only)."""
    from ase import units
    from ase.constraints import FixCom
    from ase.md import velocitydistribution
    from ase.md.langevin import Langevin

    atoms = malondialdehyde() if start is None else start.copy()
    atoms.calc = xtb_calculator()
    rng = np.random.default_rng(seed)
    # thermalize_momenta replaces MaxwellBoltzmannDistribution from ASE 3.27 on
    thermalize = getattr(velocitydistribution, "thermalize_momenta", None)
    if thermalize is None:
        thermalize = velocitydistribution.MaxwellBoltzmannDistribution
    thermalize(atoms, temperature_K=temperature, rng=rng)
    velocitydistribution.Stationary(atoms)
    velocitydistribution.ZeroRotation(atoms)
    # the centre of mass is held by a constraint: Langevin's fixcm=True is deprecated in
    # ASE 3.28 because it does not sample the NVT distribution of small systems exactly
    atoms.set_constraint(FixCom())
    dynamics = Langevin(
        atoms,
        timestep=timestep_fs * units.fs,
        temperature_K=temperature,
        friction=friction_per_fs / units.fs,
        fixcm=False,
        rng=rng,
    )
    dynamics.run(equilibration)
    out = []
    for _ in range(frames):
        dynamics.run(interval)
        frame = atoms.copy()
        frame.set_constraint()
        out.append(frame)
    return out


def _single_points(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GFN2-xTB energies ``[F]`` (eV) and forces ``[F, n, 3]`` (eV/Å) of malondialdehyde
    frames, one fresh calculator per frame (no wavefunction carried over)."""
    from ase import Atoms

    energies = np.empty(len(positions))
    forces = np.empty(positions.shape)
    for index, frame in enumerate(positions):
        atoms = Atoms(symbols=list(MALONDIALDEHYDE_SYMBOLS), positions=frame.astype(np.float64))
        atoms.calc = xtb_calculator()
        energies[index] = atoms.get_potential_energy()
        forces[index] = atoms.get_forces()
    return energies, forces


def generate_dataset(
    *,
    temperatures: Sequence[float] = (300.0, 600.0, 1000.0),
    frames_per_temperature: int = 500,
    interval: int = 10,
    equilibration: int = 200,
    path_images: int = 61,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, np.ndarray]:
    """GFN2-xTB data of malondialdehyde: MD frames at each temperature, then the images of
    the proton-transfer path (see the module docstring). Seeded: MD at temperature number
    ``t`` uses ``seed + t``. Returns the arrays stored by :func:`save_dataset`:

    ``positions`` float32 ``[F, 9, 3]`` (Å), ``forces`` float32 ``[F, 9, 3]`` (eV/Å),
    ``energies`` float64 ``[F]`` (eV), ``kind`` ``[F]`` (``"md"``/``"path"``),
    ``temperature`` float32 ``[F]`` (K; 0 for path images), ``coordinate`` float32 ``[F]``
    (:func:`transfer_coordinate`, Å), ``index`` int32 ``[F]`` (frame number within its MD
    run, image number along the path), ``numbers`` int64 ``[9]``, ``minimum`` float64
    ``[9, 3]`` (:data:`MALONDIALDEHYDE_POSITIONS`), ``method``, ``seconds`` (generation
    time) and ``settings`` (a JSON string of the arguments and path statistics).
    """
    import json

    report = progress or (lambda message: None)
    start_time = time.perf_counter()
    positions, kinds, temps, index = [], [], [], []
    for number, temperature in enumerate(temperatures):
        tic = time.perf_counter()
        frames = run_md(
            temperature=float(temperature),
            frames=frames_per_temperature,
            interval=interval,
            equilibration=equilibration,
            seed=seed + number,
        )
        positions.extend(frame.get_positions() for frame in frames)
        kinds.extend(["md"] * len(frames))
        temps.extend([float(temperature)] * len(frames))
        index.extend(range(len(frames)))
        report(f"MD {temperature:.0f} K: {len(frames)} frames in {time.perf_counter() - tic:.1f} s")
    tic = time.perf_counter()
    band, path_info = proton_transfer_path(images=path_images)
    positions.extend(image.get_positions() for image in band)
    kinds.extend(["path"] * len(band))
    temps.extend([0.0] * len(band))
    index.extend(range(len(band)))
    report(
        f"NEB: {len(band)} images in {time.perf_counter() - tic:.1f} s, {path_info['steps']} steps,"
        f" converged {path_info['converged']}, barrier {path_info['barrier_eV']:.3f} eV"
    )
    tic = time.perf_counter()
    stored = np.asarray(positions, dtype=np.float32)
    energies, forces = _single_points(stored)
    report(f"single points: {len(stored)} frames in {time.perf_counter() - tic:.1f} s")
    settings = {
        "temperatures_K": [float(t) for t in temperatures],
        "frames_per_temperature": frames_per_temperature,
        "interval_steps": interval,
        "equilibration_steps": equilibration,
        "timestep_fs": 0.5,
        "friction_per_fs": 0.01,
        "path_images": path_images,
        "seed": seed,
        **{f"path_{key}": value for key, value in path_info.items()},
    }
    from ase.data import atomic_numbers

    return {
        "positions": stored,
        "forces": forces.astype(np.float32),
        "energies": energies.astype(np.float64),
        "kind": np.asarray(kinds, dtype="<U4"),
        "temperature": np.asarray(temps, dtype=np.float32),
        "coordinate": transfer_coordinate(stored).astype(np.float32),
        "index": np.asarray(index, dtype=np.int32),
        "numbers": np.array([atomic_numbers[s] for s in MALONDIALDEHYDE_SYMBOLS], dtype=np.int64),
        "minimum": np.asarray(MALONDIALDEHYDE_POSITIONS, dtype=np.float64),
        "method": np.asarray(_XTB_METHOD),
        "seconds": np.asarray(round(time.perf_counter() - start_time, 1)),
        "settings": np.asarray(json.dumps(settings)),
    }


def save_dataset(data: dict[str, np.ndarray], path: str | Path) -> Path:
    """Write the arrays of :func:`generate_dataset` to a compressed ``.npz`` file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **data)
    return path


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


# --------------------------------------------------------------------- training
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


# ------------------------------------------------------------------------ features
def molecule_space(atoms: Any) -> FeatureSpace:
    """Atoms as features: names ``C0 C1 C2 O3 O4 H5 ..`` (element symbol + index), label
    column ``element``. ``H5 & O3 & ~O4`` names single atoms, ``O`` or ``element:O`` every
    oxygen."""
    return FeatureSpace.from_elements(atoms.get_chemical_symbols())


def _atom_names(symbols: Sequence[str]) -> list[str]:
    return [f"{symbol}{index}" for index, symbol in enumerate(symbols)]


def _check_finite(positions: np.ndarray, symbols: Sequence[str], where: str) -> None:
    """:class:`StructureError` naming the atoms whose coordinates are NaN or infinite."""
    bad = np.flatnonzero(~np.isfinite(np.asarray(positions, dtype=np.float64)).all(axis=1))
    if bad.size:
        names = _atom_names(symbols)
        shown = ", ".join(f"{names[i]} (atom {i}, {symbols[i]})" for i in bad[:5])
        more = f" and {bad.size - 5} more" if bad.size > 5 else ""
        raise StructureError(
            f"{where} has coordinates that are NaN or infinite: {shown}{more}; "
            "every coordinate must be a finite number of Å"
        )


def read_structure(
    source: str | Path | Any,
    *,
    elements: Iterable[str] = MODEL_ELEMENTS,
    min_distance: float = 0.5,
) -> Any:
    """A structure as ``ase.Atoms``: an ``.xyz``/``.extxyz`` file (the last frame of a
    trajectory, read by ``ase.io.read``) or an ``ase.Atoms`` (copied).

    Raises :class:`StructureError` (a ``ValueError``) for a file that is missing or cannot
    be read (naming the path), a structure without atoms, coordinates that are NaN or
    infinite (naming the atoms and the file), atoms closer than
    ``min_distance`` Å (naming the atoms and their distance), and elements outside
    ``elements`` (the elements the model knows, default H, C, O).
    """
    from ase import Atoms

    if isinstance(source, Atoms):
        atoms = source.copy()
        where = "the structure"
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise StructureError(f"cannot read structure file {path}: no such file")
        try:
            import ase.io

            atoms = ase.io.read(path)
        except Exception as error:
            raise StructureError(
                f"cannot read structure file {path}: {type(error).__name__}: {error}"
            ) from error
        if not isinstance(atoms, Atoms):
            raise StructureError(f"cannot read structure file {path}: no structure in it")
    if len(atoms) == 0:
        raise StructureError(f"{where} has no atoms")
    _check_finite(atoms.get_positions(), atoms.get_chemical_symbols(), where)
    known = tuple(elements)
    symbols = atoms.get_chemical_symbols()
    unknown = sorted(set(symbols) - set(known), key=symbols.index)
    if unknown:
        names = _atom_names(symbols)
        offenders = [name for name, symbol in zip(names, symbols, strict=True) if symbol in unknown]
        raise StructureError(
            f"{where} contains element{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} ({', '.join(offenders[:5])}"
            f"{', ...' if len(offenders) > 5 else ''}) that the model never saw;"
            f" it knows {', '.join(known)}"
        )
    if len(atoms) > 1:
        positions = atoms.get_positions()
        distances = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
        distances[np.tril_indices(len(atoms))] = np.inf
        i, j = np.unravel_index(np.argmin(distances), distances.shape)
        if distances[i, j] < min_distance:
            names = _atom_names(symbols)
            count = int((distances < min_distance).sum())
            more = f" ({count} pairs in all)" if count > 1 else ""
            raise StructureError(
                f"{where} has overlapping atoms: {names[i]} and {names[j]} are "
                f"{distances[i, j]:.3f} Å apart (minimum {min_distance} Å){more}"
            )
    return atoms
