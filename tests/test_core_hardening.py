"""Regression tests of the core-engine items of the hardening issue.

Shapley mode on dividends (exact for any number of atoms when the backend lists its
dividends), unknown ``group:`` atoms, progress and batch sizes of many-atom queries,
and word labels of text features.
"""

from __future__ import annotations

import numpy as np
import pytest

from symxai import (
    Explanation,
    FeatureSpace,
    SetFunction,
    harsanyi_dividends,
    parse_query,
    query_relevances,
)
from symxai.decomposition import Decomposition
from symxai.errors import UnknownAtomError
from symxai.relevance import shared_dividend_relevance

SHAPLEY_QUERIES = ["a", "b & ~c", "a | d", "x", "c ^ d", "#0", "b -> e", "~a & ~b"]


def labelled_space() -> FeatureSpace:
    """Six features; ``x`` is a label shared by features 0 and 3 (overlaps ``a`` and ``d``)."""
    return FeatureSpace(
        ["a", "b", "c", "d", "e", "f"], labels={"kind": ["x", None, None, "x", None, None]}
    )


def resolved(space: FeatureSpace, texts: list[str]):
    queries = [parse_query(text) for text in texts]
    atom_sets = {}
    for query, text in zip(queries, texts, strict=True):
        atom_sets.update(space.resolve_query(query, text))
    return queries, atom_sets


def sparse_listing(dense: Decomposition) -> Decomposition:
    """The same dividends listed as walks list them: only the non-zero ones, by members."""
    keep = np.flatnonzero((dense.values != 0) | (dense.orders == 0))
    width = max(1, int(dense.orders.max()))
    members = np.full((keep.size, width), -1, dtype=np.int64)
    for row, subset in enumerate(dense.subsets(keep)):
        members[row, : len(subset)] = subset
    return Decomposition(
        dense.n,
        dense.context,
        dense.values[keep],
        members=members,
        max_order=width,
        complete=True,
    )


# ------------------------------------------------------------ shapley on dividends
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shapley_on_dividends_equals_the_closed_form_dense_and_sparse(seed: int) -> None:
    rng = np.random.default_rng(seed)
    space = labelled_space()
    # planted sparse dividends: most coalitions have mu = 0
    dividends = np.where(rng.random(64) < 0.25, rng.normal(size=64), 0.0)
    dividends[0] = 0.7
    from symxai.decomposition import zeta_transform

    set_function = SetFunction.from_table(zeta_transform(dividends))
    queries, atom_sets = resolved(space, SHAPLEY_QUERIES)
    context = np.array([1, 1, 1, 1, 0, 1], dtype=bool)
    closed = query_relevances(
        set_function, queries[:3], atom_sets, context=context, mode="shapley", query_set=queries
    )
    dense = harsanyi_dividends(set_function, context=context)
    on_dense = shared_dividend_relevance(dense, queries[:3], atom_sets, queries)
    on_sparse = shared_dividend_relevance(sparse_listing(dense), queries[:3], atom_sets, queries)
    np.testing.assert_allclose(on_dense, closed, atol=1e-12)
    np.testing.assert_allclose(on_sparse, closed, atol=1e-12)


def test_shapley_counts_queries_true_on_the_same_coalitions_once() -> None:
    # a dividend only on {a}: "a" and "a & ~f" agree on every listed coalition but differ
    # on {a, f}, whose dividend is 0; "#0" is the same function as "a"
    space = labelled_space()
    dividends = np.zeros(64)
    dividends[0b000001] = 1.0
    dividends[0b000010] = 2.0
    from symxai.decomposition import zeta_transform

    set_function = SetFunction.from_table(zeta_transform(dividends))
    texts = ["a", "a & ~f", "#0", "b"]
    queries, atom_sets = resolved(space, texts)
    closed = query_relevances(set_function, queries, atom_sets, mode="shapley")
    sparse = sparse_listing(harsanyi_dividends(set_function))
    shared = shared_dividend_relevance(sparse, queries, atom_sets)
    np.testing.assert_allclose(shared, closed, atol=1e-12)
    # mu({a}) = 1 is shared by two distinct functions ("a" = "#0", and "a & ~f")
    np.testing.assert_allclose(shared, [0.5, 0.5, 0.5, 2.0], atol=1e-12)


def test_shapley_row_blocks_do_not_change_the_result() -> None:
    rng = np.random.default_rng(5)
    space = labelled_space()
    set_function = SetFunction.from_table(rng.normal(size=64))
    queries, atom_sets = resolved(space, SHAPLEY_QUERIES)
    dense = harsanyi_dividends(set_function)
    whole = shared_dividend_relevance(dense, queries, atom_sets)
    blocked = shared_dividend_relevance(dense, queries, atom_sets, max_cells=16)
    np.testing.assert_allclose(blocked, whole, atol=1e-12)


def test_explanation_shapley_without_exact_dividends_uses_the_cheaper_route() -> None:
    rng = np.random.default_rng(3)
    set_function = SetFunction.from_table(rng.normal(size=64))
    explanation = Explanation(labelled_space(), set_function)
    queries, atom_sets = resolved(explanation.space, SHAPLEY_QUERIES)
    closed = query_relevances(set_function, queries, atom_sets, mode="shapley")
    got = explanation.relevances(SHAPLEY_QUERIES, mode="shapley", query_set=SHAPLEY_QUERIES)
    np.testing.assert_allclose(got.to_numpy(), closed, atol=1e-10)
    # default Q = singletons: Shapley values, summing to v(N) - v(empty)
    singletons = explanation.relevances([f"#{i}" for i in range(6)], mode="shapley")
    assert singletons.sum() == pytest.approx(explanation.value() - explanation.value([]))


def test_molecule_shapley_on_walk_dividends_equals_the_closed_form(gin) -> None:
    from symxai.domains.molecules import explain_molecule

    explanation = explain_molecule("O=[N+]([O-])C=CO", gin)  # 10 atoms with hydrogens
    n = explanation.n
    texts = ["N", "O", "N & O", "C | H", 'smarts"[N+](=O)[O-]"', "C & ~O"]
    queries, atom_sets = resolved(explanation.space, texts)
    closed = query_relevances(
        explanation.set_function, queries, atom_sets, mode="shapley", query_set=queries
    )
    got = explanation.relevances(texts, mode="shapley", query_set=texts)
    np.testing.assert_allclose(got.to_numpy(), closed, rtol=1e-5, atol=1e-6)
    singles = [f"#{i}" for i in range(n)]
    single_queries, single_sets = resolved(explanation.space, singles)
    closed_singles = query_relevances(
        explanation.set_function, single_queries, single_sets, mode="shapley"
    )
    got_singles = explanation.relevances(singles, mode="shapley")
    np.testing.assert_allclose(got_singles.to_numpy(), closed_singles, rtol=1e-5, atol=1e-6)


def test_shapley_values_of_a_large_molecule_from_walks(gin) -> None:
    from symxai.domains.molecules import explain_molecule

    # 1-nitrophenanthrene with hydrogens: 26 atoms, beyond any closed form over singletons
    explanation = explain_molecule("O=[N+]([O-])c1cccc2c1ccc1ccccc12", gin)
    n = explanation.n
    assert n > 24
    shapley = explanation.relevances([f"#{i}" for i in range(n)], mode="shapley").to_numpy()
    # exact Shapley values from the walks: each walk's relevance split equally among
    # the distinct atoms it visits
    walks = explanation.source.walks()
    expected = np.zeros(n)
    for nodes, relevance in zip(walks.nodes, walks.relevance, strict=True):
        visited = np.unique(nodes)
        expected[visited] += relevance / visited.size
    # the explanation takes its dividends from the connected coalitions (float32 values
    # of a few hundred coalitions, Möbius-inverted): equal to the walk split up to float32
    # rounding of those values
    scale = np.abs(expected).max()
    np.testing.assert_allclose(shapley, expected, rtol=1e-5, atol=1e-6 * scale)
    # the same shares computed on the walk dividends equal the walk split exactly
    from symxai import Decomposition
    from symxai.query.parser import parse_query as parse
    from symxai.relevance import feature_shapley_relevance

    walk_dividends = Decomposition.from_dividends(explanation.source.exact_dividends())
    singles = [parse(f"#{i}") for i in range(n)]
    atom_sets = {query: np.asarray([query.value]) for query in singles}
    from_walks = feature_shapley_relevance(walk_dividends, singles, atom_sets)
    np.testing.assert_allclose(from_walks, expected, rtol=1e-6, atol=1e-9)
    # efficiency: the shares of all atoms add up to v(N) - v(empty)
    assert shapley.sum() == pytest.approx(
        explanation.value() - explanation.value([]), rel=1e-4, abs=1e-6
    )
    elements = explanation.relevances(["N", "O", "N & O"], mode="shapley")
    assert np.isfinite(elements.to_numpy()).all()


# ------------------------------------------------------------ unknown group names
@pytest.mark.parametrize("missing", ["error", "absent"])
def test_unknown_group_is_an_error_listing_the_groups(missing: str) -> None:
    space = FeatureSpace(["a", "b", "c"], groups={"ring1": ["a", "b"], "chain": ["c"]})
    assert space.resolve(parse_query("group:ring1"), missing=missing).tolist() == [0, 1]
    with pytest.raises(UnknownAtomError, match=r"unknown group 'ring'.*ring1, chain") as error:
        space.resolve(parse_query("group:ring"), "group:ring", missing=missing)
    assert "ring1" in error.value.suggestions


@pytest.mark.parametrize("missing", ["error", "absent"])
def test_group_atom_on_a_molecule_is_an_error(gin, missing: str) -> None:
    """A group name outside the functional-group vocabulary is an error in both modes,
    listing the groups and suggesting those that contain the name."""
    from symxai.domains.molecules import explain_molecule

    explanation = explain_molecule("O=[N+]([O-])C=CO", gin, missing=missing)
    with pytest.raises(UnknownAtomError, match=r"unknown group 'ring'.*the groups are") as caught:
        explanation.relevance("group:ring & N")
    assert caught.value.suggestions[:2] == ("aromatic_ring", "heteroaromatic_ring")


# ------------------------------------------------------------ many-atom queries
def counting_set_function(n: int, threshold: int) -> SetFunction:
    def value(masks: np.ndarray) -> np.ndarray:
        return masks.sum(axis=1).astype(float) ** 2

    return SetFunction(value, n, progress_threshold=threshold)


def test_many_atom_queries_announce_the_coalition_count(caplog) -> None:
    explanation = Explanation(FeatureSpace.indexed(14), counting_set_function(14, 4096))
    with caplog.at_level("WARNING", logger="symxai"):
        explanation.relevance(" | ".join(f"f{i}" for i in range(11)))  # 2^11 coalitions
    assert not caplog.records
    explanation = Explanation(FeatureSpace.indexed(14), counting_set_function(14, 4096))
    with caplog.at_level("WARNING", logger="symxai"):
        value = explanation.relevance(" | ".join(f"f{i}" for i in range(12)))  # 2^12
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1 and "evaluating 4,096 coalitions of 14 features" in messages[0]
    # v(S) = |S|^2: R(f0 | .. | f11) = v(N) - v(N minus those 12) = 196 - 4
    assert value == pytest.approx(192.0)


def test_an_exact_table_reports_once_with_progress_in_chunks(caplog) -> None:
    set_function = counting_set_function(13, 4096)
    advanced = []
    with caplog.at_level("WARNING", logger="symxai"):
        table = set_function.table()
        harsanyi_dividends(set_function, context=np.arange(12))  # 2^12 more, one message
    assert len(caplog.records) == 2
    assert table[-1] == 169.0
    set_function.clear_cache()
    with set_function.progress(5000):
        set_function._advance = advanced.append
        set_function(np.eye(13, dtype=bool))
    assert sum(advanced) == 13


def test_gnn_lrp_copies_per_pass_follow_memory() -> None:
    from symxai.backends.gnn_lrp import MAX_COPIES, NODE_STATE_TENSORS, copies_per_pass

    per_node = 64 * 4 * NODE_STATE_TENSORS
    assert copies_per_pass(126, 64, memory=126 * per_node * 100) == 100
    assert copies_per_pass(417, 64, memory=417 * per_node * 39 + 1) == 39
    assert copies_per_pass(10, 64, memory=10**12) == MAX_COPIES
    assert copies_per_pass(10**6, 64) == 1
    # the pass memory stays bounded as molecules grow: copies x atoms is about constant
    nodes = [copies_per_pass(n, 64) * n for n in (120, 240, 480)]
    assert max(nodes) - min(nodes) <= 480


def test_a_large_molecule_uses_memory_sized_passes(gin) -> None:
    from symxai.backends.gnn_lrp import copies_per_pass
    from symxai.domains.molecules import load_molecules

    molecule = next(m for m in load_molecules() if 120 <= m.num_atoms <= 130)
    from symxai.domains.molecules import explain_molecule

    backend = explain_molecule(molecule, gin).source
    assert backend.batch_size == copies_per_pass(molecule.num_atoms, 64) < 512


# ------------------------------------------------------------ words, not w2 / w4
def sentence_explanation(words: list[str]) -> Explanation:
    """v(S) = 2 [good] - 3 [not and good] + [the@0] on the words of ``words``."""
    position = {word: words.index(word) for word in ("not", "good")}

    def value(masks: np.ndarray) -> np.ndarray:
        good, negated = masks[:, position["good"]], masks[:, position["not"]]
        return 2.0 * good - 3.0 * (good & negated) + 1.0 * masks[:, 0]

    return Explanation(FeatureSpace.from_words(words), SetFunction(value, len(words)))


def test_display_names_are_words_with_positions_where_a_word_repeats() -> None:
    space = FeatureSpace.from_words(["The", "film", "is", "not", "the", "best"])
    assert space.display_names == ("The@0", "film", "is", "not", "the@4", "best")
    assert FeatureSpace.indexed(2).display_names == ("f0", "f1")


def test_sentence_dividends_and_search_show_words() -> None:
    words = ["the", "plot", "is", "not", "good", "but", "the", "cast", "is", "fine"]
    explanation = sentence_explanation(words)
    table = explanation.dividends().top(3)
    assert set(table["names"]) == {"{not, good}", "{good}", "{the@0}"}
    assert table.set_index("names")["dividend"].to_dict() == pytest.approx(
        {"{not, good}": -3.0, "{good}": 2.0, "{the@0}": 1.0}
    )
    found = explanation.search(top=5)
    shown = " ".join(str(query) for query in found.queries)
    assert '"not"' in shown and not any(f"w{i}" in shown for i in range(len(words)))
    assert {atom.kind for query in found.queries for atom in query.atoms()} == {"text"}
    for query in found.queries:  # the shown formulas are queries that resolve
        assert explanation.relevance(str(query)) == pytest.approx(explanation.relevance(query))


def test_a_many_atom_harsanyi_query_runs_on_the_walks_when_they_are_fewer(gin) -> None:
    from symxai.domains.molecules import explain_molecule

    explanation = explain_molecule("O=[N+]([O-])c1cccc2c1ccc1ccccc12", gin)  # 26 atoms
    backend = explanation.source
    text = " | ".join(explanation.space.names[:12])  # 2^12 coalitions, ~1,000 walks
    assert backend.count_walks() < 1 << 12
    value = explanation.relevance(text)
    assert explanation.set_function.calls == 0  # no coalition was evaluated
    queries, atom_sets = resolved(explanation.space, [text])
    closed = query_relevances(explanation.set_function, queries, atom_sets)
    assert value == pytest.approx(closed[0], rel=1e-5, abs=1e-6)
    explanation.relevance("N & ~C")  # a cheap query keeps the closed form (value calls)
    assert explanation.set_function.calls > 1 << 12
