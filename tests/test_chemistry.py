"""Quantum chemistry: shipped xTB data of malondialdehyde, the shipped SchNet, structures."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import torch
from ase import Atoms

from symxai import parse_query
from symxai._compat import import_schnetpack
from symxai.data.malondialdehyde import (
    ACCEPTOR,
    DONOR,
    MALONDIALDEHYDE_POSITIONS,
    PROTON,
    load_malondialdehyde_data,
    malondialdehyde,
    malondialdehyde_split,
    mirror_tautomer,
    transfer_coordinate,
)
from symxai.data.xtb import generate_dataset, optimise_malondialdehyde, xtb_calculator
from symxai.domains.structures import StructureError, molecule_space, read_structure
from symxai.errors import SymxaiError
from symxai.models.schnet import ATOMIC_ENERGIES_KEY, build_schnet, schnet_inputs, schnet_predict
from symxai.training.schnet import (
    evaluate_schnet,
    train_malondialdehyde_schnet,
)

MD_FRAMES, PATH_IMAGES, TEMPERATURES = 500, 61, (300.0, 600.0, 1000.0)


@pytest.fixture(scope="module")
def data() -> dict[str, np.ndarray]:
    return load_malondialdehyde_data()


def xtb(positions: np.ndarray) -> Atoms:
    atoms = malondialdehyde()
    atoms.positions = np.asarray(positions, dtype=np.float64)
    atoms.calc = xtb_calculator()
    return atoms


# --------------------------------------------------------------------- molecule
def test_malondialdehyde_atom_order_and_hydrogen_bond() -> None:
    atoms = malondialdehyde()
    assert atoms.get_chemical_symbols() == ["C", "C", "C", "O", "O", "H", "H", "H", "H"]
    distance = atoms.get_distance
    assert distance(DONOR, PROTON) < 1.05  # O3-H5 bond
    assert 1.5 < distance(ACCEPTOR, PROTON) < 2.0  # H5...O4 hydrogen bond
    assert distance(0, DONOR) > distance(2, ACCEPTOR)  # C0-O3 single, C2=O4 double bond
    for hydrogen, carbon in ((6, 0), (7, 1), (8, 2)):
        assert distance(hydrogen, carbon) < 1.15
    assert transfer_coordinate(atoms) < 0 < transfer_coordinate(mirror_tautomer(atoms))
    assert np.allclose(atoms.positions[:, 2], 0.0)  # planar, in the xy plane


def test_malondialdehyde_is_the_xtb_minimum_and_rebuilds_from_rdkit() -> None:
    atoms = xtb(MALONDIALDEHYDE_POSITIONS)
    assert np.abs(atoms.get_forces()).max() < 2e-3
    rebuilt = optimise_malondialdehyde()
    assert np.abs(rebuilt.get_positions() - MALONDIALDEHYDE_POSITIONS).max() < 1e-4
    mirrored = mirror_tautomer(atoms)
    mirrored.calc = xtb_calculator()
    assert mirrored.get_potential_energy() == pytest.approx(atoms.get_potential_energy(), abs=1e-5)


# ------------------------------------------------------------------------- data
def test_shipped_data_has_the_documented_arrays(data: dict[str, np.ndarray]) -> None:
    frames = len(TEMPERATURES) * MD_FRAMES + PATH_IMAGES
    assert data["positions"].shape == (frames, 9, 3) and data["positions"].dtype == np.float32
    assert data["forces"].shape == (frames, 9, 3) and data["forces"].dtype == np.float32
    assert data["energies"].shape == (frames,) and data["energies"].dtype == np.float64
    assert data["coordinate"].shape == data["temperature"].shape == data["index"].shape
    assert data["numbers"].tolist() == [6, 6, 6, 8, 8, 1, 1, 1, 1]
    assert str(data["method"]) == "GFN2-xTB"
    assert np.allclose(data["minimum"], MALONDIALDEHYDE_POSITIONS)
    kinds, counts = np.unique(data["kind"], return_counts=True)
    assert dict(zip(kinds.tolist(), counts.tolist(), strict=True)) == {
        "md": len(TEMPERATURES) * MD_FRAMES,
        "path": PATH_IMAGES,
    }
    for temperature in TEMPERATURES:
        assert ((data["kind"] == "md") & (data["temperature"] == temperature)).sum() == MD_FRAMES
    assert np.all(data["temperature"][data["kind"] == "path"] == 0)
    assert np.allclose(data["coordinate"], transfer_coordinate(data["positions"]), atol=1e-5)
    assert np.all(np.isfinite(data["energies"])) and np.all(np.isfinite(data["forces"]))
    settings = json.loads(str(data["settings"]))
    assert settings["path_converged"] and 0.1 < settings["path_barrier_eV"] < 0.25
    with resources.as_file(resources.files("symxai.data") / "malondialdehyde.npz") as path:
        assert path.stat().st_size < 5e6


def test_energies_and_forces_match_fresh_xtb_single_points(data: dict[str, np.ndarray]) -> None:
    kinds, temperatures = data["kind"], data["temperature"]
    picks = [
        int(np.flatnonzero((kinds == "md") & (temperatures == 1000.0))[7]),
        int(np.flatnonzero(kinds == "path")[PATH_IMAGES // 2]),
        int(np.flatnonzero((kinds == "md") & (temperatures == 300.0))[3]),
    ]
    for frame in picks:
        atoms = xtb(data["positions"][frame])
        assert atoms.get_potential_energy() == pytest.approx(data["energies"][frame], abs=1e-4)
        assert np.abs(atoms.get_forces() - data["forces"][frame]).max() < 1e-3


def test_forces_are_minus_the_energy_gradient_in_ev_per_angstrom(
    data: dict[str, np.ndarray],
) -> None:
    frame = int(np.flatnonzero(data["temperature"] == 600.0)[11])
    positions = data["positions"][frame].astype(np.float64)
    forces = xtb(positions).get_forces()
    step = 1e-3
    numeric = np.zeros_like(positions)
    for atom in range(9):
        for axis in range(3):
            shifted = []
            for sign in (1, -1):
                moved = positions.copy()
                moved[atom, axis] += sign * step
                shifted.append(xtb(moved).get_potential_energy())
            numeric[atom, axis] = -(shifted[0] - shifted[1]) / (2 * step)
    assert np.abs(forces).max() > 0.5  # a frame far from the minimum
    assert np.abs(numeric - forces).max() < 2e-3


def test_path_moves_h5_from_o3_to_o4(data: dict[str, np.ndarray]) -> None:
    path = data["kind"] == "path"
    order = np.argsort(data["index"][path])
    coordinate = data["coordinate"][path][order]
    positions = data["positions"][path][order]
    energies = data["energies"][path][order]
    assert coordinate[0] < -0.5 and coordinate[-1] > 0.5
    assert np.all(np.diff(coordinate) > 0)
    distance = lambda frame, a, b: np.linalg.norm(positions[frame, a] - positions[frame, b])  # noqa: E731
    assert distance(0, DONOR, PROTON) < 1.05 < 1.5 < distance(0, ACCEPTOR, PROTON)
    assert distance(-1, ACCEPTOR, PROTON) < 1.05 < 1.5 < distance(-1, DONOR, PROTON)
    assert energies[0] == pytest.approx(energies[-1], abs=1e-3)  # equivalent tautomers
    top = int(np.argmax(energies))
    assert abs(coordinate[top]) < 0.05  # the barrier sits at the symmetric geometry


def test_split_is_fixed_disjoint_and_has_path_frames_everywhere(
    data: dict[str, np.ndarray],
) -> None:
    split = malondialdehyde_split(data)
    assert sum(len(idx) for idx in split.values()) == len(data["energies"])
    assert len(np.unique(np.concatenate(list(split.values())))) == len(data["energies"])
    for indices in split.values():
        assert (data["kind"][indices] == "path").sum() >= 5
        assert set(data["temperature"][indices].tolist()) == {0.0, *TEMPERATURES}
    again = malondialdehyde_split(data)
    assert all(np.array_equal(split[name], again[name]) for name in split)


# ------------------------------------------------------------------------ model
def test_shipped_schnet_reproduces_its_reported_test_errors(
    malondialdehyde_schnet, data: dict[str, np.ndarray]
) -> None:
    metrics = malondialdehyde_schnet.metrics
    assert metrics["config"]["n_interactions"] >= 3 and metrics["config"]["n_atom_basis"] >= 64
    split = malondialdehyde_split(data)
    assert metrics["split_sizes"] == {name: len(idx) for name, idx in split.items()}
    errors = evaluate_schnet(malondialdehyde_schnet.model, data, split["test"])
    assert errors["energy_mae_eV"] == pytest.approx(metrics["energy_mae_eV"], rel=1e-3)
    assert errors["force_mae_eV_per_A"] == pytest.approx(metrics["force_mae_eV_per_A"], rel=1e-3)
    assert metrics["energy_mae_eV"] < 0.05 and metrics["force_mae_eV_per_A"] < 0.15
    path = data["kind"] == "path"
    energies, _ = schnet_predict(
        malondialdehyde_schnet.model, data["positions"][path], data["numbers"]
    )
    reference = data["energies"][path]
    barrier = reference.max() - reference.min()
    assert energies.max() - energies.min() == pytest.approx(barrier, rel=0.15)


def test_shipped_weights_load_with_weights_only() -> None:
    folder = resources.files("symxai.data") / "models"
    with (folder / "malondialdehyde_schnet.pt").open("rb") as handle:
        state = torch.load(handle, weights_only=True)
    info = json.loads((folder / "malondialdehyde_schnet.json").read_text())
    model = build_schnet(**info["config"])
    model.load_state_dict(state)
    assert float(state["postprocessors.1.mean"]) == pytest.approx(
        info["config"]["mean_energy_per_atom"]
    )


def test_model_forces_are_minus_the_autograd_gradient(
    malondialdehyde_schnet, data: dict[str, np.ndarray]
) -> None:
    model = malondialdehyde_schnet.model
    frames = data["positions"][[5, 900, 1530]]
    positions = torch.tensor(frames, dtype=torch.float32, requires_grad=True)
    inputs = schnet_inputs(positions, data["numbers"])
    model.train()  # keeps the graph of the internal force derivative (no dropout/norm layers)
    try:
        out = model({key: value.clone() for key, value in inputs.items()})
        (gradient,) = torch.autograd.grad(out["energy"].sum(), positions)
    finally:
        model.eval()
    assert torch.allclose(out["forces"].reshape(3, 9, 3).float(), -gradient, atol=1e-5)
    # per-atom contributions before the offset add up to the energy
    mean = malondialdehyde_schnet.metrics["config"]["mean_energy_per_atom"]
    atomic = out[ATOMIC_ENERGIES_KEY].reshape(3, 9).sum(1)
    assert torch.allclose(atomic + 9 * mean, out["energy"], atol=1e-4)
    # and agree with finite differences of the predicted energy
    _, forces = schnet_predict(model, frames[0], data["numbers"])
    step, atom, axis = 1e-2, PROTON, 0
    moved = np.repeat(frames[:1], 2, axis=0).astype(np.float64)
    moved[0, atom, axis] += step
    moved[1, atom, axis] -= step
    shifted, _ = schnet_predict(model, moved, data["numbers"])
    assert -(shifted[0] - shifted[1]) / (2 * step) == pytest.approx(forces[0, atom, axis], abs=5e-3)


def test_inputs_batch_frames_and_molecules_with_a_full_neighbour_list(
    malondialdehyde_schnet, data: dict[str, np.ndarray]
) -> None:
    spk = import_schnetpack()
    frames = data["positions"][[0, 1400]]
    inputs = schnet_inputs(frames, data["numbers"], cutoff=3.0)
    assert inputs[spk.properties.idx_m].tolist() == [0] * 9 + [1] * 9
    assert inputs[spk.properties.n_atoms].tolist() == [9, 9]
    pairs = set(
        zip(
            inputs[spk.properties.idx_i].tolist(),
            inputs[spk.properties.idx_j].tolist(),
            strict=True,
        )
    )
    expected = set()
    for frame, positions in enumerate(frames):
        distances = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
        i, j = np.nonzero((distances < 3.0) & ~np.eye(9, dtype=bool))
        expected |= set(zip((i + 9 * frame).tolist(), (j + 9 * frame).tolist(), strict=True))
    assert pairs == expected and len(pairs) < 2 * 72
    # the same frames one by one, and as a list of molecules, give the same energies
    together, _ = schnet_predict(malondialdehyde_schnet.model, frames, data["numbers"])
    alone = [
        schnet_predict(malondialdehyde_schnet.model, frame, data["numbers"])[0][0]
        for frame in frames
    ]
    assert np.allclose(together, alone, atol=1e-4)
    listed = schnet_inputs([frames[0], frames[1][:5]], [data["numbers"], data["numbers"][:5]])
    assert listed[spk.properties.n_atoms].tolist() == [9, 5]
    assert int(listed[spk.properties.idx_i].max()) == 13


# ---------------------------------------------------------------- feature space
def test_molecule_space_resolves_atoms_elements_and_queries() -> None:
    space = molecule_space(malondialdehyde())
    assert space.names == ("C0", "C1", "C2", "O3", "O4", "H5", "H6", "H7", "H8")
    resolved = space.resolve_query(parse_query("H5 & O3 & ~O4"))
    assert {str(atom): indices.tolist() for atom, indices in resolved.items()} == {
        "H5": [5],
        "O3": [3],
        "O4": [4],
    }
    assert space.resolve(parse_query("O")).tolist() == [3, 4]
    assert space.resolve(parse_query("element:H")).tolist() == [5, 6, 7, 8]


# ------------------------------------------------------------------- structures
def test_read_structure_reads_xyz_files_and_atoms(tmp_path: Path) -> None:
    path = tmp_path / "mda.xyz"
    malondialdehyde().write(path)
    atoms = read_structure(path)
    assert atoms.get_chemical_symbols() == malondialdehyde().get_chemical_symbols()
    assert np.allclose(atoms.positions, MALONDIALDEHYDE_POSITIONS, atol=1e-6)
    extended = tmp_path / "mda.extxyz"
    malondialdehyde().write(extended)
    assert len(read_structure(str(extended))) == 9
    original = malondialdehyde()
    copy = read_structure(original)
    copy.positions += 1.0
    assert np.allclose(original.positions, MALONDIALDEHYDE_POSITIONS)


def test_read_structure_errors_name_the_problem(tmp_path: Path) -> None:
    assert issubclass(StructureError, SymxaiError) and issubclass(StructureError, ValueError)
    with pytest.raises(StructureError, match="no atoms"):
        read_structure(Atoms())
    crowded = malondialdehyde()
    crowded.positions[8] = crowded.positions[2] + [0.3, 0.0, 0.0]
    with pytest.raises(StructureError, match=r"C2 and H8 are 0\.300 Å apart"):
        read_structure(crowded)
    chlorinated = malondialdehyde()
    chlorinated.symbols[7] = "Cl"
    with pytest.raises(StructureError, match=r"Cl \(Cl7\).*never saw; it knows H, C, O"):
        read_structure(chlorinated)
    missing = tmp_path / "nowhere.xyz"
    with pytest.raises(StructureError, match=r"nowhere\.xyz: no such file"):
        read_structure(missing)
    garbage = tmp_path / "garbage.xyz"
    garbage.write_text("three\nnot a comment\nC 0 0\n")
    with pytest.raises(StructureError, match=r"cannot read structure file .*garbage\.xyz"):
        read_structure(garbage)
    empty = tmp_path / "empty.xyz"
    empty.write_text("0\n\n")
    with pytest.raises(StructureError):
        read_structure(empty)


# ------------------------------------------------------------------------- slow
@pytest.mark.slow
def test_generate_dataset_small_run_is_seeded() -> None:
    first = generate_dataset(
        temperatures=(500.0,), frames_per_temperature=4, interval=5, equilibration=10, path_images=7
    )
    second = generate_dataset(
        temperatures=(500.0,), frames_per_temperature=4, interval=5, equilibration=10, path_images=7
    )
    assert first["positions"].shape == (11, 9, 3)
    assert first["kind"].tolist() == ["md"] * 4 + ["path"] * 7
    # MD is bit-identical; xTB's OpenMP reductions may move NEB images by ~1e-7 Å
    assert np.allclose(first["positions"], second["positions"], atol=1e-5)
    assert np.allclose(first["energies"], second["energies"], atol=1e-5)
    assert first["coordinate"][4] < 0 < first["coordinate"][-1]


@pytest.mark.slow
def test_training_a_few_epochs_lowers_the_errors(data: dict[str, np.ndarray]) -> None:
    torch.set_num_threads(1)
    small = {"n_interactions": 1, "n_atom_basis": 16, "n_rbf": 10, "cutoff": 5.0}
    short = train_malondialdehyde_schnet(epochs=1, config=small, data=data)
    longer = train_malondialdehyde_schnet(epochs=6, config=small, data=data)
    assert longer.metrics["force_mae_eV_per_A"] < short.metrics["force_mae_eV_per_A"]
    assert longer.metrics["config"]["n_atom_basis"] == 16
