"""A molecule: an RDKit molecule aligned with a directed graph, and its atoms as features.

A :class:`Molecule` is one molecular graph in three aligned forms: an RDKit molecule
(atom ``i`` is graph node ``i``), a directed edge list with bond orders, and, through
:meth:`Molecule.to_data`, a PyTorch Geometric ``Data`` object whose node features are
one-hot element vectors over :data:`MUTAGENICITY_ELEMENTS`, the one order every model
of this domain uses. :meth:`Molecule.feature_space` names the atoms ``C0``, ``N7``,
``O8``, ``H12`` ..., labels them with their element (so that the query atoms ``N`` or
``element:Cl`` mean every nitrogen / chlorine) and resolves substructure atoms
``smarts"[N+](=O)[O-]"`` with RDKit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from rdkit import Chem, rdBase
from torch_geometric.data import Data

from symxai.backends.lrp import Gamma, Zero
from symxai.data.mutagenicity import MUTAGENICITY_ELEMENTS, element_graph
from symxai.domains.molecules.featurizers import DEFAULT_FEATURIZER, Featurizer, resolve_featurizer
from symxai.domains.molecules.groups import BUILTIN_GROUPS, GroupVocabulary
from symxai.domains.molecules.smarts import compile_smarts
from symxai.errors import SymxaiError
from symxai.features import FeatureSpace

__all__ = [
    "DEFAULT_RULES",
    "ELEMENT_INDEX",
    "MUTAGEN",
    "MUTAGENICITY_ELEMENTS",
    "NONMUTAGEN",
    "Molecule",
    "MoleculeError",
    "unsupported_elements_message",
]

MUTAGEN, NONMUTAGEN = 0, 1
"""Class indices of the Mutagenicity models (the data set's labels)."""

DEFAULT_RULES: dict[str, Any] = {"convs.*": Gamma(0.5), "*": Zero()}
"""GNN-LRP rules for the molecule GINs: LRP-gamma on the message-passing blocks, LRP-0
elsewhere."""

ELEMENT_INDEX: dict[str, int] = {element: i for i, element in enumerate(MUTAGENICITY_ELEMENTS)}
"""Position of every supported element in :data:`MUTAGENICITY_ELEMENTS`."""

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
    groups:
        The named functional groups its queries may use (``group:hydroxyl``,
        ``hydroxyl``); ``None``: the built-in vocabulary
        (:data:`~symxai.domains.molecules.groups.BUILTIN_GROUPS`).
    featurizer:
        How :meth:`to_data` builds the model's graph
        (:mod:`~symxai.domains.molecules.featurizers`); ``"tu"`` by default.
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
    groups: GroupVocabulary | None = None
    featurizer: Featurizer | str | None = None

    def __post_init__(self) -> None:
        self.featurizer = resolve_featurizer(self.featurizer)
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
        missing = sorted(set(self.elements) - set(ELEMENT_INDEX))
        if missing:
            raise MoleculeError(unsupported_elements_message(missing))
        return np.fromiter(
            (ELEMENT_INDEX[element] for element in self.elements), np.int64, self.num_atoms
        )

    def to_data(self) -> Data:
        """PyG graph of the molecule's featurizer; ``y`` the label as a one-element long
        tensor when the label is known.

        ``"tu"``: ``x`` one-hot elements ``[n, 14]`` (float) and the source's own
        ``edge_index``; any other featurizer: its ``x``, ``edge_index`` and ``edge_attr``
        of :attr:`mol` (node ``i`` is RDKit atom ``i``)."""
        featurizer = self.featurizer
        assert isinstance(featurizer, Featurizer)
        if featurizer.name == DEFAULT_FEATURIZER:
            return element_graph(self.element_indices(), self.edge_index, self.label)
        data = featurizer(self.mol)
        if self.label is not None:
            data.y = torch.tensor([int(self.label)], dtype=torch.long)
        return data

    def with_featurizer(self, featurizer: Featurizer | str | None) -> Molecule:
        """The same molecule (same atoms, same order) featurized by ``featurizer``; the
        molecule itself when it already is."""
        resolved = resolve_featurizer(featurizer)
        if resolved == self.featurizer:
            return self
        return dataclasses.replace(self, featurizer=resolved)

    def model_input(self) -> Data:
        """The graph the models take (:meth:`to_data`); a molecule is a
        :class:`~symxai.api.DomainInput` of :func:`symxai.explain`."""
        return self.to_data()

    def backend_options(self, backend: str) -> dict[str, Any]:
        """Defaults of ``symxai.explain(model, molecule)``: the logit difference
        ``f_mutagen - f_non-mutagen``, and for GNN-LRP the :data:`DEFAULT_RULES`."""
        options: dict[str, Any] = {"target": (MUTAGEN, NONMUTAGEN)}
        if backend == "gnn-lrp":
            options["rules"] = DEFAULT_RULES
        return options

    def feature_space(self) -> FeatureSpace:
        """Atoms as features: names ``C0 ..``, label column ``element``, ``smarts`` atoms
        and the named functional groups of :attr:`groups` (``group:nitro``, ``nitro``)."""
        vocabulary = self.groups if self.groups is not None else BUILTIN_GROUPS
        return FeatureSpace(
            self.names,
            labels={"element": self.elements},
            resolvers={"smarts": self.match_smarts},
            group_rules=vocabulary.resolvers(self.mol),
        )

    def match_smarts(self, pattern: str) -> list[int]:
        """Sorted atom indices covered by any match of a SMARTS pattern (``[]`` if none).

        Raises :class:`~symxai.errors.QueryError` for a pattern RDKit cannot parse.
        """
        query = compile_smarts(pattern)
        matches = self.mol.GetSubstructMatches(query, uniquify=True, maxMatches=_MAX_SMARTS_MATCHES)
        return sorted({atom for match in matches for atom in match})


def unsupported_elements_message(symbols: Sequence[str], source: str = "") -> str:
    """The message for elements outside :data:`MUTAGENICITY_ELEMENTS` (of SMILES ``source``)."""
    where = f"SMILES {source!r} contains" if source else "found"
    return f"{where} unsupported element(s) {', '.join(symbols)}; supported elements: " + ", ".join(
        MUTAGENICITY_ELEMENTS
    )
