"""Connected-coalition dividends: GNN-LRP (and SchNet within its cutoff) dividends vanish
off the connected coalitions of at most ``T + 1`` nodes, so order-limited dividends from
the connected coalitions alone equal the full Möbius transform; models that mix nodes
outside message passing are detected and fall back to the full transform."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.nn import GCNConv, GINConv, GraphNorm, global_add_pool

import symxai
from symxai import harsanyi_dividends
from symxai._compat import import_schnetpack
from symxai.backends.coalition_graph import CoalitionGraph
from symxai.backends.gnn_locality import locality_refusal
from symxai.backends.gnn_lrp import GNNLRPBackend
from symxai.backends.schnet_lrp import SchNetLRPBackend
from symxai.connected_dividends import connected_coalitions, connected_harsanyi_dividends


class SmallGNN(torch.nn.Module):
    """Three message-passing layers (GIN, GCN, GIN), sum pooling, linear head; optionally
    a virtual node (every node gets the graph sum between layers: mixing outside message
    passing, written with functions) or a normalisation module after the first layer."""

    def __init__(self, virtual_node: bool = False, norm: torch.nn.Module | None = None) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.convs = torch.nn.ModuleList(
            [
                GINConv(torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU())),
                GCNConv(8, 8),
                GINConv(torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU())),
            ]
        )
        self.norm = norm
        self.head = torch.nn.Linear(8, 1)
        self.virtual_node = virtual_node

    def forward(self, x, edge_index, batch=None):
        batch = torch.zeros(x.shape[0], dtype=torch.long) if batch is None else batch
        for number, conv in enumerate(self.convs):
            x = torch.relu(conv(x, edge_index))
            if number == 0 and isinstance(self.norm, GraphNorm):
                x = self.norm(x, batch)
            elif number == 0 and self.norm is not None:
                x = self.norm(x)
            if number == 0 and self.virtual_node:
                x = x + 0.5 * global_add_pool(x, batch)[batch]
        return self.head(global_add_pool(x, batch))


def random_graph(seed: int, n: int = 9, components: int = 2) -> Data:
    """A random graph of ``components`` connected pieces (a random tree each, plus a few
    extra edges), both edge directions, random features."""
    rng = np.random.default_rng(seed)
    pieces = np.array_split(rng.permutation(n), components)
    edges = []
    for piece in pieces:
        for position in range(1, len(piece)):
            edges.append((piece[position], piece[rng.integers(position)]))
        for _ in range(len(piece) // 3):
            a, b = rng.choice(piece, 2, replace=len(piece) < 2)
            if a != b:
                edges.append((a, b))
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    edge_index = torch.as_tensor(np.concatenate([pairs, pairs[:, ::-1]]).T.copy())
    x = torch.as_tensor(rng.normal(size=(n, 3)), dtype=torch.float32)
    return Data(x=x, edge_index=edge_index)


def assert_equal_to_full_transform(explanation, order: int, context=None) -> None:
    """Every dividend of order <= ``order`` (inside ``context``) equals the full Möbius
    transform of the backend's set function, listed or not."""
    decomposition = explanation.dividends(max_order=order, context=context)
    mask = explanation.context_mask(context)
    full = harsanyi_dividends(explanation.set_function, context=mask)
    scale = np.abs(full.values).max()
    for subset, value in zip(full.subsets(), full.values, strict=True):
        if len(subset) <= order:
            assert decomposition[subset] == pytest.approx(value, abs=1e-5 * scale), subset


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("order", [2, 3])
def test_random_graphs_including_disconnected_equal_full_transform(seed, order) -> None:
    graph = random_graph(seed, components=1 + seed)
    explanation = symxai.explain(SmallGNN(), graph)
    assert_equal_to_full_transform(explanation, order)
    decomposition = explanation.dividends(max_order=order)
    assert len(decomposition) < sum(
        1 for j in range(order + 1) for _ in itertools.combinations(range(9), j)
    )


def test_order_beyond_the_layers_gives_every_nonzero_dividend() -> None:
    explanation = symxai.explain(SmallGNN(), random_graph(4, n=8, components=2))
    decomposition = explanation.dividends(max_order=8)
    assert decomposition.max_order == 4 and decomposition.complete
    full = harsanyi_dividends(explanation.set_function)
    scale = np.abs(full.values).max()
    for subset, value in zip(full.subsets(), full.values, strict=True):
        assert decomposition[subset] == pytest.approx(value, abs=1e-5 * scale), subset
    masks = np.random.default_rng(0).random((16, 8)) < 0.5
    values = explanation.values(masks)
    for mask, value in zip(masks, values, strict=True):
        assert decomposition.value(np.flatnonzero(mask)) == pytest.approx(value, abs=1e-5 * scale)


def test_context_restricts_to_the_induced_subgraph() -> None:
    explanation = symxai.explain(SmallGNN(), random_graph(5, n=10, components=2))
    context = np.array([0, 2, 3, 5, 7, 8])
    assert_equal_to_full_transform(explanation, 3, context=context)


@pytest.mark.parametrize("order", [2, 3])
def test_small_molecules_equal_full_transform(mutagenicity_gin, order) -> None:
    from symxai.domains.molecules import DEFAULT_RULES, MUTAGEN, NONMUTAGEN, load_molecules

    molecules = [m for m in load_molecules("Mutagenicity") if 8 <= m.num_atoms <= 12][:3]
    for molecule in molecules:
        explanation = symxai.explain(
            mutagenicity_gin.model,
            molecule.to_data(),
            target=(MUTAGEN, NONMUTAGEN),
            rules=DEFAULT_RULES,
        )
        assert_equal_to_full_transform(explanation, order)
        walks = explanation.source.exact_dividends()
        restricted = symxai.Decomposition.from_dividends(walks).restrict(None, order)
        decomposition = explanation.dividends(max_order=order)
        assert decomposition.max_order == restricted.max_order
        for subset, value in zip(restricted.subsets(), restricted.values, strict=True):
            assert decomposition[subset] == pytest.approx(value, abs=1e-6)


def test_the_35_atom_molecule_needs_atoms_and_bonds_only(mutagenicity_gin) -> None:
    from symxai.domains.molecules import MUTAGEN, NONMUTAGEN, load_molecules

    molecule = next(m for m in load_molecules("Mutagenicity") if m.num_atoms == 35)
    backend = GNNLRPBackend(
        mutagenicity_gin.model, molecule.to_data(), target=(MUTAGEN, NONMUTAGEN)
    )
    graph = backend.coalition_graph()
    assert graph is not None and graph.max_size == 4
    bonds = np.unique(np.sort(molecule.to_data().edge_index.numpy().T, axis=1), axis=0)
    sizes = connected_coalitions(graph.adjacency(), 2)
    assert len(sizes[0]) == 35
    np.testing.assert_array_equal(sizes[1], bonds)


def test_connected_coalitions_of_a_path_and_a_star() -> None:
    path = CoalitionGraph(6, np.array([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]]), 4).adjacency()
    sizes = connected_coalitions(path, 4)
    assert [len(s) for s in sizes] == [6, 5, 4, 3]
    star = CoalitionGraph(5, np.array([[0, 0, 0, 0], [1, 2, 3, 4]]), 4).adjacency()
    sizes = connected_coalitions(star, 3)
    assert [len(s) for s in sizes] == [5, 4, 6]
    assert connected_coalitions(star, 3, context=np.array([1, 2, 3]))[1].shape == (0, 2)


def test_a_virtual_node_fails_the_check_and_falls_back() -> None:
    graph = random_graph(6, n=9, components=2)
    explanation = symxai.explain(SmallGNN(virtual_node=True), graph)
    coalition_graph = explanation.source.coalition_graph()
    assert coalition_graph is not None
    assert (
        connected_harsanyi_dividends(explanation.set_function, coalition_graph, max_order=2) is None
    )
    decomposition = explanation.dividends(max_order=2)
    assert len(decomposition) == 1 + 9 + 36
    assert_equal_to_full_transform(explanation, 2)


@pytest.mark.parametrize(
    "norm, reason",
    [
        (GraphNorm(8), "GraphNorm"),
        (torch.nn.BatchNorm1d(8).train(), "training mode"),
        (torch.nn.MultiheadAttention(8, 2), "MultiheadAttention"),
    ],
)
def test_modules_that_mix_nodes_are_refused(norm, reason) -> None:
    model = SmallGNN(norm=norm)
    assert reason in (locality_refusal(model) or "")


def test_batch_norm_in_eval_mode_is_node_wise() -> None:
    model = SmallGNN(norm=torch.nn.BatchNorm1d(8)).eval()
    assert locality_refusal(model) is None
    explanation = symxai.explain(model, random_graph(7))
    assert_equal_to_full_transform(explanation, 2)


def test_refused_models_use_the_full_transform() -> None:
    backend = GNNLRPBackend(SmallGNN(norm=GraphNorm(8)), random_graph(8))
    assert backend.coalition_graph() is None
    explanation = symxai.Explanation(
        symxai.FeatureSpace([f"f{i}" for i in range(9)]),
        backend.set_function(),
        coalition_graph=backend.coalition_graph,
    )
    assert len(explanation.dividends(max_order=2)) == 1 + 9 + 36
    assert_equal_to_full_transform(explanation, 2)


def test_schnet_dividends_vanish_off_the_cutoff_graph() -> None:
    spk = import_schnetpack()
    torch.manual_seed(0)
    cutoff = 2.5
    representation = spk.representation.SchNet(
        n_atom_basis=16,
        n_interactions=2,
        radial_basis=spk.nn.GaussianRBF(10, cutoff),
        cutoff_fn=spk.nn.CosineCutoff(cutoff),
    )
    model = spk.model.NeuralNetworkPotential(
        representation=representation,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[spk.atomistic.Atomwise(16, output_key="energy")],
    )
    positions = np.array([[0.0, 0, 0], [1.5, 0, 0], [3.0, 0, 0], [4.5, 0, 0], [6.0, 0.2, 0]])
    backend = SchNetLRPBackend(model, [6, 6, 6, 6, 8], positions)
    graph = backend.coalition_graph()
    assert graph is not None and graph.max_size == 3
    assert graph.adjacency().sum() == 2 * 4
    full = harsanyi_dividends(backend.set_function())
    decomposition = connected_harsanyi_dividends(backend.set_function(), graph, max_order=3)
    assert decomposition is not None and len(decomposition) == 1 + 5 + 4 + 3
    scale = np.abs(full.values).max()
    for subset, value in zip(full.subsets(), full.values, strict=True):
        if len(subset) <= 3:
            assert decomposition[subset] == pytest.approx(value, abs=1e-5 * scale), subset


def test_connected_coalitions_equal_brute_force_on_random_graphs() -> None:
    rng = np.random.default_rng(0)
    for _ in range(10):
        n = 9
        adjacency = rng.random((n, n)) < 0.25
        adjacency |= adjacency.T
        np.fill_diagonal(adjacency, False)
        context = np.flatnonzero(rng.random(n) < 0.8)
        found = connected_coalitions(adjacency, 4, context)
        for size in range(1, 5):
            expected = []
            for subset in itertools.combinations(context.tolist(), size):
                reached, stack = {subset[0]}, [subset[0]]
                while stack:
                    node = stack.pop()
                    for other in subset:
                        if other not in reached and adjacency[node, other]:
                            reached.add(other)
                            stack.append(other)
                if len(reached) == size:
                    expected.append(subset)
            assert sorted(map(tuple, found[size - 1].tolist())) == expected
