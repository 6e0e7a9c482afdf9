"""symxai set functions as shapiq games; explanations from shapiq's interaction values."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest
import shapiq
from shapiq.game_theory.moebius_converter import MoebiusConverter

from symxai import Explanation, FeatureSpace, SetFunction, harsanyi_dividends
from symxai.integrations.shapiq import (
    SymxaiGame,
    decomposition_from_interaction_values,
    explanation_from_interaction_values,
    sparse_moebius,
)

PLANTED_10 = {(): 0.3, (3,): 1.0, (1, 2): 2.0, (5, 6, 7): -1.5, (4,): 0.5, (0, 9): 1.2}
PLANTED_60 = {(): -0.2, (3,): 1.0, (10, 20): 2.0, (40,): 0.5, (0, 59): 1.2, (30, 31): -1.0}


class PlantedGame:
    """``v(S) = sum of the planted dividends mu(L), L ⊆ S``; counts its batched calls."""

    def __init__(self, planted: dict[tuple[int, ...], float]) -> None:
        self.planted = planted
        self.calls = 0

    def __call__(self, masks: np.ndarray) -> np.ndarray:
        self.calls += 1
        masks = np.asarray(masks, dtype=bool)
        values = np.zeros(masks.shape[0])
        for subset, dividend in self.planted.items():
            values += dividend * (masks[:, list(subset)].all(axis=1) if subset else 1.0)
        return values


def _planted_explanation(planted: dict[tuple[int, ...], float], n: int) -> Explanation:
    return Explanation(FeatureSpace.indexed(n), SetFunction(PlantedGame(planted), n))


def test_game_values_are_the_set_function_centred_in_one_batch() -> None:
    function = PlantedGame(PLANTED_10)
    game = SymxaiGame(function, n=10)
    assert game.n_players == 10 and game.normalization_value == pytest.approx(0.3)
    coalitions = np.random.default_rng(0).random((50, 10)) < 0.5
    calls = function.calls
    values = game(coalitions)
    assert function.calls == calls + 1
    np.testing.assert_allclose(values, function(coalitions) - 0.3)
    raw = SymxaiGame(function, n=10, normalize=False)
    np.testing.assert_allclose(raw(coalitions), function(coalitions))


def test_exact_computer_equals_harsanyi_dividends_on_a_planted_game() -> None:
    explanation = _planted_explanation(PLANTED_10, 10)
    game = SymxaiGame(explanation)
    assert list(game.player_name_lookup) == list(explanation.space.names)
    moebius = shapiq.ExactComputer(game, game.n_players)("Moebius")
    exact = harsanyi_dividends(explanation.set_function)
    for subset in itertools.chain.from_iterable(
        itertools.combinations(range(10), size) for size in range(1, 11)
    ):
        assert moebius[subset] == pytest.approx(exact[subset], abs=1e-8)
    decomposition = decomposition_from_interaction_values(
        moebius, empty_value=game.normalization_value
    )
    for subset in exact.subsets():
        assert decomposition[subset] == pytest.approx(exact[subset], abs=1e-8)


def test_exact_computer_on_ten_atoms_of_a_molecule(gin: Any) -> None:
    """A real explanation (GNN-LRP on a Mutagenicity molecule) restricted to 10 atoms."""
    import symxai
    from symxai.domains.molecules import DEFAULT_RULES, MUTAGEN, load_molecules

    molecule = next(
        m for m in load_molecules("Mutagenicity") if m.label == MUTAGEN and m.num_atoms > 14
    )
    explanation = symxai.explain(
        gin, molecule.to_data(), "gnn-lrp", target=MUTAGEN, rules=DEFAULT_RULES
    )
    context = np.arange(2, 12)
    game = SymxaiGame(explanation, context=context)
    assert game.n_players == 10
    moebius = shapiq.ExactComputer(game, game.n_players)("Moebius")
    exact = harsanyi_dividends(explanation.set_function, context=context)
    decomposition = decomposition_from_interaction_values(
        moebius, n=explanation.n, players=context, empty_value=game.normalization_value
    )
    scale = max(1.0, float(np.abs(exact.values).max()))
    for subset in exact.subsets():
        assert decomposition[subset] == pytest.approx(exact[subset], abs=1e-8 * scale)


def test_approximators_agree_with_the_exact_dividends() -> None:
    """n = 10: KernelSHAP-IQ's k-SII (full budget) equals k-SII of symxai's dividends to
    1e-4; RegressionFSII of order 3 on a 3-additive game recovers the dividends to 1e-4
    (shapiq's regression solves a slightly regularised least-squares problem)."""
    explanation = _planted_explanation(PLANTED_10, 10)
    game = SymxaiGame(explanation)
    exact = harsanyi_dividends(explanation.set_function)
    reference = MoebiusConverter(exact.to_shapiq())("k-SII", 2)
    estimate = shapiq.KernelSHAPIQ(n=10, max_order=2, index="k-SII", random_state=0).approximate(
        budget=2**10, game=game
    )
    for subset in reference.interaction_lookup:
        if subset:
            assert estimate[subset] == pytest.approx(reference[subset], abs=1e-4)
    faithful = shapiq.RegressionFSII(n=10, max_order=3, random_state=0).approximate(
        budget=600, game=game
    )
    approximated = game.explanation(faithful)
    assert approximated.metadata["index"] == "FSII"
    recovered = approximated.dividends()
    for subset in exact.subsets():
        assert recovered[subset] == pytest.approx(exact[subset], abs=1e-4)


def test_explanation_from_moebius_values_answers_queries_like_the_exact_one() -> None:
    explanation = _planted_explanation(PLANTED_10, 10)
    game = SymxaiGame(explanation)
    rebuilt = game.explanation(shapiq.ExactComputer(game, 10)("Moebius"))
    assert rebuilt.space is explanation.space
    queries = ["f1 & f2", "f3 | f5", "f5 & f6 & ~f0", "(f0 | f9) & ~f4", "f7"]
    for query in queries:
        assert rebuilt.relevance(query) == pytest.approx(explanation.relevance(query), abs=1e-9)
        assert rebuilt.relevance(query, mode="shapley") == pytest.approx(
            explanation.relevance(query, mode="shapley"), abs=1e-9
        )
    masks = np.random.default_rng(1).random((20, 10)) < 0.5
    np.testing.assert_allclose(rebuilt.values(masks), explanation.values(masks), atol=1e-9)


def test_sixty_features_decomposed_by_an_approximator_with_a_budget() -> None:
    explanation = _planted_explanation(PLANTED_60, 60)
    game = SymxaiGame(explanation)
    values = shapiq.RegressionFSII(n=60, max_order=2, random_state=0).approximate(
        budget=4000, game=game
    )
    approximated = game.explanation(values)
    top = approximated.dividends().top(5)
    planted = {subset for subset in PLANTED_60 if subset}
    assert set(top["subset"]) == planted
    assert approximated.relevance("f10 & f20") == pytest.approx(2.0, abs=1e-4)
    assert approximated.value([]) == pytest.approx(-0.2, abs=1e-4)
    assert explanation.set_function.calls <= 4001


@pytest.mark.slow
def test_spex_recovers_a_sparse_sixty_feature_game() -> None:
    """SPEX (sparse Fourier, about a minute here: galois compiles its BCH decoder first)."""
    explanation = _planted_explanation(PLANTED_60, 60)
    game = SymxaiGame(explanation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        values = sparse_moebius(game, budget=3000)
    approximated = game.explanation(values)
    assert approximated.metadata["estimated"]
    planted = {subset for subset in PLANTED_60 if subset}
    assert set(approximated.dividends().top(5)["subset"]) == planted
    assert approximated.relevance("f0 & f59") == pytest.approx(1.2, abs=1e-3)


def test_refuses_values_that_are_not_dividends() -> None:
    game = SymxaiGame(PlantedGame(PLANTED_10), n=10)
    order_two = shapiq.ExactComputer(game, 10)("k-SII", 2)
    with pytest.raises(ValueError, match="not dividends"):
        explanation_from_interaction_values(FeatureSpace.indexed(10), order_two)
    full = shapiq.ExactComputer(game, 10)("STII", 10)
    rebuilt = explanation_from_interaction_values(FeatureSpace.indexed(10), full, empty_value=0.3)
    assert rebuilt.relevance("f5 & f6 & f7") == pytest.approx(-1.5, abs=1e-9)


def test_clear_errors() -> None:
    with pytest.raises(ValueError, match="pass n="):
        SymxaiGame(PlantedGame(PLANTED_10))
    with pytest.raises(TypeError, match="SymxaiGame wraps"):
        SymxaiGame(42)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="context"):
        SymxaiGame(PlantedGame(PLANTED_10), n=10, context=[3, 11])


def test_missing_shapiq_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "shapiq", None)
    monkeypatch.delitem(sys.modules, "symxai.integrations.shapiq", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'symxai\[shapiq\]'"):
        importlib.import_module("symxai.integrations.shapiq")


def test_a_sixty_feature_perturbation_explanation_through_shapiq() -> None:
    """A real symxai perturbation explanation (features set to the baseline 0) of a model
    with known products: its FSII decomposition from a budget answers queries exactly."""
    import torch

    import symxai

    def model(x: torch.Tensor) -> torch.Tensor:
        return 1.5 * x[:, 3] + 2.0 * x[:, 10] * x[:, 20] - x[:, 30] * x[:, 31] + 0.5 * x[:, 40]

    inputs = torch.ones(60)
    explanation = symxai.explain(model, inputs, "perturbation", baseline=0.0)
    assert explanation.n == 60
    game = SymxaiGame(explanation)
    values = shapiq.RegressionFSII(n=60, max_order=2, random_state=1).approximate(
        budget=3000, game=game
    )
    approximated = game.explanation(values)
    assert approximated.prediction == pytest.approx(explanation.prediction)
    assert set(approximated.dividends().top(4)["subset"]) == {(3,), (10, 20), (30, 31), (40,)}
    for query in ["f10 & f20", "f30 | f31", "f3 & ~f40"]:
        assert approximated.relevance(query) == pytest.approx(
            explanation.relevance(query), abs=1e-4
        )
