"""Peer explainers (symxai.evaluation.peers) on the shipped Mutagenicity GIN and on
planted games: every peer explains symxai's scalar, and each equals its definition."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.explain.algorithm.utils import clear_masks, set_masks
from torch_geometric.nn import GINConv

from symxai.evaluation.peers import (
    PeerScores,
    TargetModel,
    available_peers,
    get_peer,
    gradient_x_input,
    occlusion,
    pair_scores,
    register_peer,
    shapley_values,
)

MUTAGEN, NONMUTAGEN = 0, 1
TARGET = (MUTAGEN, NONMUTAGEN)
PEERS = [
    "gnnexplainer",
    "pgexplainer",
    "integrated-gradients",
    "saliency",
    "input-x-gradient",
    "gradient-x-input",
    "random",
]


def bonds(edge_index: np.ndarray) -> np.ndarray:
    """Undirected pairs ``[P, 2]`` of a graph listing every bond in both directions."""
    return edge_index.T[edge_index[0] < edge_index[1]]


@pytest.fixture(scope="module")
def carriers() -> list[Any]:
    """Two Mutagenicity mutagens carrying NO2/NH2 ground-truth bonds."""
    from symxai.domains.molecules import load_molecules

    molecules = load_molecules("Mutagenicity")
    found = [m for m in molecules if m.label == MUTAGEN and m.edge_ground_truth.any()]
    return found[:2]


def hand_gradients(gin: torch.nn.Module, graph: Data) -> tuple[np.ndarray, np.ndarray]:
    """d f / d x ``[n, d]`` and d f / d edge-mask ``[E]`` at mask 1, f the logit difference."""
    features = graph.x.clone().requires_grad_(True)
    edge_mask = torch.ones(graph.edge_index.shape[1], requires_grad=True)
    set_masks(gin, edge_mask, graph.edge_index, apply_sigmoid=False)
    try:
        logits = gin(features, graph.edge_index)
        value = logits[0, MUTAGEN] - logits[0, NONMUTAGEN]
        x_gradient, edge_gradient = torch.autograd.grad(value, (features, edge_mask))
    finally:
        clear_masks(gin)
    return x_gradient.double().numpy(), edge_gradient.double().numpy()


def test_every_registered_peer_is_listed() -> None:
    assert available_peers() == PEERS
    for name in PEERS:
        peer = get_peer(name)
        assert peer.name == name and peer.label


@pytest.mark.parametrize("name", PEERS)
def test_every_peer_scores_atoms_and_bonds_of_two_molecules(
    name: str, gin: torch.nn.Module, carriers: list[Any]
) -> None:
    peer = get_peer(name)
    if peer.needs_training:
        peer.fit(gin, [m.to_data() for m in carriers], TARGET)
    for molecule in carriers:
        pairs = bonds(molecule.edge_index)
        scores = peer.explain(gin, molecule.to_data(), TARGET, pairs)
        assert isinstance(scores, PeerScores)
        assert scores.pairs is not None and scores.pairs.shape == (len(pairs),)
        assert np.isfinite(scores.pairs).all()
        if name == "pgexplainer":
            assert scores.features is None
        else:
            assert scores.features is not None
            assert scores.features.shape == (molecule.num_atoms,)
            assert np.isfinite(scores.features).all()
        assert scores.seconds >= 0.0


def test_the_wrapped_model_returns_the_logit_difference(
    gin: torch.nn.Module, carriers: list[Any]
) -> None:
    batch = Batch.from_data_list([m.to_data() for m in carriers])
    wrapped = TargetModel(gin, TARGET)
    with torch.no_grad():
        logits = gin(batch.x, batch.edge_index, batch.batch)
        selected = wrapped(batch.x, batch.edge_index, batch.batch)
        single = wrapped(carriers[0].to_data().x, carriers[0].to_data().edge_index)
    assert selected.shape == (2,)
    torch.testing.assert_close(selected, logits[:, MUTAGEN] - logits[:, NONMUTAGEN])
    torch.testing.assert_close(single, selected[:1])


def test_gradient_x_input_equals_captums_input_x_gradient(
    gin: torch.nn.Module, carriers: list[Any]
) -> None:
    graph = carriers[0].to_data()
    pairs = bonds(carriers[0].edge_index)
    captum = get_peer("input-x-gradient").explain(gin, graph, TARGET, pairs)
    plain = get_peer("gradient-x-input").explain(gin, graph, TARGET, pairs)
    np.testing.assert_allclose(plain.features, captum.features, atol=1e-6)
    x_gradient, _ = hand_gradients(gin, graph)
    hand = (x_gradient * graph.x.double().numpy()).sum(axis=1)
    np.testing.assert_allclose(gradient_x_input(gin, graph, TARGET), hand, atol=1e-6)
    np.testing.assert_allclose(plain.pairs, hand[pairs[:, 0]] + hand[pairs[:, 1]], atol=1e-6)


def test_saliency_equals_the_absolute_gradient_by_hand(
    gin: torch.nn.Module, carriers: list[Any]
) -> None:
    molecule = carriers[1]
    graph = molecule.to_data()
    pairs = bonds(molecule.edge_index)
    saliency = get_peer("saliency").explain(gin, graph, TARGET, pairs)
    x_gradient, edge_gradient = hand_gradients(gin, graph)
    assert np.abs(edge_gradient).max() > 0, "PyG's edge mask must reach the GINConv messages"
    np.testing.assert_allclose(saliency.features, np.abs(x_gradient).sum(axis=1), atol=1e-6)
    expected = pair_scores(np.abs(edge_gradient), molecule.edge_index, pairs, molecule.num_atoms)
    np.testing.assert_allclose(saliency.pairs, expected, atol=1e-6)


def test_integrated_gradients_are_complete(gin: torch.nn.Module, carriers: list[Any]) -> None:
    """IG over node features and edge mask sums to f(x, mask 1) - f(0, mask 0)."""
    graph = carriers[0].to_data()
    scores = get_peer("integrated-gradients").explain(gin, graph, TARGET, carriers[0].edge_index.T)
    wrapped = TargetModel(gin, TARGET)
    with torch.no_grad():
        full = float(wrapped(graph.x, graph.edge_index)[0])
        empty = float(wrapped(torch.zeros_like(graph.x), graph.edge_index[:, :0])[0])
    edge_total = scores.pairs.sum() / 2  # every bond requested in both directions
    assert scores.features.sum() + edge_total == pytest.approx(full - empty, rel=0.02, abs=0.02)


def test_pair_scores_sum_both_directions_and_zero_non_edges() -> None:
    edge_index = np.array([[0, 1, 1, 2], [1, 0, 2, 1]])
    mask = np.array([0.25, 0.5, 1.0, 2.0])
    pairs = np.array([[1, 0], [1, 2], [0, 2]])
    np.testing.assert_allclose(pair_scores(mask, edge_index, pairs, 3), [0.75, 3.0, 0.0])
    with pytest.raises(ValueError, match="outside"):
        pair_scores(mask, edge_index, np.array([[0, 3]]), 3)


def test_gnnexplainer_is_seeded_and_peers_run_in_any_order(
    gin: torch.nn.Module, carriers: list[Any]
) -> None:
    graph = carriers[0].to_data()
    pairs = bonds(carriers[0].edge_index)
    first = get_peer("gnnexplainer", epochs=20).explain(gin, graph, TARGET, pairs)
    # after GNNExplainer left its Parameter mask on the layers, captum still differentiates
    integrated = get_peer("integrated-gradients").explain(gin, graph, TARGET, pairs)
    again = get_peer("gnnexplainer", epochs=20).explain(gin, graph, TARGET, pairs)
    np.testing.assert_array_equal(first.pairs, again.pairs)
    np.testing.assert_array_equal(first.features, again.features)
    assert np.abs(integrated.pairs).max() > 0
    assert all(getattr(m, "_edge_mask", None) is None for m in gin.modules())


def test_pgexplainer_must_be_fitted_and_keeps_its_task_level(
    gin: torch.nn.Module, carriers: list[Any]
) -> None:
    graph = carriers[0].to_data()
    peer = get_peer("pgexplainer", epochs=2)
    with pytest.raises(RuntimeError, match="fit"):
        peer.explain(gin, graph, TARGET, bonds(carriers[0].edge_index))
    peer.fit(gin, [m.to_data() for m in carriers], TARGET)
    scores = peer.explain(gin, graph, TARGET, bonds(carriers[0].edge_index))
    assert ((scores.pairs >= 0) & (scores.pairs <= 2)).all()
    with pytest.raises(ValueError, match="graph level"):
        peer.explain(gin, graph, TARGET, bonds(carriers[0].edge_index), index=0)


def test_absolute_scores_are_the_absolute_values(gin: torch.nn.Module, carriers: list[Any]) -> None:
    graph = carriers[0].to_data()
    pairs = bonds(carriers[0].edge_index)
    signed = get_peer("input-x-gradient").explain(gin, graph, TARGET, pairs)
    absolute = get_peer("input-x-gradient", absolute=True).explain(gin, graph, TARGET, pairs)
    assert (signed.features < 0).any()
    np.testing.assert_allclose(absolute.features, np.abs(signed.features))
    np.testing.assert_allclose(absolute.pairs, np.abs(signed.pairs))


class NodeGIN(torch.nn.Module):
    """A small node-level GIN: ``[N, 3]`` logits per node."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.first = GINConv(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU()))
        self.second = GINConv(torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()))
        self.head = torch.nn.Linear(8, 3)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        return self.head(self.second(self.first(x, edge_index), edge_index))


def test_node_level_peers_explain_the_chosen_node() -> None:
    model = NodeGIN().eval()
    generator = torch.Generator().manual_seed(1)
    ring = torch.arange(6)
    edge_index = torch.stack([torch.cat([ring, (ring + 1) % 6]), torch.cat([(ring + 1) % 6, ring])])
    graph = Data(x=torch.rand(6, 4, generator=generator), edge_index=edge_index)
    pairs = bonds(edge_index.numpy())
    node, target = 2, (0, 1)
    features = graph.x.clone().requires_grad_(True)
    logits = model(features, edge_index)
    (gradient,) = torch.autograd.grad(logits[node, 0] - logits[node, 1], features)
    saliency = get_peer("saliency").explain(model, graph, target, pairs, index=node)
    np.testing.assert_allclose(saliency.features, gradient.abs().sum(1).double().numpy(), atol=1e-6)
    plain = get_peer("gradient-x-input").explain(model, graph, target, pairs, index=node)
    np.testing.assert_allclose(
        plain.features, (gradient * graph.x).sum(1).double().numpy(), atol=1e-6
    )
    explained = get_peer("gnnexplainer", epochs=5).explain(model, graph, target, pairs, index=node)
    assert explained.features.shape == (6,) and np.isfinite(explained.pairs).all()
    pg = get_peer("pgexplainer", epochs=2)
    pg.fit(model, [graph, graph], target, indices=[node, 4])
    assert pg.explain(model, graph, target, pairs, index=node).pairs.shape == (len(pairs),)


def test_the_registry_names_its_peers_and_refuses_duplicates() -> None:
    with pytest.raises(KeyError, match="gnnexplainer"):
        get_peer("lime")
    with pytest.raises(ValueError, match="already registered"):
        register_peer("random", lambda **options: get_peer("random", **options))


def planted_game(n: int, dividends: dict[tuple[int, ...], float]) -> Any:
    """v(S) = sum of the dividends of the coalitions inside S (batched over masks)."""

    def value(masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks, dtype=bool)
        total = np.zeros(len(masks))
        for coalition, dividend in dividends.items():
            total += dividend * masks[:, list(coalition)].all(axis=1)
        return total

    return value


def test_shapiq_shapley_values_equal_the_exact_values_of_a_planted_game() -> None:
    n = 6
    rng = np.random.default_rng(3)
    dividends = {(i,): float(rng.normal()) for i in range(n)}
    dividends |= {pair: float(rng.normal()) for pair in [(0, 1), (2, 5), (3, 4)]}
    dividends[(1, 2, 3)] = 1.5
    exact = np.zeros(n)
    for coalition, dividend in dividends.items():
        exact[list(coalition)] += dividend / len(coalition)
    value = planted_game(n, dividends)
    np.testing.assert_allclose(shapley_values(value, n), exact, atol=1e-9)
    np.testing.assert_allclose(shapley_values(value, n, budget=2**n), exact, atol=1e-9)
    full = value(np.ones((1, n), dtype=bool))[0] - value(np.zeros((1, n), dtype=bool))[0]
    assert shapley_values(value, n).sum() == pytest.approx(full)


def test_kernelshap_recovers_an_additive_game_beyond_the_exact_range() -> None:
    n = 16
    weights = np.linspace(-1.0, 2.0, n)
    calls: list[int] = []

    def value(masks: np.ndarray) -> np.ndarray:
        calls.append(len(masks))
        return np.asarray(masks, dtype=float) @ weights

    np.testing.assert_allclose(shapley_values(value, n, budget=400, seed=1), weights, atol=1e-6)
    assert sum(calls) <= 400


def test_occlusion_equals_a_hand_loop() -> None:
    n = 7
    value = planted_game(n, {(0,): 1.0, (1, 2): -2.0, (3, 4, 5): 0.5, (6,): 0.25, (2, 6): 3.0})
    batches: list[int] = []

    def counted(masks: np.ndarray) -> np.ndarray:
        batches.append(len(masks))
        return value(masks)

    full = np.ones(n, dtype=bool)
    hand = []
    for i in range(n):
        without = full.copy()
        without[i] = False
        hand.append(value(full[None])[0] - value(without[None])[0])
    np.testing.assert_allclose(occlusion(counted, n), hand)
    assert batches == [n + 1]


def test_attribution_peers_refuse_empty_inputs_and_wrong_shapes() -> None:
    with pytest.raises(ValueError, match="at least one feature"):
        occlusion(lambda masks: np.zeros(len(masks)), 0)
    with pytest.raises(ValueError, match="returned"):
        occlusion(lambda masks: np.zeros(3), 4)


class PlantedPolynomial(torch.nn.Module):
    """f(x) = 2 x0 x1 - x2 + 3 x1 x3 x4 + 0.5 (dividends by hand at baseline 0)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 2 * x[:, 0] * x[:, 1] - x[:, 2] + 3 * x[:, 1] * x[:, 3] * x[:, 4] + 0.5


def test_occlusion_and_shapley_run_on_a_symxai_set_function() -> None:
    from symxai import PerturbationBackend

    x = torch.tensor([1.5, -2.0, 0.7, 1.1, 0.9, 0.3], dtype=torch.float64)
    value = PerturbationBackend(PlantedPolynomial(), x).set_function()
    a, b, c = 2 * 1.5 * -2.0, -0.7, 3 * -2.0 * 1.1 * 0.9
    np.testing.assert_allclose(
        shapley_values(value, 6), [a / 2, a / 2 + c / 3, b, c / 3, c / 3, 0.0], atol=1e-9
    )
    np.testing.assert_allclose(occlusion(value, 6), [a, a + c, b, c, c, 0.0], atol=1e-9)
