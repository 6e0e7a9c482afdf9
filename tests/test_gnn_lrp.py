"""GNN-LRP on PyG models: conservation, batching, walks, decompositions, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.nn import (
    GCNConv,
    GINConv,
    GraphConv,
    global_add_pool,
    global_max_pool,
    global_mean_pool,
)

import symxai
from symxai import Decomposition, FeatureSpaceError, harsanyi_dividends
from symxai.backends.gnn_lrp import GNNLRPBackend
from symxai.backends.lrp import Epsilon, Gamma, Zero

POOLING = {"add": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}


class GraphModel(torch.nn.Module):
    """Three message-passing layers of one kind, ReLU, a pooling and a linear head."""

    def __init__(self, kind: str, pooling: str = "add", bias: bool = True, node_level=False):
        super().__init__()
        dims = [5, 8, 8, 8]

        def layer(i: int, o: int) -> torch.nn.Module:
            if kind == "gin":
                mlp = torch.nn.Sequential(
                    torch.nn.Linear(i, o, bias=bias),
                    torch.nn.ReLU(),
                    torch.nn.Linear(o, o, bias=bias),
                )
                return GINConv(mlp, train_eps=True)
            if kind == "gcn":
                return GCNConv(i, o, bias=bias)
            return GraphConv(i, o, bias=bias)

        self.convs = torch.nn.ModuleList(layer(i, o) for i, o in itertools.pairwise(dims))
        if kind == "gin":
            for conv in self.convs:
                torch.nn.init.constant_(conv.eps, 0.3)
        self.pool = POOLING[pooling]
        self.node_level = node_level
        self.head = torch.nn.Linear(8, 3, bias=bias)

    def forward(self, x, edge_index, batch=None):
        for conv in self.convs:
            x = conv(x, edge_index).relu()
        if self.node_level:
            return self.head(x)
        return self.head(self.pool(x, batch))


def ring_with_chords(n: int = 7, seed: int = 0) -> Data:
    rng = np.random.default_rng(seed)
    edges = [(i, (i + 1) % n) for i in range(n)] + [(0, n // 2), (1, n - 2)]
    edge_index = torch.tensor(edges + [(j, i) for i, j in edges]).T
    x = torch.as_tensor(rng.normal(size=(n, 5)) + 1.0)
    return Data(x=x, edge_index=edge_index)


def model_for(kind: str, pooling: str = "add", bias: bool = True, node_level=False):
    torch.manual_seed(7)
    return GraphModel(kind, pooling, bias, node_level).double()


CASES = [(kind, pooling) for kind in ("gin", "gcn", "graphconv") for pooling in POOLING]


@pytest.mark.parametrize(("kind", "pooling"), CASES)
@pytest.mark.parametrize("rule", [Zero(), Gamma(0.5), Epsilon(1e-9)])
def test_conservation_without_biases(kind: str, pooling: str, rule) -> None:
    backend = GNNLRPBackend(
        model_for(kind, pooling, bias=False), ring_with_chords(), target=1, rules=rule
    )
    total = backend(np.ones((1, backend.n), bool))[0]
    assert total == pytest.approx(backend.prediction(), rel=1e-7, abs=1e-10)
    assert backend.feature_relevance().sum() == pytest.approx(total, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("kind", "pooling"), CASES)
def test_bias_absorption_is_eulers_bias_term(kind: str, pooling: str) -> None:
    """LRP-0 on a ReLU network: f(x) = sum x df/dx + sum_b b df/db, so the biases absorb
    exactly sum_b b df/db."""
    model = model_for(kind, pooling, bias=True)
    data = ring_with_chords()
    backend = GNNLRPBackend(model, data, target=2)
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    output = model(data.x, data.edge_index, torch.zeros(data.num_nodes, dtype=torch.long))[0, 2]
    gradients = torch.autograd.grad(output, biases)
    expected = sum(float((b * g).sum().detach()) for b, g in zip(biases, gradients, strict=True))
    assert backend.bias_absorption() == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert abs(expected) > 1e-3  # the biases do matter in this model


@pytest.mark.parametrize("kind", ["gin", "gcn", "graphconv"])
def test_batched_relevance_equals_loop_and_walk_sums(kind: str) -> None:
    data = ring_with_chords()
    backend = GNNLRPBackend(model_for(kind), data, target=(0, 1), rules=Gamma(0.25), batch_size=16)
    masks = np.random.default_rng(1).random((40, data.num_nodes)) < 0.5
    batched = backend(masks)
    looped = np.array([backend(mask[None])[0] for mask in masks])
    np.testing.assert_allclose(batched, looped, rtol=1e-10, atol=1e-12)
    walks = backend.walks()
    assert walks.exact and len(walks) == backend.count_walks()
    inside = np.array([walks.relevance[mask[walks.nodes].all(axis=1)].sum() for mask in masks])
    np.testing.assert_allclose(batched, inside, rtol=1e-9, atol=1e-12)
    # Every step of a walk is an edge or a stay; the walks sum to v(N).
    assert walks.relevance.sum() == pytest.approx(backend(np.ones((1, data.num_nodes), bool))[0])


@pytest.mark.parametrize("kind", ["gin", "gcn", "graphconv"])
def test_walk_dividends_equal_moebius_transform(kind: str) -> None:
    backend = GNNLRPBackend(model_for(kind), ring_with_chords(), target=0, rules=Gamma(0.1))
    from_walks = Decomposition.from_dividends(backend.walks().dividends())
    exact = harsanyi_dividends(backend.set_function())
    assert from_walks.complete
    for subset, value in zip(exact.subsets(), exact.values, strict=True):
        assert from_walks[subset] == pytest.approx(value, abs=1e-10)
    assert max(len(s) for s in from_walks.subsets()) <= backend.num_layers + 1


def test_node_level_target_walks_end_at_the_node() -> None:
    data = ring_with_chords()
    backend = GNNLRPBackend(model_for("gin", node_level=True, bias=False), data, target=0, node=3)
    walks = backend.walks()
    assert (walks.nodes[:, -1] == 3).all()
    assert walks.relevance.sum() == pytest.approx(backend.prediction(), rel=1e-9)
    with pytest.raises(ValueError, match="node=<index>"):
        GNNLRPBackend(model_for("gin", node_level=True), data, target=0).prediction()


def test_beam_search_with_a_wide_beam_finds_the_exact_top_walks() -> None:
    backend = GNNLRPBackend(model_for("gin"), ring_with_chords(), target=0)
    exact = backend.walks(top=5)
    beam = backend.walks(top=5, max_walks=10, beam_width=10_000)
    assert exact.exact and not beam.exact
    np.testing.assert_allclose(beam.relevance, exact.relevance)
    narrow = backend.walks(top=5, max_walks=10, beam_width=20)
    assert (
        len(narrow) == 5 and np.abs(narrow.relevance).max() <= np.abs(exact.relevance).max() + 1e-12
    )


def test_edge_relevance_sums_walks_crossing_each_bond() -> None:
    data = ring_with_chords()
    backend = GNNLRPBackend(model_for("gcn"), data, target=0)
    walks = backend.walks()
    scores = walks.edge_relevance(data.edge_index.numpy())
    for e, (i, j) in enumerate(data.edge_index.T.tolist()):
        crossing = [
            r
            for w, r in zip(walks.nodes.tolist(), walks.relevance, strict=True)
            if any({a, b} == {i, j} for a, b in itertools.pairwise(w))
        ]
        assert scores[e] == pytest.approx(sum(crossing), abs=1e-12)


def test_explain_dispatches_graphs_to_gnn_lrp_and_queries_work() -> None:
    data = ring_with_chords()
    explanation = symxai.explain(model_for("gin", bias=False), data, target=0)
    assert explanation.metadata["backend"] == "gnn-lrp"
    assert explanation.value() == pytest.approx(explanation.prediction)
    r_a = explanation.relevance("#0")
    assert r_a == pytest.approx(explanation.value() - explanation.value(range(1, data.num_nodes)))


def test_clear_errors() -> None:
    model = model_for("gin")
    with pytest.raises(FeatureSpaceError, match="empty"):
        GNNLRPBackend(
            model,
            Data(
                x=torch.zeros(0, 5, dtype=torch.float64),
                edge_index=torch.zeros(2, 0, dtype=torch.long),
            ),
        )
    with pytest.raises(FeatureSpaceError, match="MessagePassing"):
        GNNLRPBackend(torch.nn.Linear(5, 2), ring_with_chords())
    integer = ring_with_chords()
    integer.x = integer.x.long()
    with pytest.raises(FeatureSpaceError, match="floating point"):
        GNNLRPBackend(model, integer)
    large = ring_with_chords(n=30)
    backend = GNNLRPBackend(model, large, target=0)
    with pytest.raises(FeatureSpaceError, match="max_order"):
        harsanyi_dividends(backend.set_function())
    assert len(harsanyi_dividends(backend.set_function(), max_order=2)) == 1 + 30 + 435


def test_explanation_dividends_from_walks_match_the_generic_paths() -> None:
    """Explanation.dividends uses the exact walk decomposition; restricted to a context
    or an order it equals the generic Möbius / order-limited computations."""
    data = ring_with_chords()
    explanation = symxai.explain(model_for("gcn"), data, target=1, rules=Gamma(0.2))
    backend = explanation.source
    context = np.array([True, True, False, True, True, False, True])
    restricted = explanation.dividends(context=context)
    generic = harsanyi_dividends(backend.set_function(), context=context)
    for subset, value in zip(generic.subsets(), generic.values, strict=True):
        assert restricted[subset] == pytest.approx(value, abs=1e-10)
    assert restricted[(2, 3)] == 0.0  # feature 2 is outside the context
    low = explanation.dividends(max_order=2)
    reference = harsanyi_dividends(backend.set_function(), max_order=2)
    for subset, value in zip(reference.subsets(), reference.values, strict=True):
        assert low[subset] == pytest.approx(value, abs=1e-10)
    assert low.orders.max() <= 2
