"""Molecules: TU graphs and SMILES as RDKit molecules, PyG graphs and feature spaces.

A :class:`Molecule` is one molecular graph in three aligned forms: an RDKit molecule
(atom ``i`` is graph node ``i``), a directed edge list with bond orders, and, through
:meth:`Molecule.to_data`, a PyTorch Geometric ``Data`` object whose node features are
one-hot element vectors over :data:`MUTAGENICITY_ELEMENTS`, the one order every model
of this domain uses. :meth:`Molecule.feature_space` names the atoms ``C0``, ``N7``,
``O8``, ``H12`` ..., labels them with their element (so that the query atoms ``N`` or
``element:Cl`` mean every nitrogen / chlorine) and resolves substructure atoms
``smarts"[N+](=O)[O-]"`` with RDKit.

Sources:

* :func:`load_molecules` / :func:`molecule_from_tu`: the shipped TU data sets.
  *Mutagenicity* (4,337 molecules) lists hydrogens as nodes and labels edges with bond
  valences (label 0, 1, 2 = single, double, triple bond); it gives no charges.
  *MUTAG* (188) has no hydrogen nodes and labels edges 0 aromatic, 1 single, 2 double,
  3 triple; RDKit adds implicit hydrogens.
* :func:`molecule_from_smiles`: any SMILES over the Mutagenicity elements; hydrogens
  become explicit atoms by default, so that the graph looks like a Mutagenicity graph.

**Formal charges of TU graphs** (:func:`infer_formal_charges`). With ``t`` the total
bond order of an atom (sum over its bonds) and ``V`` the neutral valences of its
element (:data:`NEUTRAL_VALENCES`: N 3, O 2, S 2/4/6, P 3/5, I 1/3/5, F/Cl/Br 1):

1. an atom without bonds that is a metal or a halogen is an ion
   (:data:`ION_CHARGES`: Na/K/Li +1, Ca +2, halide -1); other isolated atoms are neutral;
2. C and H are always neutral (an under-bonded carbon in Mutagenicity is a radical or a
   bond lost from the data set's truncated edge lists, not a carbanion); atoms with an
   aromatic bond are neutral (RDKit's aromaticity model decides);
3. otherwise the charge is 0 if ``t`` is in ``V``, +1 if ``t - 1`` is in ``V``
   (N with four bonds, O with three, P with four, S with three or five), and -1 if
   ``t + 1`` is in ``V`` (O with one bond, N with two, S with one), else 0;
4. without explicit hydrogens (MUTAG) an under-bonded atom is taken to carry implicit
   hydrogens, so rule 3's -1 only applies to a terminal atom single-bonded to a cation
   of rule 3, one per unit of positive charge (the O⁻ of a nitro group or N-oxide).

So the nitro groups of both data sets become ``[N+](=O)[O-]`` and azides
``N=[N+]=[N-]``. RDKit's sanitisation (``Chem.SanitizeMol``: valence checks, clean-up
of hypervalent halogens such as perchlorate, aromaticity perception, so that the SMARTS
``c1ccccc1`` matches rings given in Kekulé form) then runs on the molecule; when it
fails the molecule is kept with a partial sanitisation (every step except the valence
checks and the failing ones, then ``UpdatePropertyCache(strict=False)``) and
:attr:`Molecule.sanitized` is ``False``. No molecule is ever dropped. Measured: all
4,337 Mutagenicity molecules sanitise in full, 4,169 of them net neutral (the others are
salts whose anion keeps its hydrogen, and the 39 large graphs whose edge lists the
data set truncated, e.g. #38 and #278: their under-bonded atoms become radicals or
spurious ions); 186 of the 188 MUTAG molecules sanitise (#82 and #187 give a carbon
five bonds).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import torch
from rdkit import Chem, rdBase
from torch_geometric.data import Data

from symxai.backends.lrp import Gamma, Zero
from symxai.data.tu import ELEMENTS, TUGraph, load_tu_dataset
from symxai.errors import QueryError, SymxaiError
from symxai.features import FeatureSpace

__all__ = [
    "DEFAULT_RULES",
    "ION_CHARGES",
    "MUTAGEN",
    "MUTAGENICITY_ELEMENTS",
    "NEUTRAL_VALENCES",
    "NONMUTAGEN",
    "Molecule",
    "MoleculeError",
    "compile_smarts",
    "infer_formal_charges",
    "load_molecules",
    "molecule_from_smiles",
    "molecule_from_tu",
]

MUTAGEN, NONMUTAGEN = 0, 1
"""Class indices of the Mutagenicity models (the data set's labels)."""

DEFAULT_RULES: dict[str, Any] = {"convs.*": Gamma(0.5), "*": Zero()}
"""GNN-LRP rules for the molecule GINs: LRP-gamma on the message-passing blocks, LRP-0
elsewhere."""

MUTAGENICITY_ELEMENTS: tuple[str, ...] = ELEMENTS["Mutagenicity"]
"""Element symbols in the one-hot order of the node features of every molecule model."""

_ELEMENT_INDEX: dict[str, int] = {element: i for i, element in enumerate(MUTAGENICITY_ELEMENTS)}

NEUTRAL_VALENCES: dict[str, tuple[int, ...]] = {
    "H": (1,),
    "C": (4,),
    "N": (3,),
    "O": (2,),
    "F": (1,),
    "Cl": (1,),
    "Br": (1,),
    "I": (1, 3, 5),
    "S": (2, 4, 6),
    "P": (3, 5),
}
"""Total bond orders at which an atom of these elements is taken to be uncharged."""

ION_CHARGES: dict[str, int] = {
    "Na": 1,
    "K": 1,
    "Li": 1,
    "Ca": 2,
    "F": -1,
    "Cl": -1,
    "Br": -1,
    "I": -1,
}
"""Charge of an atom of these elements that has no bond (a counter-ion)."""

_NEVER_CHARGED = frozenset({"C", "H"})

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
_MAX_SMARTS_MATCHES = 100_000


class MoleculeError(SymxaiError, ValueError):
    """A molecule cannot be built: bad SMILES, unsupported element, inconsistent graph."""


@dataclass(repr=False, eq=False)
class Molecule:
    """One molecule: an RDKit molecule aligned with a directed graph.

    Attributes
    ----------
    mol:
        RDKit molecule; atom ``i`` is graph node ``i``. Hydrogens that are graph nodes
        (Mutagenicity, SMILES with ``add_hydrogens=True``) are real atoms.
    elements:
        Element symbol of every node.
    edge_index:
        ``[2, E]`` int64 directed edges, every bond listed in both directions.
    bond_orders:
        ``[E]`` bond order of every directed edge as given by the source (1, 2, 3, or
        1.5 for an aromatic MUTAG bond). RDKit's clean-up may represent a group in
        another resonance form in ``mol`` (perchlorate); the graph is not changed.
    label:
        Class label as in the source data set (Mutagenicity: 0 mutagen, 1 non-mutagen;
        MUTAG: 1 mutagen, -1 non-mutagen), ``None`` when unknown.
    index:
        Position in its data set.
    dataset:
        Name of the data set, ``None`` for a SMILES molecule.
    edge_ground_truth:
        ``[E]`` 0/1 per directed edge (Mutagenicity: edges of NO2 and NH2 groups).
    sanitized:
        Whether ``Chem.SanitizeMol`` succeeded in full (``False``: partial sanitisation).
    """

    mol: Chem.Mol
    elements: tuple[str, ...]
    edge_index: np.ndarray
    bond_orders: np.ndarray
    label: int | None = None
    index: int | None = None
    dataset: str | None = None
    edge_ground_truth: np.ndarray | None = None
    sanitized: bool = True

    def __post_init__(self) -> None:
        self.elements = tuple(str(element) for element in self.elements)
        self.edge_index = np.asarray(self.edge_index, dtype=np.int64)
        self.bond_orders = np.asarray(self.bond_orders, dtype=np.float64)
        n = len(self.elements)
        if self.mol.GetNumAtoms() != n:
            raise MoleculeError(
                f"the RDKit molecule has {self.mol.GetNumAtoms()} atoms for {n} elements"
            )
        if self.edge_index.ndim != 2 or self.edge_index.shape[0] != 2:
            raise MoleculeError(f"edge_index must have shape [2, E], got {self.edge_index.shape}")
        num_edges = self.edge_index.shape[1]
        if num_edges and (self.edge_index.min() < 0 or self.edge_index.max() >= n):
            raise MoleculeError(f"edge_index refers to nodes outside 0..{n - 1}")
        if self.bond_orders.shape != (num_edges,):
            raise MoleculeError(
                f"bond_orders has shape {self.bond_orders.shape} for {num_edges} edges"
            )
        if self.edge_ground_truth is not None:
            self.edge_ground_truth = np.asarray(self.edge_ground_truth)
            if self.edge_ground_truth.shape != (num_edges,):
                raise MoleculeError(
                    f"edge_ground_truth has shape {self.edge_ground_truth.shape} "
                    f"for {num_edges} edges"
                )

    def __repr__(self) -> str:
        source = "SMILES" if self.dataset is None else f"{self.dataset} #{self.index}"
        label = "" if self.label is None else f", label {self.label}"
        return f"Molecule({source}: {self.smiles!r}, {self.num_atoms} atoms{label})"

    @property
    def names(self) -> tuple[str, ...]:
        """Feature names: element symbol followed by the node index (``C0``, ``N7``)."""
        return tuple(f"{element}{i}" for i, element in enumerate(self.elements))

    @property
    def num_atoms(self) -> int:
        """Number of atoms, that is of graph nodes."""
        return len(self.elements)

    @property
    def num_bonds(self) -> int:
        """Number of bonds, that is of undirected edges."""
        return int(self.mol.GetNumBonds())

    @property
    def smiles(self) -> str:
        """Canonical RDKit SMILES, hydrogens removed for readability."""
        with rdBase.BlockLogs():
            try:
                heavy = Chem.RemoveHs(self.mol, sanitize=False)
            except (RuntimeError, ValueError):
                heavy = self.mol
            return Chem.MolToSmiles(heavy)

    def element_indices(self) -> np.ndarray:
        """Position of every node's element in :data:`MUTAGENICITY_ELEMENTS`."""
        missing = sorted(set(self.elements) - set(_ELEMENT_INDEX))
        if missing:
            raise MoleculeError(_unsupported_message(missing))
        return np.fromiter(
            (_ELEMENT_INDEX[element] for element in self.elements), np.int64, self.num_atoms
        )

    def to_data(self) -> Data:
        """PyG graph: ``x`` one-hot elements ``[n, 14]`` (float), ``edge_index`` long,
        ``y`` the label as a one-element long tensor when the label is known."""
        x = torch.zeros(self.num_atoms, len(MUTAGENICITY_ELEMENTS))
        x[torch.arange(self.num_atoms), torch.from_numpy(self.element_indices())] = 1.0
        data = Data(x=x, edge_index=torch.from_numpy(self.edge_index.copy()))
        if self.label is not None:
            data.y = torch.tensor([int(self.label)], dtype=torch.long)
        return data

    def model_input(self) -> Data:
        """The graph the models take (:meth:`to_data`); a molecule is a
        :class:`~symxai.backends.DomainInput` of :func:`symxai.explain`."""
        return self.to_data()

    def backend_options(self, backend: str) -> dict[str, Any]:
        """Defaults of ``symxai.explain(model, molecule)``: the logit difference
        ``f_mutagen - f_non-mutagen``, and for GNN-LRP the :data:`DEFAULT_RULES`."""
        options: dict[str, Any] = {"target": (MUTAGEN, NONMUTAGEN)}
        if backend == "gnn-lrp":
            options["rules"] = DEFAULT_RULES
        return options

    def feature_space(self) -> FeatureSpace:
        """Atoms as features: names ``C0 ..``, label column ``element``, ``smarts`` atoms."""
        return FeatureSpace(
            self.names,
            labels={"element": self.elements},
            resolvers={"smarts": self.match_smarts},
        )

    def match_smarts(self, pattern: str) -> list[int]:
        """Sorted atom indices covered by any match of a SMARTS pattern (``[]`` if none).

        Raises :class:`~symxai.errors.QueryError` for a pattern RDKit cannot parse.
        """
        query = compile_smarts(pattern)
        matches = self.mol.GetSubstructMatches(query, uniquify=True, maxMatches=_MAX_SMARTS_MATCHES)
        return sorted({atom for match in matches for atom in match})


# ---------------------------------------------------------------- RDKit helpers
_LOG_PREFIX = re.compile(r"^\[\d\d:\d\d:\d\d\]\s*")
_PARSE_ERROR = re.compile(r"^(SMILES|SMARTS) Parse Error:\s*")
_POSITION = re.compile(r"around position (\d+)")


class _ErrorLog:
    """Holder of the RDKit error messages captured by :func:`_captured_rdkit_errors`."""

    messages: str = ""

    def reason(self) -> str:
        """First error line without time stamp and prefix, with the position if given."""
        lines = [_LOG_PREFIX.sub("", line).strip() for line in self.messages.splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            return ""
        reason = " ".join(_PARSE_ERROR.sub("", lines[0]).split())
        for line in lines[1:]:
            found = _POSITION.search(line)
            if found and "position" not in reason:
                reason += f" (around position {found.group(1)})"
                break
        return reason


@contextmanager
def _captured_rdkit_errors() -> Iterator[_ErrorLog]:
    """Silence RDKit's logs; collect its error messages where RDKit can capture them."""
    log = _ErrorLog()
    capture = getattr(rdBase, "CaptureErrorLog", None)
    with rdBase.BlockLogs():
        if capture is None:
            yield log
            return
        with capture() as captured:
            yield log
        log.messages = str(captured.messages)


@lru_cache(maxsize=1024)
def compile_smarts(pattern: str) -> Chem.Mol:
    """The RDKit query molecule of a SMARTS pattern (cached); :class:`~symxai.errors.QueryError`
    with RDKit's reason when the pattern is empty or invalid."""
    if not pattern.strip():
        raise QueryError("empty SMARTS pattern")
    with _captured_rdkit_errors() as log:
        query = Chem.MolFromSmarts(pattern)
    if query is None:
        reason = log.reason()
        raise QueryError(f"invalid SMARTS pattern '{pattern}'" + (f": {reason}" if reason else ""))
    return query


def _unsupported_message(symbols: Sequence[str], source: str = "") -> str:
    where = f"SMILES {source!r} contains" if source else "found"
    return f"{where} unsupported element(s) {', '.join(symbols)}; supported elements: " + ", ".join(
        MUTAGENICITY_ELEMENTS
    )


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


# -------------------------------------------------------------------- charges
def infer_formal_charges(
    elements: Sequence[str],
    edge_index: np.ndarray,
    bond_orders: np.ndarray,
    *,
    explicit_hydrogens: bool = True,
) -> np.ndarray:
    """Formal charge of every atom of a charge-less molecular graph (module docstring).

    ``bond_orders`` holds one order per directed edge (1.5 aromatic); every bond is
    listed in both directions. ``explicit_hydrogens`` says whether hydrogens are nodes
    (Mutagenicity) or implicit (MUTAG), which changes rule 4.
    """
    n = len(elements)
    edge_index = np.asarray(edge_index, dtype=np.int64)
    bond_orders = np.asarray(bond_orders, dtype=np.float64)
    source = edge_index[0]
    total = np.bincount(source, weights=bond_orders, minlength=n)
    degree = np.bincount(source, minlength=n)
    aromatic = np.zeros(n, dtype=bool)
    aromatic[source[bond_orders == 1.5]] = True
    charges = np.zeros(n, dtype=np.int64)
    anion_candidates = np.zeros(n, dtype=bool)
    for i, element in enumerate(elements):
        if degree[i] == 0:
            charges[i] = ION_CHARGES.get(element, 0)
            continue
        valences = NEUTRAL_VALENCES.get(element)
        if valences is None or element in _NEVER_CHARGED or aromatic[i]:
            continue
        bonds = round(float(total[i]))
        if bonds in valences:
            continue
        if bonds - 1 in valences:
            charges[i] = 1
        elif bonds + 1 in valences:
            if explicit_hydrogens:
                charges[i] = -1
            else:
                anion_candidates[i] = degree[i] == 1
    if not explicit_hydrogens and anion_candidates.any():
        _balance_cations(charges, anion_candidates, edge_index, bond_orders)
    return charges


def _balance_cations(
    charges: np.ndarray, candidates: np.ndarray, edge_index: np.ndarray, bond_orders: np.ndarray
) -> None:
    """Give each cation as many -1 charges as it has positive charge, to its terminal,
    single-bonded, under-bonded neighbours (rule 4), in edge order."""
    unbalanced = np.where(charges > 0, charges, 0)
    for (i, j), order in zip(edge_index.T.tolist(), bond_orders.tolist(), strict=True):
        if order == 1.0 and candidates[j] and charges[j] == 0 and unbalanced[i] > 0:
            charges[j] = -1
            unbalanced[i] -= 1


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


# -------------------------------------------------------------------- sources
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


def molecule_from_smiles(smiles: str, *, add_hydrogens: bool = True) -> Molecule:
    """The molecule of a SMILES string, over :data:`MUTAGENICITY_ELEMENTS`.

    ``add_hydrogens=True`` makes every hydrogen an atom and a graph node (``Chem.AddHs``),
    as in Mutagenicity. Bond orders are read from the Kekulé form (1, 2, 3); ``mol``
    itself keeps RDKit's aromatic form. Raises :class:`MoleculeError` for an empty or
    unparsable SMILES (with RDKit's reason) and for elements outside the supported set.
    """
    text = smiles.strip() if isinstance(smiles, str) else ""
    if not text:
        raise MoleculeError(f"empty SMILES {smiles!r}: a molecule needs at least one atom")
    with _captured_rdkit_errors() as log:
        mol = Chem.MolFromSmiles(text)
    if mol is None:
        reason = log.reason()
        raise MoleculeError(f"invalid SMILES {text!r}" + (f": {reason}" if reason else ""))
    if mol.GetNumAtoms() == 0:
        raise MoleculeError(f"SMILES {text!r} has no atoms")
    unsupported = sorted({atom.GetSymbol() for atom in mol.GetAtoms()} - set(_ELEMENT_INDEX))
    if unsupported:
        raise MoleculeError(_unsupported_message(unsupported, text))
    if add_hydrogens:
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
    )
