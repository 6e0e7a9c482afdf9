"""GNN-LRP on large graphs: per-node relevance in one backward pass, graph copies joined
by a sparse adjacency, and query costs that do not grow with the graph."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from scipy.spatial import cKDTree
from torch_geometric.data import Data

import symxai
from symxai import FeatureSpace
from symxai.backends.gnn_lrp import PASS_MEMORY, GNNLRPBackend, copies_per_pass
from symxai.backends.lrp import Epsilon, Gamma, Zero
from symxai.backends.sparse_copies import block_diagonal_adjacency
from symxai.models.gin import GIN
from symxai.models.survival_gin import SurvivalGIN

PHENOTYPES = ("Cancer", "Treg", "Tc", "Th", "B")
MOLECULE_RULES = {"convs.*": Gamma(0.5), "*": Zero()}
RULE_SETS = {
    "lrp0": None,
    "molecule-composite": MOLECULE_RULES,
    "gamma": Gamma(0.25),
    "gamma-epsilon": {"convs.0.*": Gamma(0.3), "*": Epsilon(1e-6)},
}


def cell_graph(n: int, seed: int = 0, kinds: int = len(PHENOTYPES)) -> tuple[Data, np.ndarray]:
    """Random points in a disc, undirected kNN edges (k = 3), one-hot phenotypes."""
    rng = np.random.default_rng(seed)
    radius = np.sqrt(rng.random(n))
    angle = 2 * np.pi * rng.random(n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    _, nearest = cKDTree(points).query(points, k=4)
    source = np.repeat(np.arange(n), 3)
    target = nearest[:, 1:].reshape(-1)
    pairs = np.unique(
        np.concatenate([np.stack([source, target]), np.stack([target, source])], axis=1), axis=1
    )
    phenotype = rng.integers(0, kinds, n)
    x = torch.zeros(n, kinds)
    x[torch.arange(n), torch.as_tensor(phenotype)] = 1.0
    return Data(x=x, edge_index=torch.as_tensor(pairs, dtype=torch.long)), phenotype


def models(kinds: int) -> dict[str, torch.nn.Module]:
    torch.manual_seed(0)
    return {
        "survival-lrp": SurvivalGIN(kinds, hidden=16, num_layers=3).eval(),
        "survival-xcg": SurvivalGIN(kinds, hidden=16, num_layers=2, variant="xcg").eval(),
        "gin": GIN(kinds, hidden=16, num_layers=3, out_channels=1).eval(),
    }


def per_node_by_masks(backend: GNNLRPBackend) -> np.ndarray:
    """The former per-node relevance: one copy per node, the input masked to that node
    and every later layer open (the walks starting at node ``i``)."""
    masks = np.ones((backend.n, backend.num_layers + 1, backend.n), dtype=bool)
    masks[:, 0, :] = np.eye(backend.n, dtype=bool)
    return backend.layer_relevance(masks)


@pytest.mark.parametrize("model_name", ["survival-lrp", "survival-xcg", "gin"])
@pytest.mark.parametrize("rules", list(RULE_SETS))
def test_one_pass_feature_relevance_equals_per_node_masked_passes(
    model_name: str, rules: str
) -> None:
    data, _ = cell_graph(40, seed=1)
    model = models(len(PHENOTYPES))[model_name]
    backend = GNNLRPBackend(model, data, rules=RULE_SETS[rules])
    one_pass = backend.feature_relevance()
    masked = per_node_by_masks(backend)
    scale = np.abs(masked).max()
    assert scale > 0
    np.testing.assert_allclose(one_pass, masked, rtol=1e-6, atol=1e-6 * scale)
    total = float(backend(np.ones((1, backend.n), dtype=bool))[0])
    assert one_pass.sum() == pytest.approx(total, rel=1e-5, abs=1e-7)


def test_feature_relevance_is_the_sum_of_walks_starting_at_each_node() -> None:
    data, _ = cell_graph(12, seed=2)
    model = models(len(PHENOTYPES))["survival-lrp"]
    backend = GNNLRPBackend(model, data, rules=MOLECULE_RULES)
    walks = backend.walks()
    assert walks.exact
    by_start = np.bincount(walks.nodes[:, 0], weights=walks.relevance, minlength=backend.n)
    np.testing.assert_allclose(backend.feature_relevance(), by_start, rtol=1e-5, atol=1e-9)


def test_node_level_feature_relevance_equals_masked_passes() -> None:
    data, _ = cell_graph(30, seed=3)
    torch.manual_seed(0)

    class NodeGIN(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            from torch_geometric.nn import GINConv

            self.convs = torch.nn.ModuleList(
                GINConv(torch.nn.Linear(w, 8, bias=False)) for w in (len(PHENOTYPES), 8)
            )

        def forward(self, x, edge_index, batch=None):
            for conv in self.convs:
                x = conv(x, edge_index).relu()
            return x.sum(dim=-1)

    backend = GNNLRPBackend(NodeGIN().eval(), data, node=7)
    np.testing.assert_allclose(
        backend.feature_relevance(), per_node_by_masks(backend), rtol=1e-6, atol=1e-9
    )


def test_block_diagonal_adjacency_is_the_disjoint_union_of_copies() -> None:
    edge_index = torch.tensor([[0, 1, 1, 2, 2], [1, 0, 2, 0, 0]])
    adjacency = block_diagonal_adjacency(edge_index, 3, 4, torch.float64).to_dense()
    single = torch.zeros(3, 3, dtype=torch.float64)
    for source, target in edge_index.T.tolist():
        single[target, source] += 1.0
    np.testing.assert_array_equal(adjacency.numpy(), torch.block_diag(*[single] * 4).numpy())


@pytest.mark.parametrize("model_name", ["survival-lrp", "survival-xcg", "gin"])
def test_sparse_adjacency_gives_the_values_of_edge_index(model_name: str) -> None:
    data, _ = cell_graph(60, seed=4)
    model = models(len(PHENOTYPES))[model_name]
    sparse = GNNLRPBackend(model, data, rules=MOLECULE_RULES, batch_size=7)
    dense = GNNLRPBackend(model, data, rules=MOLECULE_RULES, batch_size=7, sparse_adjacency=False)
    assert sparse.sparse_adjacency and not dense.sparse_adjacency
    masks = np.random.default_rng(0).random((20, data.num_nodes)) < 0.6
    expected = dense(masks)
    np.testing.assert_allclose(
        sparse(masks), expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max()
    )


def test_models_with_edge_features_keep_edge_index() -> None:
    from torch_geometric.nn import GINEConv

    class EdgeGIN(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = GINEConv(torch.nn.Linear(3, 4), edge_dim=2)

        def forward(self, x, edge_index, edge_attr, batch=None):
            return self.conv(x, edge_index, edge_attr).sum(dim=-1, keepdim=True).sum(0)

    data = Data(
        x=torch.rand(4, 3),
        edge_index=torch.tensor([[0, 1, 2], [1, 2, 3]]),
        edge_attr=torch.rand(3, 2),
    )
    assert not GNNLRPBackend(EdgeGIN().eval(), data).sparse_adjacency


def test_copies_per_pass_bounds_the_memory_of_a_cell_graph_pass() -> None:
    copies = copies_per_pass(3950, 32)
    assert 2 <= copies <= 64
    assert copies * 3950 * 32 * 4 * 32 <= PASS_MEMORY


def test_queries_evaluate_only_the_closed_form_coalitions() -> None:
    kinds = 17
    data, phenotype = cell_graph(300, seed=5, kinds=kinds)
    names = [f"P{k}" for k in range(kinds)]
    space = FeatureSpace(
        [f"c{i}" for i in range(data.num_nodes)],
        labels={"phenotype": [names[k] for k in phenotype]},
    )
    model = SurvivalGIN(kinds, hidden=8, num_layers=3).eval()
    explanation = symxai.explain(model, data, "gnn-lrp", space=space)
    explanation.relevance("P0 & P1 & ~P2")
    assert explanation.set_function.calls == 8
    explanation = symxai.explain(model, data, "gnn-lrp", space=space)
    pairs = [f"{a} & {b}" for i, a in enumerate(names[:16]) for b in names[i:16]]
    matrix = explanation.relevances(pairs)
    assert len(pairs) == 136
    assert explanation.set_function.calls == 1 + 16 + 120
    single = explanation.relevance("P3")
    assert matrix["P3 & P3"] == pytest.approx(single, rel=1e-9, abs=1e-12)


def test_feature_relevance_of_a_cell_graph_sums_to_v_all_in_seconds() -> None:
    data, _ = cell_graph(3950, seed=6, kinds=17)
    torch.manual_seed(0)
    model = SurvivalGIN(17, hidden=32, num_layers=3).eval()
    start = time.perf_counter()
    backend = GNNLRPBackend(model, data)
    relevance = backend.feature_relevance()
    total = float(backend(np.ones((1, backend.n), dtype=bool))[0])
    elapsed = time.perf_counter() - start
    assert relevance.shape == (3950,)
    assert relevance.sum() == pytest.approx(total, rel=1e-4)
    with torch.no_grad():
        assert total == pytest.approx(float(model(data.x, data.edge_index)[0]), rel=1e-4)
    assert elapsed < 5.0
