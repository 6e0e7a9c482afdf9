"""The shipped Mutagenicity GIN and GNN-LRP explanations of molecules."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import symxai
from symxai import Explanation, FeatureSpaceError, UnknownAtomError, harsanyi_dividends
from symxai.data.mutagenicity import mutagenicity_split
from symxai.domains.molecules import (
    DEFAULT_RULES,
    MoleculeError,
    explain_molecule,
    load_molecules,
)
from symxai.training.graph_classifier import graph_accuracy
from symxai.training.mutagenicity import train_mutagenicity_gin

NITROBENZENE = "O=[N+]([O-])c1ccccc1"
NITRO = 'smarts"[N+](=O)[O-]"'


def test_shipped_model_reproduces_its_reported_accuracy(mutagenicity_gin) -> None:
    data = [m.to_data() for m in load_molecules("Mutagenicity")]
    test = [data[i] for i in mutagenicity_split(len(data))["test"]]
    accuracy = graph_accuracy(mutagenicity_gin.model, test)
    assert accuracy == pytest.approx(mutagenicity_gin.metrics["test_accuracy"])
    assert accuracy >= 0.75


def test_nitrobenzene_explanation_identities(mutagenicity_gin) -> None:
    explanation = explain_molecule(NITROBENZENE, mutagenicity_gin.model)
    backend = explanation.source
    everything = explanation.value()
    assert everything + backend.bias_absorption() == pytest.approx(explanation.prediction)
    nitro_atoms = explanation.resolve(NITRO)
    (atoms,) = nitro_atoms.values()
    assert sorted(explanation.space.names[i] for i in atoms) == ["N1", "O0", "O2"]
    rest = [i for i in range(explanation.n) if i not in atoms]
    assert explanation.relevance(NITRO) == pytest.approx(everything - explanation.value(rest))
    # Closed form against the exact, walk-based dividends: R(N & O) = sum of mu(L) over L
    # containing a nitrogen and an oxygen.
    decomposition = explanation.walks().decomposition()
    frame = decomposition.to_pandas(min_order=1)
    names = explanation.space.names
    has = lambda subset, element: any(names[i].startswith(element) for i in subset)  # noqa: E731
    expected = frame[[has(s, "N") and has(s, "O") for s in frame["subset"]]]["dividend"].sum()
    assert explanation.relevance("N & O") == pytest.approx(expected, abs=1e-6)


def test_explain_accepts_molecules_through_the_registry(mutagenicity_gin) -> None:
    molecule = load_molecules("Mutagenicity")[10]
    direct = explain_molecule(molecule, mutagenicity_gin.model)
    generic = symxai.explain(mutagenicity_gin.model, molecule, target=(0, 1), rules=DEFAULT_RULES)
    assert generic.metadata["backend"] == "gnn-lrp"
    assert generic.space.names == direct.space.names
    for query in [NITRO, "N & O", "C & ~H"]:
        assert generic.relevance(query) == pytest.approx(direct.relevance(query))


def test_molecule_errors_are_clear(mutagenicity_gin) -> None:
    with pytest.raises(MoleculeError, match="C1CC"):
        explain_molecule("C1CC", mutagenicity_gin.model)
    with pytest.raises(MoleculeError):
        explain_molecule("", mutagenicity_gin.model)
    explanation = explain_molecule(NITROBENZENE, mutagenicity_gin.model)
    with pytest.raises(UnknownAtomError) as info:
        explanation.relevance("N1 & O9")
    assert info.value.column == 6 and {"O0", "O2"} & set(info.value.suggestions)
    # A 30-atom molecule: exact dividends come from its relevant walks ...
    molecule = next(m for m in load_molecules("Mutagenicity") if m.num_atoms == 30)
    large = explain_molecule(molecule, mutagenicity_gin.model)
    exact = large.dividends()
    assert exact.complete
    backend = large.source
    limited = harsanyi_dividends(backend.set_function(), max_order=2)
    for subset, value in zip(limited.subsets(), limited.values, strict=True):
        assert exact[subset] == pytest.approx(value, abs=1e-5)
    # ... and without walks, 2^30 coalitions are refused with a pointer to max_order.
    assert backend.exact_dividends(max_walks=10) is None
    no_walks = Explanation(large.space, backend.set_function(), exact_dividends=lambda: None)
    with pytest.raises(FeatureSpaceError, match="max_order"):
        no_walks.dividends()


@pytest.mark.slow
def test_training_from_scratch_reaches_the_reported_accuracy() -> None:
    torch.set_num_threads(2)
    retrained = train_mutagenicity_gin()
    assert retrained.metrics["test_accuracy"] >= 0.75
    assert np.isfinite(retrained.metrics["val_accuracy"])
