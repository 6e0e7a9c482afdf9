"""Feature spaces: atom resolution on sentences, molecules-like labels, groups, errors."""

from __future__ import annotations

import numpy as np
import pytest

from symxai import Explanation, FeatureSpace, QueryError, SetFunction, UnknownAtomError, parse_query

SENTENCE = ["The", "movie", "is", "not", "good", ",", "it", "is", "not", "great", "either"]


def words_space() -> FeatureSpace:
    return FeatureSpace.from_words(SENTENCE, groups={"negations": [3, 8]})


def test_headline_query_resolves_on_a_sentence() -> None:
    space = words_space()
    resolved = space.resolve_query(parse_query('"not" & ("good" | "great")'))
    assert {str(atom): list(indices) for atom, indices in resolved.items()} == {
        '"not"': [3, 8],
        '"good"': [4],
        '"great"': [9],
    }
    assert list(space.resolve(parse_query('"the"'))) == [0]  # case-folded text match
    assert list(space.resolve(parse_query("negations"))) == [3, 8]
    assert list(space.resolve(parse_query("w4"))) == [4]
    assert list(space.resolve(parse_query('word:"GOOD"'))) == [4]
    assert list(space.resolve(parse_query("#2..4"))) == [2, 3, 4]


def molecule_space() -> FeatureSpace:
    elements = ["C", "C", "C", "O", "O", "H", "N"]
    names = [f"{e}{i}" for i, e in enumerate(elements)]
    return FeatureSpace(
        names,
        labels={"element": elements},
        resolvers={"smarts": lambda pattern: [3, 4] if pattern == "C=O" else []},
    )


def test_names_labels_and_pattern_atoms() -> None:
    space = molecule_space()
    assert list(space.resolve(parse_query("O"))) == [3, 4]
    assert list(space.resolve(parse_query("O3"))) == [3]
    assert list(space.resolve(parse_query("element:C"))) == [0, 1, 2]
    assert list(space.resolve(parse_query('smarts"C=O"'))) == [3, 4]
    with pytest.raises(UnknownAtomError, match="matches no feature"):
        space.resolve(parse_query('smarts"c1ccccc1"'))


def test_unknown_atom_lists_closest_names_and_points_at_it() -> None:
    space = molecule_space()
    explanation = Explanation(space, SetFunction(lambda m: m.sum(1), space.n))
    with pytest.raises(UnknownAtomError) as info:
        explanation.relevance("O3 & O5")
    error = info.value
    assert "O3" in error.suggestions or "O4" in error.suggestions
    assert error.column == 6
    lines = str(error).splitlines()
    assert lines[-2].strip() == "O3 & O5" and lines[-1].index("^") == lines[-2].index("O5")
    with pytest.raises(UnknownAtomError) as info:
        Explanation(words_space(), SetFunction(lambda m: m.sum(1), 11)).relevance('"gerat" | "not"')
    assert info.value.suggestions[0] == "great"
    assert info.value.column == 1


def test_other_resolution_errors() -> None:
    space = molecule_space()
    with pytest.raises(UnknownAtomError, match="out of range"):
        space.resolve(parse_query("#7"))
    with pytest.raises(UnknownAtomError, match="unknown qualifier 'elemnt'") as info:
        space.resolve(parse_query("elemnt:C"))
    assert "element" in info.value.suggestions
    with pytest.raises(UnknownAtomError, match="features have none"):
        space.resolve(parse_query('"good"'))
    with pytest.raises(QueryError):
        Explanation(space, SetFunction(lambda m: m.sum(1), space.n)).relevance("O & ")


def test_space_validation_and_masks() -> None:
    with pytest.raises(ValueError, match="unique"):
        FeatureSpace(["a", "a"])
    with pytest.raises(ValueError, match="2 entries for 3"):
        FeatureSpace(["a", "b", "c"], texts=["x", "y"])
    space = molecule_space()
    np.testing.assert_array_equal(space.mask(["O3", 5]), [0, 0, 0, 1, 0, 1, 0])
    with pytest.raises(ValueError, match="did you mean"):
        space.mask(["O7"])
    assert space[3].labels == {"element": "O"} and space.label(3) == "O3"


def test_context_restricts_and_holds_others_absent() -> None:
    space = words_space()
    explanation = Explanation(space, SetFunction(lambda m: m.sum(1) ** 2, space.n))
    # v(S) = |S|^2; in context {3, 4, 8}: R("not") = v(C) - v(C minus nots) = 9 - 1.
    assert explanation.relevance('"not"', context=["w3", "w4", "w8"]) == pytest.approx(8.0)
    assert explanation.relevance('"not"', context='"not" | "good"') == pytest.approx(8.0)
    with pytest.raises(QueryError, match="feature set"):
        explanation.context_mask('"not" & "good"')
