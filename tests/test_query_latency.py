"""Per-query caches give the values of the uncached computation, to 1e-12.

An explanation keeps what does not change between queries (resolved atoms, closed-form
plans: :mod:`symxai.query.cache`), the LRP layers keep their modified parameters
(:mod:`symxai.backends.lrp.modified_parameters`), GNN-LRP back-propagates the sparse
products through a stored transposed adjacency (:mod:`symxai.backends.sparse_backward`)
and the set function finds distinct coalitions from packed bytes. Each test compares the
fast path with the computation it replaces: the closed form on a fresh set function, a
rule that is never cached, PyTorch's own backward, ``np.unique(axis=0)``.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest
import torch
from torch_geometric.nn import GraphConv, global_add_pool

from symxai.backends.gnn_lrp import GNNLRPBackend
from symxai.backends.lrp import Gamma, Rule, Zero, lrp_linear_output
from symxai.backends.lrp.modified_parameters import modified_parameters
from symxai.backends.sparse_backward import _dispatch
from symxai.connected_dividends import ConnectedPlan
from symxai.domains.molecules import (
    DEFAULT_RULES,
    MUTAGEN,
    NONMUTAGEN,
    explain_molecule,
    load_molecules,
)
from symxai.errors import UnknownAtomError
from symxai.query import parse_query
from symxai.relevance import query_relevances
from symxai.setfunction import SetFunction

QUERIES = [
    "N & O & C",
    "C & O",
    "N | O",
    "~C & N",
    'smarts"[N+](=O)[O-]" & C & H',
    "N & O & C & H",
    "element:O & ~N",
    "#0 & #1 & #2",
    "Cl & C",
]


@pytest.fixture(scope="module")
def molecules() -> list[Any]:
    """Two nitro mutagens and two other molecules of different sizes."""
    every = load_molecules("Mutagenicity")
    nitro = [m for m in every if m.label == MUTAGEN and m.match_smarts("[N+](=O)[O-]")]
    return [nitro[0], nitro[5], every[0], every[17]]


def closed_form(explanation: Any, query: str, context: np.ndarray | None) -> float:
    """``R(q)`` by the closed form on a fresh (uncached) set function of a new backend."""
    backend = explanation.source
    fresh = GNNLRPBackend(
        backend.model, backend.data, target=backend.target, rules=backend.rules
    ).set_function()
    parsed = parse_query(query)
    atoms = explanation.space.resolve_query(parsed, query, "absent")
    return float(query_relevances(fresh, [parsed], atoms, context=context)[0])


def test_repeated_and_fresh_queries_equal_the_uncached_closed_form(
    gin: torch.nn.Module, molecules: list[Any]
) -> None:
    for molecule in molecules:
        explanation = explain_molecule(molecule, gin, missing="absent")
        explanation.reuse_dividends = False
        context = np.arange(explanation.n) % 3 != 1
        expected = {q: closed_form(explanation, q, None) for q in QUERIES}
        in_context = {q: closed_form(explanation, q, context) for q in QUERIES}
        for _ in range(2):
            for query in QUERIES:
                got = explanation.relevance(query)
                assert got == pytest.approx(expected[query], abs=1e-12, rel=0)
                spaced = " " + query.replace("&", " & ") + " "
                assert explanation.relevance(spaced) == pytest.approx(got, abs=1e-12, rel=0)
                got = explanation.relevance(query, context=context)
                assert got == pytest.approx(in_context[query], abs=1e-12, rel=0)
            explanation.set_function.clear_cache()
        together = explanation.relevances(QUERIES).to_numpy()
        np.testing.assert_allclose(together, [expected[q] for q in QUERIES], rtol=0, atol=1e-12)


def test_a_query_session_moves_to_the_connected_dividends_and_keeps_the_values(
    gin: torch.nn.Module, molecules: list[Any]
) -> None:
    """Rent or buy (``Explanation._amortise``): once the closed-form queries on a context
    have cost as many value calls as its complete connected-coalition dividends, these are
    built and the next queries make no value call; every answer equals the uncached closed
    form to float32 rounding, and the session's value calls stay below twice the
    dividends' plus one query's."""
    for molecule in molecules:
        explanation = explain_molecule(molecule, gin, missing="absent")
        context = np.arange(explanation.n) % 3 != 1
        graph = explanation.source.coalition_graph()
        needed = {
            key: ConnectedPlan.build(graph, graph.max_size, mask).masks.shape[0]
            for key, mask in (("all", None), ("context", context))
        }
        expected = {(q, "all"): closed_form(explanation, q, None) for q in QUERIES}
        expected |= {(q, "context"): closed_form(explanation, q, context) for q in QUERIES}
        scale = max(1.0, abs(explanation.value(None)))
        calls = []
        for _ in range(12):
            for query in QUERIES:
                for key, mask in (("all", None), ("context", context)):
                    got = explanation.relevance(query, context=mask)
                    assert got == pytest.approx(expected[query, key], abs=2e-5 * scale, rel=0)
            explanation.set_function.clear_cache()
            calls.append(explanation.set_function.calls)
        assert calls[-1] == calls[-2] == calls[-3]
        largest_query = 2**4
        assert calls[-1] <= 2 * sum(needed.values()) + 2 * largest_query


def test_cached_atoms_keep_the_missing_mode_and_the_error_location(
    gin: torch.nn.Module, molecules: list[Any]
) -> None:
    explanation = explain_molecule(molecules[0], gin)
    assert explanation.relevance("Cl & C", missing="absent") == 0.0
    for _ in range(2):
        with pytest.raises(UnknownAtomError) as raised:
            explanation.relevance("C & Cl")
        assert raised.value.column == 5
    resolved = explanation._parse_all(["N & O"])[1]
    assert all(not indices.flags.writeable for indices in resolved.values())


class UncachedGamma(Rule):
    """LRP-gamma as a plain (not frozen) rule: its ``rho`` is applied afresh every pass."""

    def __init__(self, gamma: float) -> None:
        self.gamma = gamma
        self.epsilon = Gamma().epsilon

    def modify(self, parameter: torch.Tensor) -> torch.Tensor:
        return parameter + self.gamma * parameter.clamp(min=0)


def test_cached_modified_parameters_give_the_uncached_lrp_values(
    gin: torch.nn.Module, molecules: list[Any]
) -> None:
    uncached_rules = {"convs.*": UncachedGamma(0.5), "*": Zero()}
    for molecule in molecules:
        data = molecule.to_data()
        masks = np.random.default_rng(molecule.index).random((40, molecule.num_atoms)) < 0.6
        values = []
        for rules in (DEFAULT_RULES, uncached_rules, DEFAULT_RULES):
            backend = GNNLRPBackend(gin, data, target=(MUTAGEN, NONMUTAGEN), rules=rules)
            values.append(np.concatenate([backend(masks), backend.feature_relevance()]))
        np.testing.assert_allclose(values[0], values[1], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(values[0], values[2])


def test_modified_parameters_follow_changes_of_the_layer() -> None:
    torch.manual_seed(0)
    layer = torch.nn.Linear(5, 3)
    rule = Gamma(0.5)
    inputs = torch.randn(4, 5)

    def check() -> None:
        weight, bias = modified_parameters(layer, rule)
        torch.testing.assert_close(weight, rule.modify(layer.weight.detach()), rtol=0, atol=0)
        torch.testing.assert_close(bias, rule.modify(layer.bias.detach()), rtol=0, atol=0)
        output = layer(inputs)
        cached = lrp_linear_output(
            inputs, output, layer.weight, layer.bias, rule, modified_parameters=(weight, bias)
        )
        fresh = lrp_linear_output(inputs, output, layer.weight, layer.bias, rule)
        torch.testing.assert_close(cached, fresh, rtol=0, atol=0)

    check()
    assert modified_parameters(layer, rule)[0] is modified_parameters(layer, rule)[0]
    with torch.no_grad():
        layer.weight.mul_(-2.0)
    check()
    layer.load_state_dict({"weight": torch.randn(3, 5), "bias": torch.randn(3)})
    check()
    layer.weight = torch.nn.Parameter(torch.randn(3, 5))
    check()
    layer.double()
    inputs = inputs.double()
    check()
    assert modified_parameters(layer, rule)[0].dtype == torch.float64


@pytest.mark.parametrize("n", [0, 1, 7, 9, 30, 70])
def test_distinct_coalitions_reach_the_backend_in_the_order_of_np_unique(n: int) -> None:
    rng = np.random.default_rng(n)
    masks = rng.random((200, n)) < 0.3
    masks = np.concatenate([masks, masks[::3]])
    seen: list[np.ndarray] = []

    def record(batch: np.ndarray) -> np.ndarray:
        seen.append(batch.copy())
        return batch.astype(np.float64) @ (np.arange(n) + 1.5) if n else np.full(len(batch), 2.0)

    set_function = SetFunction(record, n)
    values = set_function(masks)
    unique = np.unique(masks, axis=0)
    np.testing.assert_array_equal(np.concatenate(seen), unique)
    np.testing.assert_array_equal(values, record(masks))
    assert set_function.calls == len(unique)
    set_function(masks[::-1])
    assert set_function.calls == len(unique)


class TwoGraphConvs(torch.nn.Module):
    """Two ``GraphConv`` layers with the given aggregation, sum pooling, a linear head."""

    def __init__(self, aggr: str) -> None:
        super().__init__()
        self.convs = torch.nn.ModuleList(
            [GraphConv(14, 16, aggr=aggr), GraphConv(16, 16, aggr=aggr)]
        )
        self.head = torch.nn.Linear(16, 2)

    def forward(self, x, edge_index, batch=None):
        for conv in self.convs:
            x = conv(x, edge_index).relu()
        return self.head(global_add_pool(x, batch))


def without_transposed_backward(backend: GNNLRPBackend) -> GNNLRPBackend:
    """The same backend with PyTorch's own backward of the sparse products."""
    plain = copy.copy(backend)
    plain._product_layers = []
    return plain


@pytest.mark.parametrize("model_name", ["gin", "graphconv-add", "graphconv-mean"])
def test_stored_transposed_adjacency_gives_the_autograd_values(
    gin: torch.nn.Module, molecules: list[Any], model_name: str
) -> None:
    """The backward through the stored ``A_t^T`` equals PyTorch's backward of ``A_t X``
    (to the bit); layers whose output is not ``A_t X`` (mean aggregation) keep it."""
    torch.manual_seed(3)
    model = gin if model_name == "gin" else TwoGraphConvs(model_name.split("-")[1])
    for molecule in molecules:
        backend = GNNLRPBackend(
            model, molecule.to_data(), target=(MUTAGEN, NONMUTAGEN), rules=DEFAULT_RULES
        )
        assert backend.sparse_adjacency
        expected_layers = 0 if model_name == "graphconv-mean" else len(backend._layers)
        assert len(backend._product_layers) == expected_layers
        masks = np.random.default_rng(1).random((24, molecule.num_atoms)) < 0.5
        for copies in (1, 24):
            got = np.concatenate([backend(masks[:copies]), backend.feature_relevance()])
            plain = without_transposed_backward(backend)
            expected = np.concatenate([plain(masks[:copies]), plain.feature_relevance()])
            np.testing.assert_array_equal(got, expected)


def test_a_model_explained_with_the_stored_transpose_still_copies_and_pickles(
    gin: torch.nn.Module, molecules: list[Any]
) -> None:
    data = molecules[0].to_data()
    GNNLRPBackend(gin, data, target=(MUTAGEN, NONMUTAGEN), rules=DEFAULT_RULES)
    copied = pickle.loads(pickle.dumps(copy.deepcopy(gin)))
    backend = GNNLRPBackend(copied, data, target=(MUTAGEN, NONMUTAGEN), rules=DEFAULT_RULES)
    reference = GNNLRPBackend(gin, data, target=(MUTAGEN, NONMUTAGEN), rules=DEFAULT_RULES)
    masks = np.random.default_rng(2).random((16, backend.n)) < 0.5
    np.testing.assert_array_equal(backend(masks), reference(masks))
    for layer in backend._layers:
        hooks = list(layer._message_and_aggregate_forward_hooks.values())
        assert sum(hook is _dispatch for hook in hooks) == 1


@pytest.mark.parametrize("sparse_adjacency", [None, True, False])
def test_the_prediction_from_the_construction_pass_equals_a_fresh_forward(
    gin: torch.nn.Module, molecules: list[Any], sparse_adjacency: bool | None
) -> None:
    """The first ``prediction()`` reuses the construction's last plain forward pass; it is
    the same number, to the bit, as the forward pass every later call runs."""
    for molecule in molecules:
        backend = GNNLRPBackend(
            gin,
            molecule.to_data(),
            target=(MUTAGEN, NONMUTAGEN),
            rules=DEFAULT_RULES,
            sparse_adjacency=sparse_adjacency,
        )
        assert backend.prediction() == backend.prediction()
