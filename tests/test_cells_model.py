"""The cell-graph survival GIN and its Cox training (issue 12, item 3).

The graphs are made here: random cell positions, kNN edges (k = 3, undirected) by
brute force, random phenotypes, and a planted log hazard (the share of cells of type A
touching a cell of type B, plus a stage term); survival times are exponential with that
hazard, censoring uniform.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch_geometric.data import Data

import symxai
from symxai.models.survival_gin import SurvivalGIN
from symxai.training.cells import (
    c_index,
    cox_loss,
    cross_validate,
    load_cells_survival_gin,
    predict_log_hazard,
    relevance_conservation,
    stratified_folds,
    survival_targets,
    time_dependent_auc,
    train_survival_gin,
)

PHENOTYPES = 17
TYPE_A, TYPE_B = 2, 16
"""Planted motif: cells of type A (``Cancer``) touching a cell of type B (``Treg``)."""


def knn_edges(positions: np.ndarray, k: int = 3) -> torch.Tensor:
    """Undirected kNN edges by brute force: ``i -- j`` when ``j`` is among the ``k``
    nearest of ``i`` or ``i`` among those of ``j``; both directions, no self loops."""
    distances = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
    np.fill_diagonal(distances, np.inf)
    nearest = np.argsort(distances, axis=1)[:, :k]
    pairs = {(min(i, j), max(i, j)) for i in range(len(positions)) for j in nearest[i]}
    edges = np.array(sorted(pairs)).T
    return torch.as_tensor(np.concatenate([edges, edges[::-1]], axis=1), dtype=torch.long)


def motif_share(phenotypes: np.ndarray, edge_index: torch.Tensor) -> float:
    """Share of cells that are of type A and touch a cell of type B."""
    source, target = edge_index.numpy()
    touching = np.zeros(len(phenotypes), dtype=bool)
    touching[source[phenotypes[target] == TYPE_B]] = True
    return float(np.mean((phenotypes == TYPE_A) & touching))


def planted_cohort(
    count: int, cells: int = 60, seed: int = 0, strength: float = 40.0
) -> list[Data]:
    """``count`` cell graphs with ``time``, ``event``, ``stage`` and the planted
    ``log_hazard = strength * (motif share - mean) + 0.5 * stage``."""
    rng = np.random.default_rng(seed)
    weights = np.full(PHENOTYPES, 1.0)
    weights[[TYPE_A, TYPE_B]] = 5.0
    graphs, shares = [], []
    for _ in range(count):
        positions = rng.uniform(0, 100, size=(cells, 2))
        mixture = rng.dirichlet(weights * 2)
        phenotypes = rng.choice(PHENOTYPES, size=cells, p=mixture)
        edge_index = knn_edges(positions)
        shares.append(motif_share(phenotypes, edge_index))
        graphs.append(
            Data(
                x=torch.nn.functional.one_hot(torch.as_tensor(phenotypes), PHENOTYPES).float(),
                edge_index=edge_index,
                pos=torch.as_tensor(positions, dtype=torch.float32),
                stage=torch.tensor([float(rng.integers(0, 2))]),
            )
        )
    shares_np = np.asarray(shares)
    for graph, share in zip(graphs, shares_np, strict=True):
        log_hazard = strength * (share - shares_np.mean()) + 0.5 * float(graph.stage)
        event_time = rng.exponential(1.0 / np.exp(log_hazard))
        censor_time = rng.uniform(0, 3.0)
        graph.truth = torch.tensor([log_hazard])
        graph.time = torch.tensor([min(event_time, censor_time)])
        graph.event = torch.tensor([int(event_time <= censor_time)])
    return graphs


@pytest.fixture(scope="module")
def cohort() -> list[Data]:
    return planted_cohort(400, seed=2)


def brute_force_c_index(risk: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    """Harrell's C by enumerating all ordered pairs."""
    concordant = comparable = 0.0
    for i, j in itertools.permutations(range(len(risk)), 2):
        if not event[i]:
            continue
        if time[i] < time[j] or (time[i] == time[j] and not event[j]):
            comparable += 1
            if risk[i] > risk[j]:
                concordant += 1
            elif risk[i] == risk[j]:
                concordant += 0.5
    return concordant / comparable


def brute_force_breslow(log_hazard: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    """Negative Breslow partial log likelihood, summed over the events:
    ``-sum_{i: event} (eta_i - log sum_{j: T_j >= T_i} exp eta_j)``."""
    total = 0.0
    for i in np.flatnonzero(event):
        at_risk = time >= time[i]
        total += log_hazard[i] - np.log(np.exp(log_hazard[at_risk]).sum())
    return -total


# ---------------------------------------------------------------------------- model


def small_graph(seed: int = 0, cells: int = 40) -> Data:
    return planted_cohort(1, cells=cells, seed=seed)[0]


def test_lrp_variant_conserves_relevance_through_explain() -> None:
    torch.manual_seed(0)
    model = SurvivalGIN(PHENOTYPES, hidden=16, num_layers=3)
    for parameter in model.parameters():
        torch.nn.init.normal_(parameter, std=0.5)
    graph = small_graph()
    explanation = symxai.explain(model, graph)
    assert explanation.backend == "gnn-lrp"
    graph_part = float(model.graph_part(graph.x, graph.edge_index).detach())
    assert explanation.prediction == pytest.approx(graph_part, rel=1e-6)
    assert abs(graph_part) > 1e-3
    assert explanation.value() == pytest.approx(graph_part, rel=1e-4)
    # the explained output is the graph part: the stage term stays outside
    full = float(model.log_hazard(graph).detach())
    assert full == pytest.approx(
        graph_part + float(model.stage_coefficient.detach()) * float(graph.stage)
    )
    assert not any(
        module.bias is not None for module in model.modules() if isinstance(module, torch.nn.Linear)
    )


@pytest.mark.parametrize("pooling", ["mean", "add"])
def test_conservation_holds_on_a_core_sized_graph(pooling: str) -> None:
    """About 3,950 cells, as in a 1 mm^2 LUAD core (kNN by scipy's cKDTree here)."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(4)
    cells = 3950
    positions = rng.uniform(0, 1000, size=(cells, 2))
    _, nearest = cKDTree(positions).query(positions, k=4)
    pairs = np.sort(np.stack([np.repeat(np.arange(cells), 3), nearest[:, 1:].reshape(-1)]), 0)
    pairs = np.unique(pairs, axis=1)
    graph = Data(
        x=torch.nn.functional.one_hot(torch.as_tensor(rng.integers(0, 17, cells)), 17).float(),
        edge_index=torch.as_tensor(np.concatenate([pairs, pairs[::-1]], axis=1)),
    )
    torch.manual_seed(1)
    model = SurvivalGIN(PHENOTYPES, pooling=pooling)
    for parameter in model.parameters():
        torch.nn.init.normal_(parameter, std=0.4)
    explanation = symxai.explain(model, graph)
    assert explanation.value() == pytest.approx(explanation.prediction, rel=1e-4)
    assert explanation.prediction == pytest.approx(
        float(model.graph_part(graph.x, graph.edge_index).detach()), rel=1e-6
    )


def test_xcg_variant_absorbs_relevance_in_biases_and_reports_it() -> None:
    torch.manual_seed(0)
    model = SurvivalGIN(PHENOTYPES, hidden=16, num_layers=3, variant="xcg")
    graphs = [small_graph(seed) for seed in range(4)]
    model.train()
    from torch_geometric.data import Batch

    model.graph_part(*(lambda b: (b.x, b.edge_index, b.batch))(Batch.from_data_list(graphs)))
    model.eval()
    report = relevance_conservation(model, graphs)
    absorbed = np.asarray(report["bias_absorption"])
    assert np.all(np.abs(absorbed) > 1e-4)
    assert report["max_absorbed_share"] > 1e-3
    explanation = symxai.explain(model, graphs[0])
    assert explanation.source.bias_absorption() == pytest.approx(absorbed[0], abs=1e-5)
    assert explanation.prediction - explanation.value() == pytest.approx(absorbed[0], abs=1e-5)
    lrp_model = SurvivalGIN(PHENOTYPES, hidden=16, num_layers=3)
    assert relevance_conservation(lrp_model, graphs)["max_absorbed_share"] < 1e-4


@pytest.mark.parametrize("pooling", ["topk", "TopKPooling", "sag"])
def test_node_dropping_pooling_is_refused_naming_global_pooling(pooling: str) -> None:
    with pytest.raises(ValueError, match=r"TopKPooling.*cannot follow.*pooling='mean'"):
        SurvivalGIN(PHENOTYPES, pooling=pooling)


def test_unknown_variant_and_pooling_are_refused() -> None:
    with pytest.raises(ValueError, match="variant must be one of"):
        SurvivalGIN(PHENOTYPES, variant="deep")
    with pytest.raises(ValueError, match="pooling must be one of"):
        SurvivalGIN(PHENOTYPES, pooling="max")


def test_model_without_stage_covariate_and_missing_stage_error() -> None:
    graph = small_graph()
    plain = SurvivalGIN(PHENOTYPES, stage=False)
    assert plain.stage_coefficient is None
    assert torch.equal(plain.log_hazard(graph), plain.graph_part(graph.x, graph.edge_index))
    del graph.stage
    with pytest.raises(ValueError, match="'stage' attribute"):
        SurvivalGIN(PHENOTYPES).log_hazard(graph)


# ------------------------------------------------------------------ loss and score


def test_cox_loss_equals_hand_computed_breslow_partial_likelihood() -> None:
    log_hazard = np.array([0.3, -1.2, 0.8, 0.0, 2.1, -0.4])
    time = np.array([5.0, 3.0, 3.0, 8.0, 1.0, 3.0])  # tied event times at 3, censored too
    event = np.array([1, 1, 1, 0, 1, 0])
    expected = brute_force_breslow(log_hazard, time, event)
    loss = cox_loss(
        torch.tensor(log_hazard),
        torch.tensor(time),
        torch.tensor(event),
        ties="breslow",
        reduction="sum",
    )
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    assert float(
        cox_loss(torch.tensor(log_hazard), torch.tensor(time), torch.tensor(event), ties="breslow")
    ) == pytest.approx(expected / event.sum(), rel=1e-6)
    # no tied events, but a case censored at an event's time: still in its risk set
    for censored_tie in ([1, 0, 1, 1, 1, 0], [1, 1, 0, 1, 1, 0]):
        flags = np.array(censored_tie)
        untied = np.array([5.0, 3.0, 3.0, 8.0, 1.0, 4.0])
        assert float(
            cox_loss(
                torch.tensor(log_hazard), torch.tensor(untied), torch.tensor(flags), reduction="sum"
            )
        ) == pytest.approx(brute_force_breslow(log_hazard, untied, flags), rel=1e-6)
    distinct = np.array([5.0, 3.0, 2.5, 8.0, 1.0, 4.0])
    assert float(
        cox_loss(
            torch.tensor(log_hazard), torch.tensor(distinct), torch.tensor(event), reduction="sum"
        )
    ) == pytest.approx(brute_force_breslow(log_hazard, distinct, event), rel=1e-6)


def test_cox_loss_of_a_batch_without_events_is_zero() -> None:
    log_hazard = torch.tensor([0.5, -0.5], requires_grad=True)
    loss = cox_loss(log_hazard, torch.tensor([1.0, 2.0]), torch.tensor([0, 0]))
    assert float(loss.detach()) == 0.0
    loss.backward()
    assert torch.equal(log_hazard.grad, torch.zeros(2))


def test_c_index_equals_brute_force_with_ties() -> None:
    rng = np.random.default_rng(3)
    for _ in range(5):
        n = 40
        risk = rng.integers(0, 6, n).astype(float)  # tied risks
        time = rng.integers(1, 12, n).astype(float)  # tied times, events and censoring
        event = rng.random(n) < 0.6
        assert c_index(risk, time, event) == pytest.approx(
            brute_force_c_index(risk, time, event), abs=1e-12
        )
    assert c_index([3, 2, 1], [1, 2, 3], [1, 1, 1]) == 1.0
    assert c_index([1, 2, 3], [1, 2, 3], [1, 1, 1]) == 0.0
    with pytest.raises(ValueError, match="differ in length"):
        c_index([1, 2], [1, 2, 3], [1, 1, 1])


def test_survival_targets_name_missing_attributes() -> None:
    graph = small_graph()
    del graph.time
    with pytest.raises(ValueError, match="'time'"):
        survival_targets([small_graph(), graph])
    with pytest.raises(ValueError, match="'event' must be 0/1"):
        broken = small_graph()
        broken.event = torch.tensor([2])
        survival_targets([broken])


def test_stratified_folds_partition_and_balance_events() -> None:
    event = np.r_[np.ones(30, bool), np.zeros(70, bool)]
    folds = stratified_folds(event, 5, seed=0)
    assert np.array_equal(np.sort(np.concatenate(folds)), np.arange(100))
    assert [int(event[fold].sum()) for fold in folds] == [6] * 5
    with pytest.raises(ValueError, match="folds must be"):
        stratified_folds(event, 1)


# ---------------------------------------------------------------------- training


def test_short_training_learns_the_planted_hazard(cohort: list[Data]) -> None:
    train, val, test = cohort[:240], cohort[240:320], cohort[320:]
    trained = train_survival_gin(train, val, epochs=20, lr=1e-2, seed=0, hidden=16, patience=8)
    time, event, _ = survival_targets(test)
    score = c_index(predict_log_hazard(trained.model, test), time, event)
    oracle = c_index(torch.cat([graph.truth for graph in test]).numpy(), time, event)
    assert oracle > 0.8  # what the planted hazard allows on these 80 test graphs
    assert score > 0.7, (score, oracle)
    assert trained.metrics["val_c_index"] > 0.6
    assert trained.metrics["config"]["variant"] == "lrp"
    assert float(trained.model.stage_coefficient.detach()) > 0.1  # the planted stage effect is 0.5
    conservation = relevance_conservation(trained.model, test[:3])
    assert conservation["max_absorbed_share"] < 1e-4


def test_training_is_seeded_and_deterministic(cohort: list[Data]) -> None:
    options = {"epochs": 3, "seed": 7, "hidden": 8, "num_layers": 2}
    first = train_survival_gin(cohort[:60], cohort[60:80], **options)
    second = train_survival_gin(cohort[:60], cohort[60:80], **options)
    for key, value in first.model.state_dict().items():
        assert torch.equal(value, second.model.state_dict()[key]), key
    assert first.metrics["val_c_index"] == second.metrics["val_c_index"]
    other = train_survival_gin(cohort[:60], cohort[60:80], **{**options, "seed": 8})
    assert not torch.equal(first.model.convs[0].nn[0].weight, other.model.convs[0].nn[0].weight)


def test_xcg_variant_trains_and_full_batch_works(cohort: list[Data]) -> None:
    trained = train_survival_gin(
        cohort[:80], epochs=3, seed=0, hidden=8, variant="xcg", batch_size=None
    )
    assert trained.metrics["epochs_run"] == 3
    assert trained.metrics["val_c_index"] is None
    assert np.isfinite(predict_log_hazard(trained.model, cohort[80:90])).all()


def test_cross_validation_returns_per_fold_c_indices(cohort: list[Data]) -> None:
    result = cross_validate(cohort[:100], folds=3, seed=0, epochs=2, hidden=8, num_layers=2)
    assert len(result.c_indices) == 3
    assert all(0.0 <= score <= 1.0 for score in result.c_indices)
    assert np.array_equal(np.sort(np.concatenate(result.folds)), np.arange(100))
    assert result.mean == pytest.approx(np.mean(result.c_indices))


def test_training_refuses_graphs_without_events(cohort: list[Data]) -> None:
    graphs = [graph.clone() for graph in cohort[:10]]
    for graph in graphs:
        graph.event = torch.tensor([0])
    with pytest.raises(ValueError, match="no events"):
        train_survival_gin(graphs, epochs=1)


def test_loader_trains_once_then_loads_from_the_cache(
    cohort: list[Data], tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("SYMXAI_CACHE", str(tmp_path))
    calls = []

    def build() -> tuple[list[Data], list[Data]]:
        calls.append(1)
        return cohort[:40], cohort[40:60]

    options = {"epochs": 2, "hidden": 8, "num_layers": 2}
    first = load_cells_survival_gin(build, name="toy_cells", **options)
    again = load_cells_survival_gin(build, name="toy_cells", **options)
    assert len(calls) == 1
    assert (tmp_path / "models" / "toy_cells.pt").is_file()
    graph = cohort[70]
    assert torch.equal(first.model.log_hazard(graph), again.model.log_hazard(graph))
    assert again.metrics["config"] == first.model.config
    with pytest.raises(FileNotFoundError, match=r"examples/train_cells_gin\.py"):
        load_cells_survival_gin(build, name="absent", train_if_missing=False)


def test_time_dependent_auc_equals_brute_force() -> None:
    rng = np.random.default_rng(5)
    n = 50
    risk = rng.normal(size=n)  # distinct risks
    time = rng.integers(1, 20, n).astype(float)
    event = rng.random(n) < 0.7
    at = np.array([4.0, 9.0, 14.0])
    expected = []
    for t in at:
        cases = event & (time <= t)
        controls = time > t
        pairs = (risk[cases][:, None] > risk[controls][None, :]).sum()
        expected.append(pairs / (cases.sum() * controls.sum()))
    assert time_dependent_auc(risk, time, event, at) == pytest.approx(expected, abs=1e-6)
