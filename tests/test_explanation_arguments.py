"""One name for shapley mode's query set in ``relevance`` and ``relevances``
(``query_set``; ``queries`` is a deprecated alias), and ``Literal`` option types that
list exactly the values the code accepts."""

from __future__ import annotations

import typing

import numpy as np
import pytest
import torch

import symxai
from symxai.relevance import MODES, Mode
from symxai.search import SCORES, SIGNS, SearchScore, Sign

WORDS = ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def explanation() -> symxai.Explanation:
    """A perturbation explanation of a small fixed MLP over four binary features."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    return symxai.explain(
        model, torch.ones(4), backend="perturbation", space=symxai.FeatureSpace(WORDS)
    )


def test_relevance_and_relevances_take_the_same_query_set(explanation) -> None:
    query_set = ["a", "b & c", "d"]
    single = explanation.relevance("a & b", mode="shapley", query_set=query_set)
    many = explanation.relevances(["a & b"], mode="shapley", query_set=query_set)
    assert single == pytest.approx(float(many.iloc[0]), abs=1e-12)
    default = explanation.relevance("a & b", mode="shapley")
    assert not np.isclose(single, default)  # the query set matters, so it was used


def test_queries_is_a_deprecated_alias_of_query_set(explanation) -> None:
    query_set = ["a", "b & c", "d"]
    expected = explanation.relevance("a & b", mode="shapley", query_set=query_set)
    with pytest.warns(DeprecationWarning, match="query_set"):
        aliased = explanation.relevance("a & b", mode="shapley", queries=query_set)
    assert aliased == pytest.approx(expected, abs=1e-12)
    with pytest.raises(TypeError, match="query_set only"):
        explanation.relevance("a", mode="shapley", query_set=["a"], queries=["a"])


def test_literal_option_types_list_the_accepted_values(explanation) -> None:
    assert typing.get_args(Mode) == MODES == ("harsanyi", "shapley")
    assert typing.get_args(SearchScore) == SCORES
    assert typing.get_args(Sign) == SIGNS
    with pytest.raises(ValueError, match="mode must be one of"):
        explanation.relevance("a", mode="banzhaf")  # type: ignore[arg-type]
