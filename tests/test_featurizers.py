"""Featurizers: ``tu`` (today's graphs, bit for bit), ``ogb`` (equal to PyG's
``from_smiles``), user functions; atom order, hydrogens, SMARTS atoms and drawings on
charged, salt, stereo and heteroaromatic SMILES; ``edge_attr`` through batched GNN-LRP."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from rdkit import Chem
from torch_geometric.utils import from_smiles

from symxai.backends.gnn_lrp import GNNLRPBackend, subgraph_relevance_many
from symxai.data.mutagenicity import mutagenicity_graphs
from symxai.domains.molecules import (
    explain_molecule,
    load_molecules,
    molecule_from_smiles,
    molecule_relevances,
)
from symxai.domains.molecules.drawing import _drawn_molecule
from symxai.domains.molecules.featurizers import FeaturizerError, resolve_featurizer
from symxai.domains.molecules.molecule import MoleculeError
from symxai.domains.molecules.sources import molecule_from_mol
from symxai.query import parse_query
from tests.user_chemistry import tiny_gine

SMILES = {
    "charged": "O=[N+]([O-])c1ccccc1N",
    "salt": "[Na+].[O-]C(=O)C",
    "stereo centre": "C[C@H](N)C(=O)O",
    "stereo bond": "F/C=C/F",
    "pyridine": "c1ccncc1",
    "furan": "c1ccoc1",
    "thiophene": "c1ccsc1",
    "imidazole": "c1cnc[nH]1",
}
FEATURIZER_NAMES = ("tu", "ogb", "tests.user_chemistry:ring_featurizer")


@pytest.mark.parametrize("smiles", SMILES.values(), ids=SMILES.keys())
def test_ogb_equals_from_smiles(smiles: str) -> None:
    data = molecule_from_smiles(smiles, featurizer="ogb").to_data()
    expected = from_smiles(smiles)
    assert data.x.dtype == torch.long and data.x.shape == (expected.num_nodes, 9)
    assert data.edge_attr.dtype == torch.long and data.edge_attr.shape[1] == 3
    assert torch.equal(data.x, expected.x)
    assert torch.equal(data.edge_index, expected.edge_index)
    assert torch.equal(data.edge_attr, expected.edge_attr)


@pytest.mark.parametrize("smiles", SMILES.values(), ids=SMILES.keys())
def test_tu_is_todays_graph(smiles: str) -> None:
    molecule = molecule_from_smiles(smiles)
    assert molecule.featurizer.name == "tu"
    data = molecule.to_data()
    explicit = Chem.AddHs(Chem.MolFromSmiles(smiles))
    assert data.x.shape == (explicit.GetNumAtoms(), 14) and data.x.dtype == torch.float32
    assert torch.equal(data.x.sum(1), torch.ones(explicit.GetNumAtoms()))
    assert torch.equal(data.edge_index, torch.from_numpy(molecule.edge_index))
    assert "edge_attr" not in data
    assert molecule_from_smiles(smiles, add_hydrogens=True).to_data().x.equal(data.x)


def test_tu_on_the_data_set_is_bit_for_bit() -> None:
    molecules, graphs = load_molecules("Mutagenicity"), mutagenicity_graphs()
    for index in (0, 17, 38, 1000, 4336):
        data, expected = molecules[index].to_data(), graphs[index]
        assert torch.equal(data.x, expected.x)
        assert torch.equal(data.edge_index, expected.edge_index)
        assert torch.equal(data.y, expected.y)


@pytest.mark.parametrize("featurizer", FEATURIZER_NAMES)
@pytest.mark.parametrize("smiles", SMILES.values(), ids=SMILES.keys())
def test_atom_order_hydrogens_and_smarts_follow_rdkit(smiles: str, featurizer: str) -> None:
    molecule = molecule_from_smiles(smiles, featurizer=featurizer)
    resolved = resolve_featurizer(featurizer)
    mol = Chem.MolFromSmiles(smiles)
    if resolved.explicit_hydrogens:
        mol = Chem.AddHs(mol)
    assert molecule.num_atoms == mol.GetNumAtoms() == molecule.to_data().num_nodes
    assert molecule.elements == tuple(atom.GetSymbol() for atom in mol.GetAtoms())
    assert molecule.names[0] == mol.GetAtomWithIdx(0).GetSymbol() + "0"
    has_hydrogens = any(atom.GetAtomicNum() == 1 for atom in molecule.mol.GetAtoms())
    assert has_hydrogens == resolved.explicit_hydrogens
    for pattern in ("[#7,#8]", "[a]", "[#6]~[#8]", "[+,-]"):
        expected = molecule.mol.GetSubstructMatches(Chem.MolFromSmarts(pattern), uniquify=True)
        assert molecule.match_smarts(pattern) == sorted({a for m in expected for a in m})
        matched = Chem.MolFromSmiles(smiles).GetSubstructMatches(Chem.MolFromSmarts(pattern))
        assert {a for m in matched for a in m} <= set(molecule.match_smarts(pattern))


@pytest.mark.parametrize("featurizer", ("tu", "ogb"))
def test_drawings_put_the_relevance_of_atom_i_on_rdkit_atom_i(featurizer: str) -> None:
    molecule = molecule_from_smiles(SMILES["imidazole"], featurizer=featurizer)
    relevance = np.arange(molecule.num_atoms, dtype=float) + 1.0
    drawn, folded, _ = _drawn_molecule(molecule, relevance, None, hide=True)
    heavy = Chem.MolFromSmiles(SMILES["imidazole"]).GetNumAtoms()
    assert drawn.GetNumAtoms() == heavy
    for atom in drawn.GetAtoms():
        i = atom.GetIdx()
        hydrogens = [
            n.GetIdx()
            for n in molecule.mol.GetAtomWithIdx(i).GetNeighbors()
            if n.GetAtomicNum() == 1
        ]
        assert atom.GetSymbol() == molecule.elements[i]
        assert folded[i] == pytest.approx(relevance[i] + relevance[hydrogens].sum())


def test_elements_outside_tu_need_another_featurizer() -> None:
    with pytest.raises(MoleculeError, match="unsupported element"):
        molecule_from_smiles("C[Se]C")
    data = molecule_from_smiles("C[Se]C", featurizer="ogb").to_data()
    assert data.x[1, 0] == 34


def test_rdkit_molecule_and_user_callable() -> None:
    mol = Chem.MolFromSmiles("c1ccsc1")

    def degrees(m: Chem.Mol) -> tuple[np.ndarray, np.ndarray]:
        x = np.array([[a.GetDegree()] for a in m.GetAtoms()], dtype=np.float32)
        pairs = [(b.GetBeginAtomIdx(), b.GetEndAtomIdx()) for b in m.GetBonds()]
        return x, np.array(pairs + [(j, i) for i, j in pairs]).T

    molecule = molecule_from_mol(mol, featurizer=degrees)
    assert molecule.num_atoms == 5 and molecule.to_data().x[:, 0].tolist() == [2, 2, 2, 2, 2]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("no_such_module_xyz:f", "module 'no_such_module_xyz' cannot be imported"),
        ("tests.user_chemistry:missing", "has no attribute 'missing'"),
        ("tests.user_chemistry:", "must be given as module:function"),
        ("tests.user_chemistry:RING_FEATURES", "is not callable"),
        ("nonsense", "unknown featurizer 'nonsense'"),
    ],
)
def test_featurizer_errors_name_what_failed(reference: str, message: str) -> None:
    with pytest.raises(FeaturizerError, match=message):
        molecule_from_smiles("CCO", featurizer=reference)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("tests.user_chemistry:wrong_rows", r"x of shape \(4, 2\); expected \[3, d\]"),
        ("tests.user_chemistry:not_a_graph", "returned str; expected a torch_geometric Data"),
    ],
)
def test_wrong_return_shapes_are_named(reference: str, message: str) -> None:
    molecule = molecule_from_smiles("CCO", featurizer=reference)
    with pytest.raises(FeaturizerError, match=message):
        molecule.to_data()


def test_gine_batched_equals_per_molecule_with_edge_attr() -> None:
    model = tiny_gine()
    molecules = [
        molecule_from_smiles(s, featurizer=model.featurizer)
        for s in (SMILES["charged"], SMILES["salt"], SMILES["imidazole"], "CCO")
    ]
    graphs = [m.to_data() for m in molecules]
    assert all(g.edge_attr.shape == (g.edge_index.shape[1], 3) for g in graphs)
    rng = np.random.default_rng(0)
    masks = [rng.random((5, g.num_nodes)) < 0.6 for g in graphs]
    batched = subgraph_relevance_many(model, graphs, masks, target=1, max_nodes=40)
    for graph, mask, values in zip(graphs, masks, batched, strict=True):
        single = GNNLRPBackend(model, graph, target=1).set_function()(mask)
        np.testing.assert_allclose(values, single, rtol=1e-5, atol=1e-6)
    queries = [parse_query(q) for q in ("N", "O & C", "~N")]
    together = molecule_relevances(molecules, queries, model, target="logP")
    for row, molecule in enumerate(molecules):
        explanation = explain_molecule(molecule, model, target="logP")
        assert explanation.metadata["target"] == "logP"
        assert explanation.metadata["target_value"] == 1
        expected = explanation.relevances(queries, missing="absent").to_numpy()
        np.testing.assert_allclose(together.relevance[row], expected, rtol=1e-5, atol=1e-6)
        assert together.prediction[row] == pytest.approx(explanation.prediction, rel=1e-5)


@pytest.mark.parametrize("perturbation", ("remove", "baseline"))
def test_ogb_integer_features_end_to_end_by_perturbation(perturbation: str) -> None:
    from tests.user_chemistry import TinyGIN

    model = TinyGIN(9, outputs=1).eval()
    molecule = molecule_from_smiles(SMILES["thiophene"], featurizer="ogb")
    explanation = explain_molecule(
        molecule, model, target=None, backend="perturbation", perturbation=perturbation
    )
    data = molecule.to_data()
    with torch.no_grad():
        expected = float(model(data.x, data.edge_index))
    assert explanation.metadata["target"] == "output"
    assert explanation.prediction == pytest.approx(expected, rel=1e-5)
    everything = np.ones((1, molecule.num_atoms), dtype=bool)
    assert explanation.set_function(everything)[0] == pytest.approx(expected, rel=1e-5)
    sulfur = explanation.relevances(["S", 'smarts"[s]"']).to_numpy()
    assert sulfur[0] == pytest.approx(sulfur[1])


def test_ogb_integer_features_by_gnn_lrp_batched_equals_per_molecule() -> None:
    from tests.user_chemistry import ogb_gin

    model = ogb_gin()
    molecules = [molecule_from_smiles(s, featurizer="ogb") for s in SMILES.values()]
    assert all(m.to_data().x.dtype == torch.long for m in molecules)
    queries = [parse_query(q) for q in ("N", 'smarts"[a]" & ~O', "O | S")]
    together = molecule_relevances(molecules, queries, model, target=None)
    assert not together.errors
    for row, molecule in enumerate(molecules):
        explanation = explain_molecule(molecule, model)
        assert explanation.metadata["target"] == "logS"
        expected = explanation.relevances(queries, missing="absent").to_numpy()
        np.testing.assert_allclose(together.relevance[row], expected, rtol=1e-5, atol=1e-6)
        assert together.prediction[row] == pytest.approx(explanation.prediction, rel=1e-5)
