"""Data-set query search with the dividends of all molecules computed together (packed
connected coalitions) gives the same table as one explanation (walks) per molecule."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symxai.backends.coalition_graph import CoalitionGraph
from symxai.backends.packed_coalitions import pack_coalitions
from symxai.domains.molecules import load_molecules
from symxai.domains.molecules.dividends import molecule_dividends
from symxai.domains.molecules.domain import MoleculeDomain
from tests.conftest import invoke_cli

ARGS = ["--limit", "30", "-a", "N", "-a", "O", "-a", "C", "-a", "Cl", "--top", "12", "--json"]


def test_batched_data_set_search_equals_per_molecule_search(monkeypatch) -> None:
    batched = invoke_cli("search", "--data", "Mutagenicity", *ARGS)
    assert batched.exit_code == 0, batched.output
    monkeypatch.setattr(MoleculeDomain, "dividends_many", lambda self, *a, **k: None)
    one_by_one = invoke_cli("search", "--data", "Mutagenicity", *ARGS)
    assert one_by_one.exit_code == 0, one_by_one.output
    fast, slow = json.loads(batched.output), json.loads(one_by_one.output)
    assert fast["candidates"] == slow["candidates"] and fast["inputs"] == slow["inputs"]
    assert [q["query"] for q in fast["queries"]] == [q["query"] for q in slow["queries"]]
    for mine, theirs in zip(fast["queries"], slow["queries"], strict=True):
        for key, value in theirs.items():
            if isinstance(value, float):
                assert mine[key] == pytest.approx(value, rel=1e-5, abs=1e-7), key
            else:
                assert mine[key] == value, key


def test_molecule_dividends_equal_walk_dividends(mutagenicity_gin) -> None:
    from symxai.domains.molecules import explain_molecule

    molecules = load_molecules("Mutagenicity")[40:70]
    decompositions = molecule_dividends(molecules, mutagenicity_gin.model, checked_molecules=4)
    assert decompositions is not None
    for molecule, decomposition in zip(molecules, decompositions, strict=True):
        walks = explain_molecule(molecule, mutagenicity_gin.model).dividends()
        assert decomposition.max_order == walks.max_order == 4
        assert decomposition.complete and walks.complete
        ours = dict(zip(decomposition.subsets(), decomposition.values, strict=True))
        theirs = dict(zip(walks.subsets(), walks.values, strict=True))
        scale = np.abs(walks.values).max()
        for subset in set(ours) | set(theirs):
            assert ours.get(subset, 0.0) == pytest.approx(theirs.get(subset, 0.0), abs=1e-5 * scale)


def test_packed_coalitions_touch_nowhere() -> None:
    path = CoalitionGraph(7, np.array([[0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]]), 3)
    members = np.array([[-1, -1], [0, -1], [3, -1], [6, -1], [1, 2], [4, 5], [2, 3]])
    copy_of_row, copies = pack_coalitions(members, path.adjacency())
    assert copy_of_row[0] == -1 and copies >= 2
    adjacency = path.adjacency() | np.eye(7, dtype=bool)
    for copy in range(copies):
        rows = [members[r][members[r] >= 0] for r in np.flatnonzero(copy_of_row == copy)]
        for a in range(len(rows)):
            for b in range(a + 1, len(rows)):
                assert not adjacency[np.ix_(rows[a], rows[b])].any()
