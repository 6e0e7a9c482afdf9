"""Shapley mode with the default query set, computed on the dividends (issue 14, item 3).

With ``Q`` = the singletons of the context joined by the scored queries, the weight is
``eta(L) = 1 / (|L| + #{scored non-singleton queries true on L})``. These tests check
that sum against the closed form over the atoms of ``Q`` (random games, molecules),
against the general shared-dividend route, against walks split by hand on a molecule
beyond any closed form, and the Shapley value identities.
"""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from symxai import Atom, Explanation, FeatureSpace, SetFunction, harsanyi_dividends, parse_query
from symxai import explanation as explanation_module
from symxai.decomposition import Decomposition
from symxai.domains.molecules import explain_molecule
from symxai.relevance import (
    feature_shapley_relevance,
    query_relevances,
    shared_dividend_relevance,
)
from symxai.report import ReportSpec, parse_query_lines, run_report
from tests.test_core_hardening import sparse_listing

# "#0" and "solo" (a label of feature 0 only) are singletons; "x" spans 0 and 3; "x & x"
# is the same function as "x"; constants are true on every or no coalition.
TEXTS = ["a & b", "x", "#0", "solo", "b & ~c", "x & x", "c ^ d", "true", "false", "~a"]


def labelled_space(n: int) -> FeatureSpace:
    names = [chr(ord("a") + i) for i in range(n)]
    kind: list[str | None] = [None] * n
    kind[0], kind[3] = "x", "x"
    only: list[str | None] = ["solo"] + [None] * (n - 1)
    return FeatureSpace(names, labels={"kind": kind, "only": only})


def resolved(space: FeatureSpace, texts: list[str]):
    queries = [parse_query(text) for text in texts]
    atom_sets = {}
    for query, text in zip(queries, texts, strict=True):
        atom_sets.update(space.resolve_query(query, text))
    return queries, atom_sets


def closed_form_with_singletons(set_function, queries, atom_sets, context):
    """The closed form of shapley mode with ``Q`` = the singletons of ``context``."""
    singletons = [Atom("index", int(i)) for i in np.flatnonzero(context)]
    sets = {**atom_sets, **{atom: np.asarray([atom.value]) for atom in singletons}}
    return query_relevances(
        set_function, queries, sets, context=context, mode="shapley", query_set=singletons
    )


def permutation_shapley(set_function: SetFunction, n: int) -> np.ndarray:
    """Shapley values by their textbook formula over all coalitions."""
    out = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in combinations(others, size):
                without = np.zeros(n, dtype=bool)
                without[list(subset)] = True
                with_i = without.copy()
                with_i[i] = True
                out[i] += weight * (set_function.value(with_i) - set_function.value(without))
    return out


@pytest.mark.parametrize(("seed", "n"), [(0, 6), (1, 9), (2, 12)])
def test_default_set_equals_the_closed_form_on_random_games(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    set_function = SetFunction.from_table(rng.normal(size=1 << n))
    space = labelled_space(n)
    queries, atom_sets = resolved(space, TEXTS)
    context = np.ones(n, dtype=bool)
    decomposition = harsanyi_dividends(set_function)
    closed = closed_form_with_singletons(set_function, queries, atom_sets, context)
    np.testing.assert_allclose(
        feature_shapley_relevance(decomposition, queries, atom_sets), closed, atol=1e-9
    )
    # each query alone (Q = singletons + that query) and through the Explanation
    explanation = Explanation(space, set_function)
    for query, text in zip(queries, TEXTS, strict=True):
        alone = closed_form_with_singletons(set_function, [query], atom_sets, context)[0]
        assert explanation.relevance(text, mode="shapley") == pytest.approx(alone, abs=1e-9)
    together = explanation.relevances(TEXTS, mode="shapley").to_numpy()
    np.testing.assert_allclose(together, closed, atol=1e-9)


@pytest.mark.parametrize("seed", [3, 4])
def test_default_set_equals_the_general_route_dense_sparse_and_in_a_context(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 8
    # a game with few non-zero dividends, listed as walks list them
    dividends = np.where(rng.random(1 << n) < 0.2, rng.normal(size=1 << n), 0.0)
    codes = np.arange(1 << n)
    table = np.array([dividends[(codes & code) == codes].sum() for code in codes])
    set_function = SetFunction.from_table(table)
    space = labelled_space(n)
    queries, atom_sets = resolved(space, TEXTS)
    context = np.ones(n, dtype=bool)
    context[[2, 5]] = False
    dense = harsanyi_dividends(set_function, context=context)
    singletons = [Atom("index", int(i)) for i in np.flatnonzero(context)]
    sets = {**atom_sets, **{atom: np.asarray([atom.value]) for atom in singletons}}
    general = shared_dividend_relevance(dense, queries, sets, singletons)
    closed = closed_form_with_singletons(set_function, queries, atom_sets, context)
    for decomposition in (dense, sparse_listing(dense)):
        ours = feature_shapley_relevance(decomposition, queries, atom_sets)
        np.testing.assert_allclose(ours, general, atol=1e-10)
        np.testing.assert_allclose(ours, closed, atol=1e-9)
    explanation = Explanation(space, set_function)
    got = explanation.relevances(TEXTS, mode="shapley", context=context)
    np.testing.assert_allclose(got.to_numpy(), closed, atol=1e-9)


def test_singletons_give_the_shapley_values_that_sum_to_the_total() -> None:
    rng = np.random.default_rng(7)
    n = 7
    set_function = SetFunction.from_table(rng.normal(size=1 << n))
    explanation = Explanation(FeatureSpace.indexed(n), set_function)
    singles = explanation.relevances([f"#{i}" for i in range(n)], mode="shapley").to_numpy()
    np.testing.assert_allclose(singles, permutation_shapley(set_function, n), atol=1e-10)
    assert singles.sum() == pytest.approx(explanation.value() - explanation.value([]), abs=1e-10)
    # a singleton scored alone is not an extra member of Q: still the Shapley value
    for i in range(n):
        assert explanation.relevance(f"#{i}", mode="shapley") == pytest.approx(singles[i])


def test_an_atom_with_a_single_feature_is_that_singleton() -> None:
    space = FeatureSpace(["c", "n", "o"], labels={"element": ["C", "N", "O"]})
    # v = 1 on every coalition containing all three, else 0: mu({c, n, o}) = 1
    set_function = SetFunction.from_table(np.array([0, 0, 0, 0, 0, 0, 0, 1.0]))
    explanation = Explanation(space, set_function)
    # "N" is the feature n: Q = {c}, {n}, {o}, the triple split three ways
    assert explanation.relevance("N", mode="shapley") == pytest.approx(1 / 3)
    # "N & O" is no singleton: it joins Q, the triple is split four ways
    assert explanation.relevance("N & O", mode="shapley") == pytest.approx(1 / 4)
    both = explanation.relevances(["N & O", "O & N", "N"], mode="shapley").to_numpy()
    np.testing.assert_allclose(both, [1 / 4, 1 / 4, 1 / 4])


def test_molecule_default_set_equals_the_closed_form(gin) -> None:
    explanation = explain_molecule("O=[N+]([O-])C=CO", gin)
    texts = ["N & O", "O", "C & ~O", "N", "#2", "C | H"]
    queries, atom_sets = resolved(explanation.space, texts)
    context = np.ones(explanation.n, dtype=bool)
    closed = closed_form_with_singletons(explanation.set_function, queries, atom_sets, context)
    got = explanation.relevances(texts, mode="shapley").to_numpy()
    np.testing.assert_allclose(got, closed, rtol=1e-5, atol=1e-6)


def test_large_molecule_query_from_walks_split_by_hand(gin) -> None:
    # 1-nitrophenanthrene with hydrogens: 26 atoms, no closed form over its singletons
    explanation = explain_molecule("O=[N+]([O-])c1cccc2c1ccc1ccccc12", gin)
    got = explanation.relevance("N & O", mode="shapley")
    elements = np.asarray(explanation.space.labels["element"])
    walks = explanation.source.walks()
    expected = 0.0
    for nodes, relevance in zip(walks.nodes, walks.relevance, strict=True):
        visited = np.unique(nodes)
        present = set(elements[visited])
        expected += relevance / (visited.size + 1) if {"N", "O"} <= present else 0.0
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_report_on_the_features_takes_the_dividend_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = explanation_module.feature_shapley_relevance

    def spy(decomposition, queries, atom_sets):
        calls.append(len(queries))
        return original(decomposition, queries, atom_sets)

    monkeypatch.setattr(explanation_module, "feature_shapley_relevance", spy)
    data = tmp_path / "molecules.smi"
    data.write_text("O=[N+]([O-])c1ccc(CCCCCCCC)cc1 octylnitro\nNc1ccccc1 aniline\n")
    spec = ReportSpec(
        domain="molecules",
        data=str(data),
        queries=parse_query_lines("both: N & O\nnitrogen: N\n", "queries.txt"),
        output=tmp_path / "out",
        formats=("csv",),
        mode="shapley",
        shapley_set="features",
    )
    result = run_report(spec, executor="serial", progress=False)
    assert result.failures.empty and len(result.computed) == 2
    assert calls == [2, 2]


def test_a_query_of_many_atoms_takes_the_general_route_with_the_same_weights() -> None:
    n = 24
    listed = [(), (0,), (0, 1), (1, 2, 3), (5, 22), (21, 23), (4,)]
    values = np.array([0.0, 1.0, -2.0, 0.5, 3.0, 7.0, -1.5])
    members = np.full((len(listed), 3), -1, dtype=np.int64)
    for row, subset in enumerate(listed):
        members[row, : len(subset)] = subset
    decomposition = Decomposition(
        n, np.arange(n), values, members=members, max_order=3, complete=True
    )
    text = " | ".join(f"#{i}" for i in range(21))  # 21 atoms: no closed form over them
    queries, atom_sets = resolved(FeatureSpace.indexed(n), [text, "#4"])
    # q is true on every listed coalition that meets 0..20; it joins Q: |L| + 1 shares
    expected = [1 / 2 - 2 / 3 + 0.5 / 4 + 3 / 3 - 1.5 / 2, -1.5 / 2]
    got = feature_shapley_relevance(decomposition, queries, atom_sets)
    np.testing.assert_allclose(got, expected, atol=1e-12)
