"""Where molecules come from: the shipped TU data sets and SMILES strings.

* :func:`load_molecules` / :func:`molecule_from_tu`: the shipped TU data sets.
  *Mutagenicity* (4,337 molecules) lists hydrogens as nodes and labels edges with bond
  valences (label 0, 1, 2 = single, double, triple bond); it gives no charges.
  *MUTAG* (188) has no hydrogen nodes and labels edges 0 aromatic, 1 single, 2 double,
  3 triple; RDKit adds implicit hydrogens.
* :func:`molecule_from_smiles` / :func:`molecule_from_mol`: any SMILES or RDKit
  molecule, with a featurizer (:mod:`~symxai.domains.molecules.featurizers`); by
  default ``"tu"``, over the Mutagenicity elements with hydrogens as atoms, so that the
  graph looks like a Mutagenicity graph.

Formal charges of TU graphs are inferred (:mod:`~symxai.domains.molecules.charges`).
RDKit's sanitisation (``Chem.SanitizeMol``: valence checks, clean-up of hypervalent
halogens such as perchlorate, aromaticity perception, so that the SMARTS ``c1ccccc1``
matches rings given in Kekulé form) then runs on the molecule; when it fails the
molecule is kept with a partial sanitisation (every step except the valence checks and
the failing ones, then ``UpdatePropertyCache(strict=False)``) and
:attr:`Molecule.sanitized` is ``False``. No molecule is ever dropped. Measured: all
4,337 Mutagenicity molecules sanitise in full, 4,169 of them net neutral (the others are
salts whose anion keeps its hydrogen, and the 39 large graphs whose edge lists the
data set truncated, e.g. #38 and #278: their under-bonded atoms become radicals or
spurious ions); 186 of the 188 MUTAG molecules sanitise (#82 and #187 give a carbon
five bonds).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np
from rdkit import Chem, rdBase

from symxai.data.tu import ELEMENTS, TUGraph, load_tu_dataset
from symxai.domains.molecules.charges import infer_formal_charges
from symxai.domains.molecules.featurizers import Featurizer, resolve_featurizer
from symxai.domains.molecules.molecule import (
    Molecule,
    MoleculeError,
    unsupported_elements_message,
)
from symxai.domains.molecules.smarts import captured_rdkit_errors

__all__ = ["load_molecules", "molecule_from_mol", "molecule_from_smiles", "molecule_from_tu"]

_TU_BOND_ORDERS: dict[str, np.ndarray] = {
    "Mutagenicity": np.array([1.0, 2.0, 3.0]),
    "MUTAG": np.array([1.5, 1.0, 2.0, 3.0]),
}
"""Bond order of each TU edge label."""

_TU_EXPLICIT_HYDROGENS: dict[str, bool] = {"Mutagenicity": True, "MUTAG": False}

_BOND_TYPES: dict[float, Chem.BondType] = {
    1.0: Chem.BondType.SINGLE,
    1.5: Chem.BondType.AROMATIC,
    2.0: Chem.BondType.DOUBLE,
    3.0: Chem.BondType.TRIPLE,
}

_PARTIAL_SANITIZATION = Chem.SanitizeFlags.SANITIZE_ALL ^ Chem.SanitizeFlags.SANITIZE_PROPERTIES


def _sanitize(mol: Chem.Mol) -> tuple[Chem.Mol, bool]:
    """Fully sanitised copy of ``mol`` and ``True``, else a partially sanitised one and
    ``False``: every step of ``SANITIZE_ALL`` but valence checks and the failing steps."""
    full = Chem.Mol(mol)
    try:
        Chem.SanitizeMol(full)
        return full, True
    except Chem.MolSanitizeException:
        pass
    operations = _PARTIAL_SANITIZATION
    while True:
        partial = Chem.Mol(mol)
        partial.UpdatePropertyCache(strict=False)
        failed = Chem.SanitizeMol(partial, sanitizeOps=operations, catchErrors=True)
        if failed == Chem.SanitizeFlags.SANITIZE_NONE:
            break
        operations ^= failed
    partial.UpdatePropertyCache(strict=False)
    if not operations & Chem.SanitizeFlags.SANITIZE_SYMMRINGS:
        Chem.FastFindRings(partial)
    return partial, False


def _build_mol(
    elements: Sequence[str],
    edge_index: np.ndarray,
    bond_orders: np.ndarray,
    charges: np.ndarray,
    explicit_hydrogens: bool,
) -> Chem.Mol:
    """Unsanitised RDKit molecule with one atom per node and one bond per edge pair."""
    molecule = Chem.RWMol()
    for element, charge in zip(elements, charges.tolist(), strict=True):
        atom = Chem.Atom(element)
        atom.SetFormalCharge(charge)
        atom.SetNoImplicit(explicit_hydrogens)
        molecule.AddAtom(atom)
    forward = edge_index[0] < edge_index[1]
    if forward.sum() != (edge_index[0] > edge_index[1]).sum() or not np.all(
        edge_index[0] != edge_index[1]
    ):
        raise MoleculeError("the edge list must list every bond in both directions, no loops")
    for i, j, order in zip(
        edge_index[0, forward].tolist(),
        edge_index[1, forward].tolist(),
        bond_orders[forward].tolist(),
        strict=True,
    ):
        bond_type = _BOND_TYPES.get(order)
        if bond_type is None:
            raise MoleculeError(f"unsupported bond order {order} between nodes {i} and {j}")
        molecule.AddBond(i, j, bond_type)
        if bond_type == Chem.BondType.AROMATIC:
            molecule.GetBondBetweenAtoms(i, j).SetIsAromatic(True)
            molecule.GetAtomWithIdx(i).SetIsAromatic(True)
            molecule.GetAtomWithIdx(j).SetIsAromatic(True)
    return molecule.GetMol()


def molecule_from_tu(graph: TUGraph, dataset: str) -> Molecule:
    """The molecule of one TU graph of ``"Mutagenicity"`` or ``"MUTAG"``.

    Node ``i`` becomes atom ``i``; edge labels become bond orders; formal charges are
    inferred (:func:`infer_formal_charges`); then the molecule is sanitised, partially
    if full sanitisation fails (:attr:`Molecule.sanitized`).
    """
    if dataset not in _TU_BOND_ORDERS:
        raise MoleculeError(
            f"unknown molecular TU data set {dataset!r}; known: {', '.join(_TU_BOND_ORDERS)}"
        )
    table = graph.elements or ELEMENTS[dataset]
    elements = tuple(table[label] for label in graph.node_labels.tolist())
    edge_index = np.asarray(graph.edge_index, dtype=np.int64).reshape(2, -1)
    if graph.edge_labels is None:
        bond_orders = np.ones(edge_index.shape[1])
    else:
        bond_orders = _TU_BOND_ORDERS[dataset][np.asarray(graph.edge_labels, dtype=np.int64)]
    explicit = _TU_EXPLICIT_HYDROGENS[dataset]
    charges = infer_formal_charges(elements, edge_index, bond_orders, explicit_hydrogens=explicit)
    with rdBase.BlockLogs():
        mol, sanitized = _sanitize(_build_mol(elements, edge_index, bond_orders, charges, explicit))
    return Molecule(
        mol=mol,
        elements=elements,
        edge_index=edge_index,
        bond_orders=bond_orders,
        label=int(graph.label),
        index=int(graph.index),
        dataset=dataset,
        edge_ground_truth=graph.edge_ground_truth,
        sanitized=sanitized,
    )


@cache
def _load_molecules(name: str) -> tuple[Molecule, ...]:
    if name not in _TU_BOND_ORDERS:
        raise MoleculeError(
            f"unknown molecular data set {name!r}; shipped: {', '.join(_TU_BOND_ORDERS)}"
        )
    return tuple(molecule_from_tu(graph, name) for graph in load_tu_dataset(name).graphs)


def load_molecules(name: str = "Mutagenicity") -> list[Molecule]:
    """All molecules of a shipped TU data set (``"Mutagenicity"`` or ``"MUTAG"``), in order.

    Built once per process and cached; every call returns a new list of the same
    :class:`Molecule` objects.
    """
    return list(_load_molecules(name))


def molecule_from_smiles(
    smiles: str,
    *,
    featurizer: Featurizer | str | Callable[[Chem.Mol], Any] | None = None,
    add_hydrogens: bool | None = None,
) -> Molecule:
    """The molecule of a SMILES string, featurized by ``featurizer`` (default ``"tu"``).

    ``add_hydrogens=True`` makes every hydrogen an atom and a graph node (``Chem.AddHs``,
    hydrogens after the heavy atoms), as in Mutagenicity; ``None`` (default) does what
    the featurizer wants (``"tu"``: explicit, ``"ogb"``: implicit). Raises
    :class:`MoleculeError` for an empty or unparsable SMILES (with RDKit's reason) and,
    for ``"tu"``, for elements outside :data:`MUTAGENICITY_ELEMENTS`.
    """
    text = smiles.strip() if isinstance(smiles, str) else ""
    if not text:
        raise MoleculeError(f"empty SMILES {smiles!r}: a molecule needs at least one atom")
    with captured_rdkit_errors() as log:
        mol = Chem.MolFromSmiles(text)
    if mol is None:
        reason = log.reason()
        raise MoleculeError(f"invalid SMILES {text!r}" + (f": {reason}" if reason else ""))
    if mol.GetNumAtoms() == 0:
        raise MoleculeError(f"SMILES {text!r} has no atoms")
    return molecule_from_mol(mol, featurizer=featurizer, add_hydrogens=add_hydrogens, source=text)


def molecule_from_mol(
    mol: Chem.Mol,
    *,
    featurizer: Featurizer | str | Callable[[Chem.Mol], Any] | None = None,
    add_hydrogens: bool | None = None,
    source: str = "",
) -> Molecule:
    """The molecule of an RDKit molecule (atom ``i`` stays node ``i``; with
    ``add_hydrogens`` the hydrogens are appended after the given atoms). Bond orders are
    read from the Kekulé form (1, 2, 3); ``mol`` itself keeps RDKit's aromatic form.
    ``add_hydrogens=None`` does what the featurizer wants; ``source`` names the SMILES
    in errors."""
    resolved = resolve_featurizer(featurizer)
    if mol.GetNumAtoms() == 0:
        raise MoleculeError("the RDKit molecule has no atoms")
    if resolved.elements is not None:
        unsupported = sorted({atom.GetSymbol() for atom in mol.GetAtoms()} - set(resolved.elements))
        if unsupported:
            raise MoleculeError(unsupported_elements_message(unsupported, source))
    if resolved.explicit_hydrogens if add_hydrogens is None else add_hydrogens:
        mol = Chem.AddHs(mol)
    kekule = Chem.Mol(mol)
    with rdBase.BlockLogs():
        try:
            Chem.Kekulize(kekule, clearAromaticFlags=True)
        except Chem.MolSanitizeException:
            kekule = mol
    bonds = [
        (bond.GetBeginAtomIdx(), bond.GetEndAtomIdx(), bond.GetBondTypeAsDouble())
        for bond in kekule.GetBonds()
    ]
    edge_index = np.zeros((2, 2 * len(bonds)), dtype=np.int64)
    bond_orders = np.zeros(2 * len(bonds))
    for k, (i, j, order) in enumerate(bonds):
        edge_index[:, 2 * k] = (i, j)
        edge_index[:, 2 * k + 1] = (j, i)
        bond_orders[2 * k : 2 * k + 2] = order
    return Molecule(
        mol=mol,
        elements=tuple(atom.GetSymbol() for atom in mol.GetAtoms()),
        edge_index=edge_index,
        bond_orders=bond_orders,
        featurizer=resolved,
    )
