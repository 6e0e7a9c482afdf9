"""Structures with non-finite or far-away coordinates (SchNet explanations)."""

from __future__ import annotations

import ase.io
import numpy as np
import pytest

from symxai import FeatureSpaceError
from symxai.backends.schnet_lrp import SchNetLRPBackend
from symxai.data.malondialdehyde import malondialdehyde
from symxai.domains.structures import (
    StructureError,
    explain_structure,
    read_structure,
    trajectory_relevances,
)
from tests.test_schnet_lrp import NUMBERS, frames, tiny_schnet

QUERIES = ["H5 & O3", "H5 & O4", "H5 & O3 & ~O4", "C", "O | H7"]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_coordinates_are_rejected_naming_atom_and_file(tmp_path, bad) -> None:
    atoms = malondialdehyde()
    atoms.positions[4, 1] = bad
    path = tmp_path / "broken.xyz"
    ase.io.write(path, atoms)
    with pytest.raises(StructureError, match=r"broken\.xyz .*NaN or infinite: O4 \(atom 4, O\)"):
        read_structure(path)
    with pytest.raises(StructureError, match=r"O4 \(atom 4, O\)"):
        explain_structure(atoms)
    with pytest.raises(FeatureSpaceError, match="atom 4 in frame 0 are NaN or infinite"):
        SchNetLRPBackend(tiny_schnet(True), atoms.get_atomic_numbers(), atoms.positions)


@pytest.fixture(scope="module")
def reference():
    return explain_structure(malondialdehyde())


@pytest.mark.parametrize("shift", [1e6, 1e12])
def test_a_rigid_shift_changes_neither_energy_nor_relevances(shift: float) -> None:
    atoms = malondialdehyde()
    moved = atoms.copy()
    moved.positions = atoms.positions + np.array([shift, -shift, 0.5 * shift])
    # the structure the shifted coordinates represent exactly in float64
    exact = atoms.copy()
    exact.positions = moved.positions - np.array([shift, -shift, 0.5 * shift])
    near, far = explain_structure(exact), explain_structure(moved)
    assert far.prediction == pytest.approx(near.prediction, abs=1e-5)
    np.testing.assert_allclose(
        far.relevances(QUERIES).to_numpy(), near.relevances(QUERIES).to_numpy(), atol=1e-5
    )


def test_shift_by_1e6_matches_the_unshifted_structure(reference) -> None:
    # at 1e6 Å float64 keeps the coordinates to 1e-10 Å: the same as the original
    moved = malondialdehyde()
    moved.positions += 1e6
    far = explain_structure(moved)
    assert far.prediction == pytest.approx(reference.prediction, abs=1e-5)
    np.testing.assert_allclose(
        far.relevances(QUERIES).to_numpy(), reference.relevances(QUERIES).to_numpy(), atol=1e-5
    )


def test_trajectory_relevances_are_shift_invariant() -> None:
    model = tiny_schnet(False)
    trajectory = frames(3)
    near = trajectory_relevances(NUMBERS, trajectory, ["H3 & O2", "O2 | C1"], model)
    far = trajectory_relevances(NUMBERS, trajectory + 1e6, ["H3 & O2", "O2 | C1"], model)
    np.testing.assert_allclose(far.to_numpy(), near.to_numpy(), atol=1e-5)
