"""The motif benchmarks' data (BA-2motif, BA-shapes), edge pairs and the shipped GINs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from symxai.data.edges import undirected_pairs
from symxai.data.motifs import ba_2motif, ba_shapes, seeded_split


def _undirected_edge_count(edge_index: torch.Tensor, mask: np.ndarray) -> int:
    return len(undirected_pairs(edge_index.numpy(), mask)[1].nonzero()[0])


def test_ba_2motif_is_seeded_identical_and_leaves_the_callers_random_state() -> None:
    torch.manual_seed(123)
    np.random.seed(123)
    expected_torch, expected_numpy = torch.rand(3), np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(123)
    first = ba_2motif.__wrapped__(40, seed=3)
    assert torch.equal(torch.rand(3), expected_torch)
    assert np.array_equal(np.random.rand(3), expected_numpy)
    second = ba_2motif.__wrapped__(40, seed=3)
    other = ba_2motif.__wrapped__(40, seed=4)
    for a, b in zip(first, second, strict=True):
        assert torch.equal(a.data.edge_index, b.data.edge_index)
        assert np.array_equal(a.node_mask, b.node_mask)
        assert np.array_equal(a.edge_mask, b.edge_mask)
    assert any(
        not torch.equal(a.data.edge_index, b.data.edge_index)
        for a, b in zip(first, other, strict=True)
    )


def test_ba_2motif_graphs_hold_one_house_or_one_five_cycle() -> None:
    graphs = ba_2motif()
    assert len(graphs) == 1000
    assert [g.label for g in graphs].count(0) == 500
    for graph in graphs[::50]:
        data = graph.data
        assert data.num_nodes == 25 and data.x.shape == (25, 10) and bool((data.x == 1).all())
        assert int(data.y) == graph.label
        assert graph.node_mask.sum() == 5 and graph.node_mask[20:].all()
        motif_edges = _undirected_edge_count(data.edge_index, graph.edge_mask)
        assert motif_edges == (6 if graph.label == 0 else 5)
        # every motif edge joins two motif nodes, and the motif hangs on one edge
        ends = data.edge_index[:, torch.as_tensor(graph.edge_mask)]
        assert graph.node_mask[ends.numpy()].all()
        crossing = graph.node_mask[data.edge_index[0]] != graph.node_mask[data.edge_index[1]]
        assert crossing.sum() == 2


def test_ba_shapes_has_eighty_houses_with_pyg_labels() -> None:
    shapes = ba_shapes()
    assert shapes.num_nodes == 700
    assert np.bincount(shapes.labels).tolist() == [300, 160, 160, 80]
    assert np.array_equal(shapes.node_mask, shapes.labels > 0)
    assert _undirected_edge_count(shapes.data.edge_index, shapes.edge_mask) == 80 * 6


def test_seeded_split_is_a_partition() -> None:
    split = seeded_split(1000)
    assert [len(split[k]) for k in ("train", "val", "test")] == [800, 100, 100]
    assert sorted(np.concatenate(list(split.values())).tolist()) == list(range(1000))


def test_undirected_pairs_keeps_each_edge_once_with_its_label() -> None:
    edges = np.array([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 2, 1]])
    pairs, labels = undirected_pairs(edges, np.array([0, 0, 1, 0, 1, 0]))
    assert pairs.tolist() == [[0, 1], [1, 2], [1, 3]]
    assert labels.tolist() == [False, True, False]
    with pytest.raises(ValueError, match="edge labels"):
        undirected_pairs(edges, np.ones(2))


def test_shipped_motif_gins_classify_their_test_splits() -> None:
    from torch_geometric.data import Batch

    from symxai.training.motifs import load_ba2motif_gin, load_bashapes_gin

    graph_model = load_ba2motif_gin(train_if_missing=False)
    graphs = ba_2motif()
    test = seeded_split(len(graphs))["test"]
    batch = Batch.from_data_list([graphs[i].data for i in test])
    with torch.no_grad():
        predicted = graph_model.model(batch.x, batch.edge_index, batch.batch).argmax(1)
    accuracy = float((predicted == batch.y).float().mean())
    assert accuracy >= 0.95
    assert accuracy == pytest.approx(graph_model.metrics["test_accuracy"])

    node_model = load_bashapes_gin(train_if_missing=False)
    shapes = ba_shapes()
    nodes = torch.as_tensor(seeded_split(shapes.num_nodes)["test"])
    with torch.no_grad():
        predicted = node_model.model(shapes.data.x, shapes.data.edge_index).argmax(1)
    node_accuracy = float((predicted[nodes] == shapes.data.y[nodes]).float().mean())
    assert node_accuracy >= 0.9
    assert node_accuracy == pytest.approx(node_model.metrics["test_accuracy"])
