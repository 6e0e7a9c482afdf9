"""symxai as a PyG ExplainerAlgorithm: PyG's Explainer, its checks and its metrics on it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torch_geometric.explain import Explainer
from torch_geometric.explain.metric import (
    characterization_score,
    fidelity,
    groundtruth_metrics,
    unfaithfulness,
)
from torch_geometric.nn import GINConv

import symxai
from symxai.domains.molecules import DEFAULT_RULES, MUTAGEN, load_molecules
from symxai.integrations.pyg import SymbolicExplainer, edge_relevance, mask_values

GRAPH_CONFIG = {"mode": "multiclass_classification", "task_level": "graph", "return_type": "raw"}


@pytest.fixture(scope="module")
def nitro_mutagen() -> Any:
    """The first mutagen of Mutagenicity with NO2/NH2 ground-truth bonds and < 30 atoms."""
    return next(
        molecule
        for molecule in load_molecules("Mutagenicity")
        if molecule.label == MUTAGEN
        and molecule.edge_ground_truth is not None
        and molecule.edge_ground_truth.any()
        and molecule.num_atoms < 30
    )


def _explainer(model: torch.nn.Module, algorithm: SymbolicExplainer, **config: Any) -> Explainer:
    return Explainer(
        model,
        algorithm=algorithm,
        explanation_type=config.pop("explanation_type", "model"),
        node_mask_type=config.pop("node_mask_type", "object"),
        edge_mask_type=config.pop("edge_mask_type", "object"),
        model_config=config.pop("model_config", GRAPH_CONFIG),
    )


def test_graph_level_masks_equal_symxai_numbers(gin: torch.nn.Module, nitro_mutagen: Any) -> None:
    data = nitro_mutagen.to_data()
    algorithm = SymbolicExplainer(rules=DEFAULT_RULES, mask="signed", normalize=False)
    explanation = _explainer(gin, algorithm)(data.x, data.edge_index)
    assert explanation.validate()
    predicted = int(gin(data.x, data.edge_index).argmax())
    assert explanation.target.tolist() == [predicted]

    own = symxai.explain(gin, data, "gnn-lrp", target=predicted, rules=DEFAULT_RULES)
    node_relevance = own.feature_relevance()
    assert explanation.node_mask.shape == (data.num_nodes, 1)
    np.testing.assert_allclose(explanation.node_mask[:, 0].numpy(), node_relevance, rtol=1e-5)
    edges = data.edge_index.numpy()
    bonds = np.array([own.value([int(i), int(j)]) for i, j in edges.T])
    assert explanation.edge_mask.shape == (edges.shape[1],)
    np.testing.assert_allclose(explanation.edge_mask.numpy(), bonds, rtol=1e-5, atol=1e-6)
    # conservation of the node mask: the walks starting at every node sum to v(N)
    assert node_relevance.sum() == pytest.approx(own.value(), rel=1e-5)


def test_default_masks_are_normalised_absolute_relevance(
    gin: torch.nn.Module, nitro_mutagen: Any
) -> None:
    data = nitro_mutagen.to_data()
    explanation = _explainer(gin, SymbolicExplainer(rules=DEFAULT_RULES))(data.x, data.edge_index)
    signed = SymbolicExplainer(rules=DEFAULT_RULES, mask="signed", normalize=False)
    raw = _explainer(gin, signed)(data.x, data.edge_index)
    for mask, relevance in (
        (explanation.node_mask, raw.node_mask),
        (explanation.edge_mask, raw.edge_mask),
    ):
        expected = relevance.abs() / relevance.abs().max()
        torch.testing.assert_close(mask, expected)
        assert float(mask.min()) >= 0.0 and float(mask.max()) == pytest.approx(1.0)


def test_pyg_metrics_run_on_the_explanation(gin: torch.nn.Module, nitro_mutagen: Any) -> None:
    data = nitro_mutagen.to_data()
    ground_truth = torch.as_tensor(nitro_mutagen.edge_ground_truth, dtype=torch.float32)
    for explanation_type, target in (("model", None), ("phenomenon", data.y)):
        explainer = _explainer(
            gin, SymbolicExplainer(rules=DEFAULT_RULES), explanation_type=explanation_type
        )
        explanation = explainer(data.x, data.edge_index, target=target)
        assert explanation.validate()
        scores = groundtruth_metrics(explanation.edge_mask, ground_truth)
        assert len(scores) == 5
        assert all(np.isfinite(score) and 0.0 <= score <= 1.0 for score in scores)
        auroc = groundtruth_metrics(explanation.edge_mask, ground_truth, "auroc")
        assert auroc > 0.9  # the NO2/NH2 bonds carry the largest bond relevance
        positive, negative = fidelity(explainer, explanation)
        assert 0.0 <= positive <= 1.0 and 0.0 <= negative <= 1.0
        score = float(characterization_score(torch.tensor(positive), torch.tensor(negative)))
        assert np.isfinite(score) and 0.0 <= score <= 1.0
        gef = unfaithfulness(explainer, explanation)
        assert np.isfinite(gef) and 0.0 <= gef <= 1.0


def test_binary_classification_of_class_zero_negates_the_output(
    gin: torch.nn.Module, nitro_mutagen: Any
) -> None:
    """A one-logit binary model: class 1 explains the logit, class 0 its negation."""

    class OneLogit(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor | None = None
        ) -> torch.Tensor:
            logits = self.inner(x, edge_index, batch)
            return logits[:, 1:] - logits[:, :1]

    model = OneLogit(gin)
    data = nitro_mutagen.to_data()
    config = {"mode": "binary_classification", "task_level": "graph", "return_type": "raw"}
    masks = {}
    for label in (0, 1):
        algorithm = SymbolicExplainer(rules=DEFAULT_RULES, mask="signed", normalize=False)
        explainer = _explainer(model, algorithm, explanation_type="phenomenon", model_config=config)
        masks[label] = explainer(data.x, data.edge_index, target=torch.tensor([label]))
    torch.testing.assert_close(masks[0].node_mask, -masks[1].node_mask)
    torch.testing.assert_close(masks[0].edge_mask, -masks[1].edge_mask)


class _NodeGIN(torch.nn.Module):
    """Two bias-free GIN layers and a linear node classifier."""

    def __init__(self, features: int, hidden: int, classes: int) -> None:
        super().__init__()
        self.convs = torch.nn.ModuleList(
            [
                GINConv(torch.nn.Sequential(torch.nn.Linear(features, hidden, bias=False))),
                GINConv(torch.nn.Sequential(torch.nn.Linear(hidden, hidden, bias=False))),
            ]
        )
        self.head = torch.nn.Linear(hidden, classes, bias=False)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        for conv in self.convs:
            x = conv(x, edge_index).relu()
        return self.head(x)


def _random_graph(nodes: int, edges: int, features: int, seed: int) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(seed)
    pairs = torch.randint(0, nodes, (2, edges), generator=generator)
    pairs = pairs[:, pairs[0] != pairs[1]]
    edge_index = torch.unique(torch.cat([pairs, pairs.flip(0)], dim=1), dim=1)
    return torch.rand(nodes, features, generator=generator), edge_index


def test_node_level_masks_equal_symxai_numbers() -> None:
    torch.manual_seed(0)
    model = _NodeGIN(features=4, hidden=8, classes=3).eval()
    x, edge_index = _random_graph(nodes=14, edges=16, features=4, seed=1)
    config = {"mode": "multiclass_classification", "task_level": "node", "return_type": "raw"}
    algorithm = SymbolicExplainer(mask="signed", normalize=False)
    explainer = _explainer(model, algorithm, model_config=config)
    node = 3
    explanation = explainer(x, edge_index, index=node)
    assert explanation.validate()
    with torch.no_grad():
        output = model(x, edge_index)[node]
    predicted = int(output.argmax())

    from torch_geometric.data import Data

    own = symxai.explain(
        model, Data(x=x, edge_index=edge_index), "gnn-lrp", node=node, target=predicted
    )
    relevance = own.feature_relevance()
    np.testing.assert_allclose(explanation.node_mask[:, 0].numpy(), relevance, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(
        explanation.edge_mask.numpy(), edge_relevance(own, edge_index), rtol=1e-5, atol=1e-7
    )
    # bias-free ReLU network, LRP-0: the node's walks conserve its output
    assert relevance.sum() == pytest.approx(float(output[predicted]), rel=1e-4)
    # nodes outside the 2-hop receptive field of the explained node carry no relevance
    hard_nodes, hard_edges = explainer.algorithm._get_hard_masks(
        model, node, edge_index, x.shape[0]
    )
    assert (~hard_nodes).any()
    assert np.all(relevance[~hard_nodes.numpy()] == 0.0)
    assert np.all(explanation.edge_mask.numpy()[~hard_edges.numpy()] == 0.0)
    positive, negative = fidelity(
        explainer,
        _explainer(model, SymbolicExplainer(), model_config=config)(x, edge_index, index=node),
    )
    assert 0.0 <= positive <= 1.0 and 0.0 <= negative <= 1.0


def test_clear_errors() -> None:
    model = _NodeGIN(features=4, hidden=8, classes=3).eval()
    x, edge_index = _random_graph(nodes=8, edges=10, features=4, seed=2)
    config = {"mode": "multiclass_classification", "task_level": "node", "return_type": "raw"}
    explainer = _explainer(model, SymbolicExplainer(), model_config=config)
    with pytest.raises(ValueError, match="one node per call"):
        explainer(x, edge_index, index=torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="index="):
        explainer(x, edge_index)
    with pytest.raises(ValueError, match="does not support"):
        _explainer(model, SymbolicExplainer(), node_mask_type="attributes", model_config=config)
    with pytest.raises(ValueError, match="mask must be one of"):
        SymbolicExplainer(mask="squared")  # type: ignore[arg-type]


def test_mask_values() -> None:
    relevance = np.array([-2.0, 1.0, 0.0, 4.0])
    np.testing.assert_allclose(mask_values(relevance, "absolute", True), [0.5, 0.25, 0.0, 1.0])
    np.testing.assert_allclose(mask_values(relevance, "positive", True), [0.0, 0.25, 0.0, 1.0])
    np.testing.assert_allclose(mask_values(relevance, "signed", False), relevance)
    np.testing.assert_allclose(mask_values(np.zeros(3), "absolute", True), np.zeros(3))
