"""Query faithfulness: on a planted game the measured output change is known exactly
(for a disjunction of atoms it equals the harsanyi R(q) when the explainer's set
function is the removal function); on real molecule explanations the correlation runs
and is finite."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from symxai import Explanation, SetFunction
from symxai.evaluation import positive_atoms, query_faithfulness
from symxai.features import FeatureSpace
from symxai.query.ast import Atom
from symxai.query.parser import parse_query
from tests.conftest import NITROANILINE, random_set_function


def additive_explanation(weights: np.ndarray) -> Explanation:
    def additive(masks: np.ndarray) -> np.ndarray:
        return 0.5 + np.asarray(masks, dtype=bool) @ weights

    return Explanation(FeatureSpace.indexed(weights.size), SetFunction(additive, weights.size))


def test_additive_game_output_change_equals_relevance() -> None:
    rng = np.random.default_rng(0)
    explanations = [additive_explanation(rng.normal(size=6)) for _ in range(5)]
    result = query_faithfulness("#1 & ~#4", explanations, explanations)
    # F_q = {1}: the change is w_1, and R(#1 & ~#4) = mu({1}) = w_1 on an additive game
    weights = [e.value([1]) - e.value([]) for e in explanations]
    np.testing.assert_allclose(result.output_change, weights)
    np.testing.assert_allclose(result.relevance, weights)
    assert result.pearson == pytest.approx(1.0) and result.spearman == pytest.approx(1.0)
    assert result.inputs == 5
    assert [mask.nonzero()[0].tolist() for mask in result.features] == [[1]] * 5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_disjunction_relevance_is_the_output_change_on_any_game(seed: int) -> None:
    # sum_{L meets F} mu(L) = v(N) - v(N \ F): exact for every set function
    rng = np.random.default_rng(seed)
    explanations = []
    for _ in range(4):
        set_function, _ = random_set_function(rng, 6)
        explanations.append(Explanation(FeatureSpace.indexed(6), set_function))
    result = query_faithfulness("#0 | #3 | #5", explanations, explanations)
    np.testing.assert_allclose(result.relevance, result.output_change, atol=1e-10)
    assert result.pearson == pytest.approx(1.0)


def test_positive_atoms_after_pushing_negations() -> None:
    a, b, c = Atom("index", 0), Atom("index", 1), Atom("index", 2)
    assert positive_atoms(parse_query("~(#0 & #1)")) == set()
    assert positive_atoms(parse_query("~~#0 & ~#1")) == {a}
    assert positive_atoms(parse_query("#0 -> #1")) == {b}
    assert positive_atoms(parse_query("~(#0 -> #1)")) == {a}
    assert positive_atoms(parse_query("#0 ^ ~#1")) == {a, b}
    assert positive_atoms(parse_query("(#0 | ~#1) & #2")) == {a, c}


def test_negated_query_has_no_features_and_no_change() -> None:
    explanation = additive_explanation(np.arange(4.0))
    result = query_faithfulness("~#2", [explanation, explanation], [explanation, explanation])
    np.testing.assert_allclose(result.output_change, 0.0)
    assert np.isnan(result.pearson)  # a constant column has no correlation


def test_mismatched_inputs_are_clear_errors() -> None:
    small, large = additive_explanation(np.ones(3)), additive_explanation(np.ones(4))
    with pytest.raises(ValueError, match="1 explanations but 2 removals"):
        query_faithfulness("#0", [small], [small, small])
    with pytest.raises(ValueError, match="3 features, its removal function 4"):
        query_faithfulness("#0", [small], [large])


MOLECULES = (
    NITROANILINE,
    "O=[N+]([O-])c1ccccc1",
    "C[N+](=O)[O-]",
    "O=[N+]([O-])c1ccc(O)cc1",
    "CC(N)=O",
)


def test_correlation_on_real_molecule_explanations(mutagenicity_gin: Any) -> None:
    from symxai.domains.molecules.explain import explain_molecule

    model = mutagenicity_gin.model
    explanations = [explain_molecule(smiles, model) for smiles in MOLECULES]
    removals = [explain_molecule(smiles, model, backend="perturbation") for smiles in MOLECULES]
    result = query_faithfulness("N & O", explanations, removals)
    assert result.inputs == len(MOLECULES)
    assert np.isfinite(result.relevance).all() and np.isfinite(result.output_change).all()
    assert np.isfinite(result.pearson) and -1 <= result.pearson <= 1
    assert np.isfinite(result.spearman)
    for explanation, removal, change, mask in zip(
        explanations, removals, result.output_change, result.features, strict=True
    ):
        symbols = [name.rstrip("0123456789") for name in explanation.space.names]
        assert [s in ("N", "O") for s in symbols] == mask.tolist()
        kept = np.flatnonzero(~mask).tolist()
        assert change == pytest.approx(removal.value() - removal.value(kept), abs=1e-6)
