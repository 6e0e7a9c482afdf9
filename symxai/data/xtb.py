"""GFN2-xTB data of malondialdehyde: geometry optimisation, molecular dynamics, the
proton-transfer path, and the data set that ships with symxai.

Source of the geometry (:func:`optimise_malondialdehyde` rebuilds it): RDKit embeds
SMILES ``O=C/C=C\\O`` with explicit hydrogens (ETKDG, random seed 0) and relaxes it with
MMFF94; the O=C-C=C and C=C-O-H dihedrals are set to 0° (MMFF prefers the open rotamer
without the hydrogen bond); ASE's BFGS then relaxes it with GFN2-xTB (``tblite``) to a
largest force below 1e-3 eV/Å; the atoms are reordered as in
:mod:`symxai.data.malondialdehyde` and the molecule is put in a standard frame (centre
of mass at the origin, molecular plane = xy, O3 -> O4 along +x). The result is stored as
:data:`~symxai.data.malondialdehyde.MALONDIALDEHYDE_POSITIONS` (Å).

**Data** (:func:`generate_dataset`, run by ``examples/generate_malondialdehyde.py``;
shipped as ``symxai/data/malondialdehyde.npz``, read by
:func:`~symxai.data.malondialdehyde.load_malondialdehyde_data`). GFN2-xTB energies (eV)
and forces (eV/Å) from ``tblite`` (:func:`xtb_calculator`) for

* ``kind == "md"``: Langevin molecular dynamics (ASE; 0.5 fs steps, friction 0.01/fs,
  centre of mass fixed) started from the minimum at each temperature (300, 600 and
  1000 K), 500 frames per temperature, one every 10 steps after 200 steps of
  equilibration. At 600 K the proton hops between the oxygens; at 1000 K the hydroxyl
  also rotates out of the hydrogen bond now and then;
* ``kind == "path"``: the proton-transfer minimum-energy path from the tautomer with
  H5 on O3 to the equivalent one with H5 on O4
  (:func:`~symxai.data.malondialdehyde.mirror_tautomer`): a climbing-image nudged
  elastic band of 61 images (ASE ``NEB``, improved tangents, IDPP interpolation)
  relaxed with FIRE and GFN2-xTB to 0.01 eV/Å; the barrier is 0.163 eV.

1,561 frames in all (333 kB compressed), generated in about 70 s on one core.

Every stored energy and force is a fresh single point at the stored float32 positions,
so that ``xtb(positions) == energies`` exactly up to the SCF tolerance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symxai.data.malondialdehyde import (
    ACCEPTOR,
    DONOR,
    MALONDIALDEHYDE_POSITIONS,
    MALONDIALDEHYDE_SMILES,
    MALONDIALDEHYDE_SYMBOLS,
    malondialdehyde,
    mirror_tautomer,
    transfer_coordinate,
)

__all__ = [
    "generate_dataset",
    "optimise_malondialdehyde",
    "proton_transfer_path",
    "run_md",
    "save_dataset",
    "xtb_calculator",
]

_RDKIT_ORDER = (3, 2, 1, 4, 0, 8, 7, 6, 5)
"""RDKit atom indices (SMILES order O0 C1 C2 C3 O4, then H5 on C1, H6 on C2, H7 on C3,
H8 on O4) of C0 C1 C2 O3 O4 H5 H6 H7 H8."""

_XTB_METHOD = "GFN2-xTB"


def xtb_calculator(**settings: Any) -> Any:
    """A ``tblite`` GFN2-xTB ASE calculator (energies in eV, forces in eV/Å), silent."""
    from tblite.ase import TBLite

    return TBLite(method=_XTB_METHOD, verbosity=0, **settings)


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
