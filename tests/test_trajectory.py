"""Structure explanations and trajectory query relevance (tiny stock SchNet)."""

from __future__ import annotations

import ase
import ase.io
import numpy as np
import pytest

from symxai import Explanation
from symxai.backends.schnet_lrp import SchNetLRPBackend
from symxai.domains.structures import (
    explain_structure,
    molecule_space,
    plot_trajectory,
    trajectory_relevances,
)
from tests.test_schnet_lrp import NUMBERS, frames, tiny_schnet

QUERIES = ["H3 & O2", "H3 & O2 & ~C1", "O | H4"]


def test_trajectory_relevances_equal_per_frame_explanations(tmp_path) -> None:
    model = tiny_schnet(False)
    trajectory = frames(4)
    table = trajectory_relevances(NUMBERS, trajectory, QUERIES, model)
    assert list(table.columns) == ["relevance_all_atoms", *QUERIES] and len(table) == 4
    space = molecule_space(ase.Atoms(numbers=NUMBERS, positions=trajectory[0]))
    backend = SchNetLRPBackend(model, NUMBERS, trajectory)
    for frame in range(4):
        single = Explanation(space, backend.for_frame(frame).set_function())
        expected = single.relevances(QUERIES).to_numpy()
        np.testing.assert_allclose(table[QUERIES].iloc[frame].to_numpy(), expected, atol=1e-5)
        assert table["relevance_all_atoms"].iloc[frame] == pytest.approx(single.value(), abs=1e-5)
    figure = plot_trajectory(table, np.linspace(-1, 1, 4), tmp_path / "path.png")
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="entries"):
        plot_trajectory(table, np.zeros(3), tmp_path / "bad.png")


def test_explain_structure_reads_xyz_and_uses_walk_dividends(tmp_path) -> None:
    atoms = ase.Atoms(numbers=NUMBERS, positions=frames(1)[0])
    path = tmp_path / "molecule.xyz"
    ase.io.write(path, atoms)
    explanation = explain_structure(path, tiny_schnet(True))
    assert explanation.space.names[:3] == ("C0", "C1", "O2")
    assert explanation.value() == pytest.approx(explanation.prediction, rel=1e-4)
    dividends = explanation.dividends()
    assert dividends.complete
    assert explanation.relevance("O2 & H3") == pytest.approx(
        sum(
            v
            for s, v in zip(dividends.subsets(), dividends.values, strict=True)
            if {2, 3} <= set(s)
        ),
        abs=1e-5,
    )
