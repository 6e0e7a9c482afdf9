"""Perturbation on graphs and molecules: batched values equal a hand-built loop that
deletes nodes (or sets their features to the baseline) and re-runs the model; the
choice is named in the explanation, the CLI and the report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.nn import GATConv, GCNConv, global_mean_pool
from torch_geometric.utils import subgraph

import symxai
from symxai.backends.graph_perturbation import GraphPerturbationBackend
from symxai.backends.perturbation import select_target
from symxai.domains.molecules import explain_molecule, molecule_from_smiles
from symxai.report.runner import run_report
from symxai.report.spec import SpecError, spec_from_mapping
from tests.conftest import NITROANILINE, invoke_cli

TARGET = (0, 1)


@pytest.fixture(scope="module")
def molecule():
    return molecule_from_smiles(NITROANILINE)


def random_coalitions(n: int, count: int, seed: int = 0) -> np.ndarray:
    """``count`` random non-empty coalitions, plus the full set."""
    masks = np.random.default_rng(seed).random((count, n)) < 0.5
    masks[~masks.any(axis=1), 0] = True
    return np.concatenate([masks, np.ones((1, n), dtype=bool)])


def gin_output(model: torch.nn.Module, x: torch.Tensor, edge_index: torch.Tensor) -> float:
    with torch.no_grad():
        output = model(x, edge_index, torch.zeros(x.shape[0], dtype=torch.long))
    return float(select_target(output, TARGET)[0])


def removal_loop(model: torch.nn.Module, data: Data, masks: np.ndarray) -> np.ndarray:
    """``f(G[S])`` for every coalition: the induced subgraph, one model call each."""
    values = []
    for mask in masks:
        keep = torch.as_tensor(mask)
        edge_index, _ = subgraph(
            keep, data.edge_index, relabel_nodes=True, num_nodes=data.num_nodes
        )
        values.append(gin_output(model, data.x[keep], edge_index))
    return np.array(values)


def baseline_loop(
    model: torch.nn.Module, data: Data, masks: np.ndarray, baseline: torch.Tensor
) -> np.ndarray:
    """``f(x ⊙ m_S + b ⊙ (1 - m_S), E)`` for every coalition, one model call each."""
    values = []
    for mask in masks:
        x = data.x.clone()
        x[~torch.as_tensor(mask)] = baseline
        values.append(gin_output(model, x, data.edge_index))
    return np.array(values)


def test_remove_equals_deleting_the_nodes_and_rerunning(gin, molecule) -> None:
    data = molecule.to_data()
    masks = random_coalitions(molecule.num_atoms, 40)
    backend = GraphPerturbationBackend(gin, molecule, target=TARGET, perturbation="remove")
    np.testing.assert_allclose(backend(masks), removal_loop(gin, data, masks), rtol=1e-5, atol=1e-5)
    assert backend.prediction() == pytest.approx(gin_output(gin, data.x, data.edge_index), rel=1e-6)


def test_remove_on_the_empty_graph_is_the_output_of_an_empty_readout(gin, molecule) -> None:
    """Sum pooling over no node is zero, so ``v(∅)`` is the head applied to zeros."""
    backend = GraphPerturbationBackend(gin, molecule, target=TARGET)
    empty = np.zeros((3, molecule.num_atoms), dtype=bool)
    with torch.no_grad():
        head = select_target(gin.head(torch.zeros(1, gin.head.in_features)), TARGET)
    np.testing.assert_allclose(backend(empty), float(head[0]), rtol=1e-6)
    mixed = np.concatenate([empty[:1], random_coalitions(molecule.num_atoms, 4), empty[:1]])
    values = backend(mixed)
    assert values[0] == pytest.approx(float(head[0])) and values[-1] == pytest.approx(values[0])


@pytest.mark.parametrize("baseline", ["zeros", 0.5])
def test_baseline_equals_replacing_the_features_and_rerunning(gin, molecule, baseline) -> None:
    data = molecule.to_data()
    masks = np.concatenate(
        [random_coalitions(molecule.num_atoms, 40, seed=1), np.zeros((1, 16), bool)]
    )
    backend = GraphPerturbationBackend(
        gin, molecule, target=TARGET, perturbation="baseline", baseline=baseline
    )
    value = (
        torch.zeros(data.x.shape[1]) if baseline == "zeros" else torch.full((data.x.shape[1],), 0.5)
    )
    expected = baseline_loop(gin, data, masks, value)
    np.testing.assert_allclose(backend(masks), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("perturbation", ["remove", "baseline"])
def test_batched_passes_equal_one_coalition_at_a_time(gin, molecule, perturbation) -> None:
    masks = random_coalitions(molecule.num_atoms, 30, seed=2)
    small = GraphPerturbationBackend(
        gin, molecule, target=TARGET, perturbation=perturbation, max_nodes=3 * molecule.num_atoms
    )
    one_pass = GraphPerturbationBackend(gin, molecule, target=TARGET, perturbation=perturbation)
    singles = np.concatenate([one_pass(mask[None]) for mask in masks])
    np.testing.assert_allclose(one_pass(masks), singles, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(small(masks), singles, rtol=1e-5, atol=1e-6)
    assert small.copies_per_pass == 2


class EdgeModel(torch.nn.Module):
    """A graph-level GAT with edge features that takes a ``Data``/``Batch`` object."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = GATConv(3, 8, edge_dim=2)
        self.gcn = GCNConv(8, 8)
        self.head = torch.nn.Linear(8, 2)

    def forward(self, data: Data) -> torch.Tensor:
        h = self.conv(data.x, data.edge_index, data.edge_attr).relu()
        h = self.gcn(h, data.edge_index).relu()
        return self.head(global_mean_pool(h, data.batch))


@pytest.mark.parametrize("perturbation", ["remove", "baseline"])
def test_a_data_model_with_edge_features_equals_the_loop(perturbation) -> None:
    torch.manual_seed(0)
    model = EdgeModel().eval()
    edge_index = torch.tensor(
        [[0, 1, 1, 2, 2, 3, 3, 4, 4, 0, 1, 4], [1, 0, 2, 1, 3, 2, 4, 3, 0, 4, 4, 1]]
    )
    data = Data(x=torch.randn(5, 3), edge_index=edge_index, edge_attr=torch.randn(12, 2))
    masks = random_coalitions(5, 12, seed=3)
    backend = GraphPerturbationBackend(model, data, target=1, perturbation=perturbation)
    expected = []
    with torch.no_grad():
        for mask in masks:
            keep = torch.as_tensor(mask)
            if perturbation == "remove":
                kept_edges, kept_attr = subgraph(
                    keep, edge_index, data.edge_attr, relabel_nodes=True
                )
                graph = Data(x=data.x[keep], edge_index=kept_edges, edge_attr=kept_attr)
            else:
                graph = Data(
                    x=torch.where(keep[:, None], data.x, 0.0),
                    edge_index=edge_index,
                    edge_attr=data.edge_attr,
                )
            graph.batch = torch.zeros(graph.num_nodes, dtype=torch.long)
            expected.append(float(model(graph)[0, 1]))
    np.testing.assert_allclose(backend(masks), expected, rtol=1e-5, atol=1e-6)


def test_explain_dispatches_graphs_to_graph_perturbation_and_names_the_choice(
    gin, molecule
) -> None:
    for perturbation in ("remove", "baseline"):
        explanation = symxai.explain(
            gin, molecule, backend="perturbation", target=TARGET, perturbation=perturbation
        )
        assert isinstance(explanation.source, GraphPerturbationBackend)
        assert explanation.metadata["backend"] == "perturbation"
        assert explanation.metadata["perturbation"] == perturbation
        assert explanation.space.names == molecule.feature_space().names
        domain = explain_molecule(
            NITROANILINE, gin, backend="perturbation", perturbation=perturbation
        )
        assert domain.metadata["perturbation"] == perturbation
        queries = ["N & O", "N & ~O", "O | C"]
        np.testing.assert_allclose(
            domain.relevances(queries).to_numpy(), explanation.relevances(queries).to_numpy()
        )
        backend = explanation.source
        expected = backend(np.ones((1, 16), bool))[0] - backend(~np.eye(16, dtype=bool))
        np.testing.assert_allclose(backend.feature_relevance(), expected)


def test_node_relevance_is_the_relevance_of_each_single_node(gin, molecule) -> None:
    explanation = explain_molecule(molecule, gin, backend="perturbation")
    single = explanation.relevances([f"#{i}" for i in range(molecule.num_atoms)]).to_numpy()
    np.testing.assert_allclose(explanation.feature_relevance(), single, atol=1e-9)


def test_bad_options_are_clear_errors(gin, molecule) -> None:
    with pytest.raises(ValueError, match=r"unknown perturbation 'delete'.*'remove'.*'baseline'"):
        symxai.explain(gin, molecule, backend="perturbation", target=TARGET, perturbation="delete")
    with pytest.raises(ValueError, match="unknown perturbation 'drop'"):
        explain_molecule(NITROANILINE, gin, backend="perturbation", perturbation="drop")
    with pytest.raises(ValueError, match="unknown backend 'shap' for molecules"):
        explain_molecule(NITROANILINE, gin, backend="shap")
    with pytest.raises(symxai.errors.FeatureSpaceError, match="does not broadcast"):
        GraphPerturbationBackend(gin, molecule, perturbation="baseline", baseline=torch.zeros(5))
    node_level = GCNConv(molecule.to_data().x.shape[1], 2)
    with pytest.raises(ValueError, match="graph-level model"):
        GraphPerturbationBackend(node_level, molecule, target=0)(np.ones((1, 16), bool))
    with pytest.raises(SpecError, match="perturbation 'zero' is not one of remove, baseline"):
        spec_from_mapping({"queries": ["N"], "backend": "perturbation", "perturbation": "zero"})
    with pytest.raises(SpecError, match="perturbation applies to molecules and graphs only"):
        spec_from_mapping({"domain": "text", "queries": ["good"], "perturbation": "remove"})


# --------------------------------------------------------------------- CLI and report
@pytest.mark.parametrize("perturbation", [None, "baseline"])
def test_cli_query_with_the_perturbation_backend_equals_the_api(gin, perturbation) -> None:
    args = ["query", NITROANILINE, "N & O", "N & ~Cl", "--backend", "perturbation", "--json"]
    if perturbation:
        args += ["--perturbation", perturbation]
    result = invoke_cli(*args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    chosen = perturbation or "remove"
    explanation = explain_molecule(
        NITROANILINE, gin, backend="perturbation", perturbation=chosen, missing="absent"
    )
    expected = explanation.relevances(["N & O", "N & ~Cl"]).to_numpy()
    assert [row["relevance"] for row in payload["relevance"]] == pytest.approx(expected, rel=1e-6)
    assert payload["prediction"] == pytest.approx(explanation.prediction)
    assert payload["backend"] == "perturbation" and payload["perturbation"] == chosen
    text = invoke_cli(*[arg for arg in args if arg != "--json"])
    assert text.exit_code == 0 and f"(harsanyi relevance, perturbation: {chosen})" in text.stdout


def test_cli_rejects_a_bad_perturbation_in_one_line() -> None:
    result = invoke_cli(
        "query", NITROANILINE, "N", "--backend", "perturbation", "--perturbation", "zap"
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "perturbation 'zap' is not one of remove, baseline" in lines[0]


def test_report_with_the_perturbation_backend_on_a_smiles_file(tmp_path: Path, gin) -> None:
    data = tmp_path / "molecules.smi"
    data.write_text(f"{NITROANILINE} nitroaniline 0\nNc1ccccc1 aniline 1\n")
    queries = ["N & O", "N & ~O", 'smarts"c1ccccc1" & N']
    spec = spec_from_mapping(
        {
            "data": str(data),
            "backend": "perturbation",
            "perturbation": "baseline",
            "queries": queries,
            "output": str(tmp_path / "out"),
            "formats": ["csv", "html"],
        }
    )
    result = run_report(spec, executor="serial", progress=False)
    assert result.failures.empty
    assert result.task.settings()["perturbation"] == "baseline"
    for smiles, name in ((NITROANILINE, "nitroaniline"), ("Nc1ccccc1", "aniline")):
        explanation = explain_molecule(
            smiles, gin, backend="perturbation", perturbation="baseline", missing="absent"
        )
        rows = result.table[result.table["input"] == name]
        np.testing.assert_allclose(
            rows["relevance"].to_numpy(), explanation.relevances(queries).to_numpy(), rtol=1e-6
        )
    assert "baseline" in result.files["html"].read_text()


# ------------------------------------------------------------------ 3-D structures
def energy_loop(model, atoms, masks: np.ndarray) -> np.ndarray:
    """The stock model's energy (no offsets) on the smaller ``ase.Atoms`` of every
    non-empty coalition, one structure per call; the empty structure's energy is 0."""
    from symxai.models.schnet import schnet_predict

    model.do_postprocessing = False
    try:
        return np.array(
            [
                schnet_predict(model, atoms[mask].positions, atoms[mask].numbers)[0][0]
                if mask.any()
                else 0.0
                for mask in masks
            ]
        )
    finally:
        model.do_postprocessing = True


def test_structure_perturbation_equals_running_the_smaller_structures(schnet) -> None:
    from symxai.backends.schnet_lrp import SchNetLRPBackend
    from symxai.backends.structure_perturbation import StructurePerturbationBackend
    from symxai.data.malondialdehyde import malondialdehyde

    atoms = malondialdehyde()
    masks = np.concatenate([random_coalitions(len(atoms), 25, seed=4), np.zeros((1, 9), bool)])
    backend = StructurePerturbationBackend(schnet, atoms, batch_size=7)
    expected = energy_loop(schnet, atoms, masks)
    np.testing.assert_allclose(backend(masks), expected, rtol=1e-5, atol=1e-5)
    singles = np.concatenate([backend(mask[None]) for mask in masks])
    np.testing.assert_allclose(backend(masks), singles, rtol=1e-5, atol=1e-6)
    lrp = SchNetLRPBackend(schnet, atoms.numbers, atoms.positions)
    assert backend.prediction() == pytest.approx(lrp.prediction(), rel=1e-5)


def test_explain_and_explain_structure_dispatch_structures_to_perturbation(schnet) -> None:
    from symxai.data.malondialdehyde import malondialdehyde
    from symxai.domains.structures import explain_structure

    atoms = malondialdehyde()
    explanation = symxai.explain(schnet, atoms, backend="perturbation")
    domain = explain_structure(atoms, schnet, backend="perturbation")
    assert explanation.metadata["perturbation"] == domain.metadata["perturbation"] == "remove"
    names = tuple(f"{symbol}{index}" for index, symbol in enumerate(atoms.get_chemical_symbols()))
    assert explanation.space.names == domain.space.names == names
    queries = ["H5 & O3", "H5 & O3 & ~O4", "O"]
    np.testing.assert_allclose(
        explanation.relevances(queries).to_numpy(), domain.relevances(queries).to_numpy()
    )
    without_h5 = np.ones((1, 9), bool)
    without_h5[0, 5] = False
    values = energy_loop(schnet, atoms, np.concatenate([np.ones((1, 9), bool), without_h5]))
    assert explanation.relevance("H5") == pytest.approx(values[0] - values[1], rel=1e-4)
    with pytest.raises(ValueError, match="unknown backend 'gnn-lrp' for structures"):
        explain_structure(atoms, schnet, backend="gnn-lrp")
