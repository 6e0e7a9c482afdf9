"""Query search: planted formulas are found, vectorised scores equal the reference
scores of symxai.relevance, duplicates are removed, and the data-set level median."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from symxai import (
    Atom,
    Explanation,
    FeatureSpace,
    Or,
    Query,
    SearchResult,
    SetFunction,
    UnknownAtomError,
    correlation_scores,
    dividend_relevance,
    harsanyi_dividends,
    parse_query,
    search_over_inputs,
    search_queries,
    zeta_transform,
)
from symxai.search import candidate_count, literal_count, rank_over_inputs

NAMES = list("abcdef")


def truth_on_codes(formula: str, names: list[str], codes: np.ndarray) -> np.ndarray:
    """Truth of ``formula`` on the coalitions with bitmask ``codes`` (singleton atoms)."""
    query = parse_query(formula)
    bits = {Atom("name", name): ((codes >> i) & 1).astype(bool) for i, name in enumerate(names)}
    value = query.evaluate({atom: bits[atom] for atom in query.atoms()})
    return np.broadcast_to(np.asarray(value, dtype=bool), codes.shape)


def planted_explanation(formula: str, seed: int = 0, n: int = 6) -> Explanation:
    """mu(L) ~ U(0.5, 1.5) exactly on the L satisfying ``formula``, v = zeta(mu)."""
    names = NAMES[:n]
    codes = np.arange(1 << n)
    rng = np.random.default_rng(seed)
    mu = np.where(truth_on_codes(formula, names, codes), rng.uniform(0.5, 1.5, codes.size), 0)
    return Explanation(FeatureSpace(names), SetFunction.from_table(zeta_transform(mu)))


def singleton_atoms(n: int = 6) -> dict[str, list[int]]:
    return {name: [i] for i, name in enumerate(NAMES[:n])}


def as_sets(atom_sets: dict, every: tuple[str, ...] = tuple(NAMES)) -> dict[Atom, np.ndarray]:
    """Atom -> indices, with an empty set for the names of ``every`` not in ``atom_sets``."""
    out = {parse_query(name): np.zeros(0, dtype=np.int64) for name in every}
    for key, indices in atom_sets.items():
        out[parse_query(key) if isinstance(key, str) else key] = np.asarray(indices)
    return out


def assert_pairwise_distinct(queries: list[Query]) -> None:
    for i, first in enumerate(queries):
        for second in queries[:i]:
            assert not first.equivalent(second), f"{first} and {second} are equivalent"


@pytest.fixture(scope="module")
def molecule() -> Explanation:
    from symxai.domains.molecules import explain_molecule

    return explain_molecule("O=[N+]([O-])c1ccccc1N", missing="absent")


# ------------------------------------------------------------------ planted
@pytest.mark.parametrize("formula", ["(a & b) | (c & ~d)", "a & ~b", "b & c & ~e", "~a & f"])
def test_a_planted_formula_is_the_top_query(formula: str) -> None:
    result = planted_explanation(formula).search(NAMES, by="correlation")
    assert isinstance(result, SearchResult)
    assert result.queries[0].equivalent(parse_query(formula))
    assert result.table["rank"].tolist() == list(range(1, len(result) + 1))
    assert (np.diff(result.table["score"]) <= 1e-12).all()


def test_default_atoms_are_the_feature_names() -> None:
    result = planted_explanation("a & ~b").search()
    assert result.queries[0] == parse_query("a & ~b")


@pytest.mark.parametrize(
    ("formula", "disjunctions", "text"),
    [("(a ^ b) & c", False, "c & (a ^ b)"), ("a ^ b ^ c", True, "a ^ b ^ c")],
)
def test_a_planted_function_of_groups_is_found_and_named_minimally(
    formula: str, disjunctions: bool, text: str
) -> None:
    result = planted_explanation(formula, seed=3).search(
        NAMES, groups=["a", "b", "c", "d"], disjunctions=disjunctions
    )
    best = result.queries[0]
    assert best.equivalent(parse_query(formula))
    assert str(best) == text
    assert result.table["family"].iloc[0] == "function"
    assert result.table["literals"].iloc[0] == 3


def test_equivalent_candidates_keep_the_simplest_representative() -> None:
    # "a" is also "a | a & b", "a & b | a & ~b", a function of the groups, ...
    result = planted_explanation("a").search(NAMES, groups=["a", "b"], top=40)
    assert str(result.queries[0]) == "a"
    assert result.table["family"].iloc[0] == "conjunction"
    assert_pairwise_distinct(result.queries)


# --------------------------------------------------------- reference scores
def check_against_reference(result: SearchResult, decomposition, atom_sets, weights=None) -> None:
    sets = as_sets(atom_sets)
    correlation = correlation_scores(decomposition, result.queries, sets, weights)
    relevance = dividend_relevance(decomposition, result.queries, sets)
    np.testing.assert_allclose(result.table["correlation"], correlation, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.table["relevance"], relevance, rtol=0, atol=1e-12)
    expected = correlation if result.by == "correlation" else relevance
    np.testing.assert_allclose(result.table["score"], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("max_order", [None, 3])
@pytest.mark.parametrize("by", ["correlation", "relevance"])
def test_scores_equal_the_reference_on_random_set_functions(max_order, by) -> None:
    rng = np.random.default_rng(7)
    n = 7
    decomposition = harsanyi_dividends(
        SetFunction.from_table(rng.normal(size=1 << n)), max_order=max_order
    )
    atom_sets = {
        Atom("name", f"x{j}"): rng.choice(n, size=int(rng.integers(1, 4)), replace=False)
        for j in range(5)
    }
    weights = rng.uniform(0.1, 2.0, len(decomposition))
    for w in (None, weights):
        result = search_queries(
            decomposition, atom_sets, by=by, top=40, groups=list(atom_sets)[:3], weights=w
        )
        assert len(result) == 40
        assert set(result.table["family"]) <= {"conjunction", "disjunction", "function"}
        check_against_reference(result, decomposition, atom_sets, w)
        assert_pairwise_distinct(result.queries)


@pytest.mark.parametrize("by", ["correlation", "relevance"])
def test_scores_equal_the_reference_on_a_molecule(molecule: Explanation, by: str) -> None:
    atoms = ["C", "N", "O", "H", 'smarts"[N+](=O)[O-]"', "Cl"]
    result = molecule.search(atoms, by=by, top=25, groups=["C", "N", "O"])
    _, atom_sets = molecule._parse_all(atoms, missing="absent")
    check_against_reference(result, molecule.dividends(), atom_sets)
    assert_pairwise_distinct(result.queries)
    assert result.candidates == candidate_count(6, 3, 3, disjunctions=True)


def test_default_atoms_of_a_molecule_are_its_elements(molecule: Explanation) -> None:
    result = molecule.search(top=5, disjunctions=False, max_literals=2)
    atoms = {atom for query in result.queries for atom in query.atoms()}
    assert atoms <= {parse_query(symbol) for symbol in ("C", "N", "O", "H")}
    assert result.candidates == candidate_count(4, 2)


# ------------------------------------------------------------- disjunctions
def test_disjunction_scores_equal_direct_evaluation() -> None:
    rng = np.random.default_rng(11)
    decomposition = harsanyi_dividends(SetFunction.from_table(rng.normal(size=1 << 6)))
    atom_sets = singleton_atoms()
    for by in ("correlation", "relevance"):
        result = search_queries(decomposition, atom_sets, by=by, top=30)
        rows = result.table["family"] == "disjunction"
        assert rows.sum() > 0
        sets = as_sets(atom_sets)
        for query, row in zip(result.queries, result.table.itertuples(), strict=True):
            if row.family != "disjunction":
                continue
            assert isinstance(query, Or) and len(query.operands) == 2
            first, second = query.operands
            direct = dividend_relevance(decomposition, [query, first, second, first & second], sets)
            assert row.relevance == pytest.approx(direct[0], abs=1e-12)
            assert direct[0] == pytest.approx(direct[1] + direct[2] - direct[3], abs=1e-12)
            [correlation] = correlation_scores(decomposition, [query], sets)
            assert row.correlation == pytest.approx(correlation, abs=1e-12)


def test_candidate_count_equals_the_combinatorial_formula() -> None:
    decomposition = planted_explanation("a & b").dividends()
    conjunctions = sum(math.comb(6, r) * 2**r for r in (1, 2, 3))
    assert conjunctions == 232
    atoms = singleton_atoms()
    plain = search_queries(decomposition, atoms, disjunctions=False)
    assert plain.candidates == conjunctions == candidate_count(6)
    every = search_queries(decomposition, atoms)
    assert every.candidates == conjunctions + math.comb(conjunctions, 2)
    assert every.candidates == candidate_count(6, disjunctions=True)
    beam = search_queries(decomposition, atoms, max_pairs=1000, beam=40, groups=["a", "b", "c"])
    assert beam.candidates == conjunctions + math.comb(40, 2) + 2**8 - 2
    assert beam.candidates == candidate_count(6, 3, 3, disjunctions=True, max_pairs=1000, beam=40)
    two = search_queries(decomposition, atoms, max_literals=2, disjunctions=False)
    assert two.candidates == 12 + 60 == candidate_count(6, 2)
    assert all(literal_count(q) <= 2 for q in two.queries)


def test_the_beam_finds_a_planted_disjunction() -> None:
    result = planted_explanation("(a & b) | (c & ~d)").search(NAMES, max_pairs=0, beam=30)
    assert result.queries[0].equivalent(parse_query("(a & b) | (c & ~d)"))
    assert result.candidates == 232 + math.comb(30, 2)


# -------------------------------------------------------------- over inputs
def noisy_input(formula: str, n: int, seed: int) -> tuple:
    """A complete decomposition over n singleton features: the planted formula plus noise."""
    rng = np.random.default_rng(seed)
    codes = np.arange(1 << n)
    names = NAMES[:n]
    mu = np.where(truth_on_codes(formula, names, codes), rng.uniform(0.5, 1.5, codes.size), 0.0)
    mu += rng.normal(0.0, 0.2, codes.size)
    decomposition = harsanyi_dividends(SetFunction.from_table(zeta_transform(mu)))
    return decomposition, singleton_atoms(n)


def test_search_over_inputs_ranks_the_shared_formula_first_by_median() -> None:
    inputs = [noisy_input("a & ~b", n, seed) for seed, n in enumerate([6, 6, 5, 6, 5, 6, 6])]
    result = search_over_inputs(inputs, top=8)
    best = result.queries[0]
    assert best.equivalent(parse_query("a & ~b"))
    assert result.inputs == len(inputs)
    assert_pairwise_distinct(result.queries)
    per_input = np.array([correlation_scores(d, result.queries, as_sets(a)) for d, a in inputs])
    np.testing.assert_allclose(result.table["score"], np.median(per_input, axis=0), atol=1e-12)
    np.testing.assert_allclose(result.table["mean"], per_input.mean(axis=0), atol=1e-12)
    # the per-input scores of the single-input search agree
    for (decomposition, atom_sets), scores in zip(inputs, per_input, strict=True):
        single = search_queries(decomposition, atom_sets, top=1, disjunctions=False)
        [[own]] = correlation_scores(decomposition, single.queries, as_sets(atom_sets))[None]
        assert single.table["score"].iloc[0] == pytest.approx(own, abs=1e-12)
        assert own >= scores.max() - 1e-12
    assert result.table["rank_median"].iloc[0] == 1
    assert (result.table["inputs"] <= len(inputs)).all()


def test_search_over_inputs_treats_missing_atoms_as_absent() -> None:
    inputs = [noisy_input("a & c", 6, seed) for seed in range(4)]
    without_f = dict(inputs[0][1])
    del without_f["f"]
    inputs[0] = (inputs[0][0], without_f)
    result = search_over_inputs(inputs, by="relevance", top=5, disjunctions=False)
    assert result.queries[0].equivalent(parse_query("a & c"))
    per_input = [dividend_relevance(d, result.queries, as_sets(a)) for d, a in inputs[1:]]
    first = dividend_relevance(
        inputs[0][0],
        result.queries,
        as_sets(without_f),
    )
    expected = np.median(np.array([first, *per_input]), axis=0)
    np.testing.assert_allclose(result.table["relevance"], expected, atol=1e-12)


def test_rank_over_inputs_combines_tables_by_median() -> None:
    tables = [
        pd.Series({"a": 0.9, "b": 0.1, "c": 0.5}),
        pd.DataFrame({"query": ["a", "b"], "score": [0.2, 0.8]}),
        pd.Series({"a": 0.7, "b": 0.3, "c": -0.4}),
    ]
    ranking = rank_over_inputs(tables)
    assert ranking["query"].tolist() == ["a", "b", "c"]  # medians 0.7, 0.3, 0.05
    assert ranking.loc[0, "score"] == pytest.approx(0.7)
    assert ranking.set_index("query").loc["c", "inputs"] == 2
    assert ranking.set_index("query").loc["a", "rank_median"] == 1


# ------------------------------------------------------------------- errors
def test_errors_are_clear() -> None:
    explanation = planted_explanation("a & b")
    with pytest.raises(UnknownAtomError):
        explanation.search(["a", "zz"])
    with pytest.raises(ValueError, match="at most 4 groups"):
        explanation.search(NAMES, groups=["a", "b", "c", "d", "e"])
    with pytest.raises(ValueError, match="by must be one of"):
        explanation.search(NAMES, by="bogus")
    with pytest.raises(ValueError, match="sign must be one of"):
        explanation.search(NAMES, sign="up")
    decomposition = explanation.dividends()
    with pytest.raises(ValueError, match="at most 63 atoms"):
        search_queries(decomposition, {f"x{j}": [j % 6] for j in range(64)})
    with pytest.raises(UnknownAtomError, match="not one of the search atoms"):
        search_queries(decomposition, singleton_atoms(), groups=["g"])
    with pytest.raises(ValueError, match="single atoms"):
        search_queries(decomposition, {"a | b": [0]})


def test_data_distinct_returns_one_query_per_truth_on_the_dividends() -> None:
    from symxai.domains.molecules import explain_molecule

    explanation = explain_molecule("O=[N+]([O-])c1ccccc1N", missing="absent")
    atoms = [parse_query(name) for name in ("C", "N", "O", "H")]
    decomposition = explanation.dividends()
    presence = decomposition.presence([explanation.space.resolve(a) for a in atoms])
    nonempty = decomposition.orders > 0

    def truth_key(query: Query) -> bytes:
        value = query.evaluate({a: presence[:, j] for j, a in enumerate(atoms)})
        return np.broadcast_to(np.asarray(value, bool), nonempty.shape)[nonempty].tobytes()

    by_data = explanation.search(["C", "N", "O", "H"], top=15)
    by_logic = explanation.search(["C", "N", "O", "H"], top=15, distinct="logic")
    assert len({truth_key(q) for q in by_data.queries}) == len(by_data.queries) == 15
    # logic-only dedupe keeps variants the dividends cannot tell apart (equal scores)
    assert len({truth_key(q) for q in by_logic.queries}) < len(by_logic.queries)
    assert by_logic.table["score"].iloc[0] == pytest.approx(by_data.table["score"].iloc[0])
    assert_pairwise_distinct(by_logic.queries)
    with pytest.raises(ValueError, match="distinct"):
        explanation.search(["C", "N"], distinct="truth")
