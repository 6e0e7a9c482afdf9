"""Featurizers: how an RDKit molecule becomes the graph a model takes.

A :class:`Featurizer` maps an RDKit molecule to node features ``x``, ``edge_index`` and,
where it has them, edge features ``edge_attr``; node ``i`` is always RDKit atom ``i``,
so atom names (``C0``), SMARTS atoms and drawings follow the RDKit atom order whatever
the featurizer. It also says whether the model expects hydrogens as atoms.

Built-ins (:data:`FEATURIZERS`):

* ``"tu"``: one-hot elements over :data:`MUTAGENICITY_ELEMENTS` (float ``[n, 14]``),
  hydrogens as atoms: the graphs of the shipped Mutagenicity GIN.
* ``"ogb"``: the features of ``torch_geometric.utils.from_smiles`` (OGB style), taken
  from the RDKit molecule itself (``torch_geometric.utils.from_rdmol``): ``x`` long
  ``[n, 9]`` (atomic number, chirality, total degree, formal charge, total hydrogens,
  radical electrons, hybridisation, aromatic, in a ring) and ``edge_attr`` long
  ``[E, 3]`` (bond type, stereo, conjugated); implicit hydrogens.
* ``"module:function"``: a user function ``f(mol)`` returning a PyG ``Data`` or a tuple
  ``(x, edge_index[, edge_attr])``; hydrogens are explicit when the function has an
  attribute ``explicit_hydrogens = True``.

:func:`resolve_featurizer` turns any of these (or a callable, or a :class:`Featurizer`)
into a :class:`Featurizer`, with an error naming what failed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from rdkit import Chem
from torch_geometric.data import Data

from symxai.data.mutagenicity import MUTAGENICITY_ELEMENTS, element_graph
from symxai.errors import SymxaiError

__all__ = [
    "DEFAULT_FEATURIZER",
    "FEATURIZERS",
    "Featurizer",
    "FeaturizerError",
    "load_object",
    "model_featurizer",
    "resolve_featurizer",
]

DEFAULT_FEATURIZER = "tu"


class FeaturizerError(SymxaiError, ValueError):
    """A featurizer cannot be found or returned a graph of the wrong shape."""


@dataclass(frozen=True)
class Featurizer:
    """A named map from an RDKit molecule to a PyG graph (node ``i`` = RDKit atom ``i``).

    Attributes
    ----------
    name:
        ``"tu"``, ``"ogb"`` or the ``module:function`` it was loaded from.
    explicit_hydrogens:
        Whether the model expects every hydrogen as an atom (``Chem.AddHs``).
    function:
        ``f(mol)`` returning ``Data`` or ``(x, edge_index[, edge_attr])``.
    elements:
        The element symbols the features can encode; ``None`` for every element.
    """

    name: str
    explicit_hydrogens: bool
    function: Callable[[Chem.Mol], Any]
    elements: tuple[str, ...] | None = None

    def __call__(self, mol: Chem.Mol) -> Data:
        """The checked graph of ``mol``: ``x`` ``[n, d]`` with ``n`` its atom count,
        ``edge_index`` long ``[2, E]`` within ``0..n-1``, ``edge_attr`` ``[E, ...]``."""
        try:
            result = self.function(mol)
        except SymxaiError:
            raise
        except Exception as error:
            raise FeaturizerError(
                f"featurizer {self.name!r} failed on {Chem.MolToSmiles(mol)!r}: "
                f"{type(error).__name__}: {error}"
            ) from error
        return _checked_graph(self.name, result, mol.GetNumAtoms())


def _checked_graph(name: str, result: Any, num_atoms: int) -> Data:
    """``result`` as a ``Data`` object, checked against the molecule's atom count."""
    where = f"featurizer {name!r}"
    if isinstance(result, Data):
        x, edge_index, edge_attr = result.x, result.edge_index, result.get("edge_attr")
    elif isinstance(result, tuple) and len(result) in (2, 3):
        x, edge_index = result[0], result[1]
        edge_attr = result[2] if len(result) == 3 else None
    else:
        raise FeaturizerError(
            f"{where} returned {type(result).__name__}; expected a torch_geometric Data or a "
            "tuple (x, edge_index[, edge_attr])"
        )
    tensors = {}
    for key, value in (("x", x), ("edge_index", edge_index), ("edge_attr", edge_attr)):
        if value is None:
            continue
        tensors[key] = torch.as_tensor(np.asarray(value)) if not torch.is_tensor(value) else value
    x = tensors.get("x")
    if x is None or x.ndim != 2 or x.shape[0] != num_atoms:
        shape = None if x is None else tuple(x.shape)
        raise FeaturizerError(
            f"{where} returned x of shape {shape}; expected [{num_atoms}, d] (one row per atom)"
        )
    edge_index = tensors.get("edge_index")
    if edge_index is None or edge_index.ndim != 2 or edge_index.shape[0] != 2:
        shape = None if edge_index is None else tuple(edge_index.shape)
        raise FeaturizerError(f"{where} returned edge_index of shape {shape}; expected [2, E]")
    edge_index = edge_index.to(torch.long)
    if edge_index.numel() and (edge_index.min() < 0 or edge_index.max() >= num_atoms):
        raise FeaturizerError(f"{where} returned edge_index outside the atoms 0..{num_atoms - 1}")
    data = Data(x=x, edge_index=edge_index)
    edge_attr = tensors.get("edge_attr")
    if edge_attr is not None:
        if edge_attr.shape[0] != edge_index.shape[1]:
            raise FeaturizerError(
                f"{where} returned edge_attr with {edge_attr.shape[0]} rows for "
                f"{edge_index.shape[1]} edges"
            )
        data.edge_attr = edge_attr
    return data


def _tu_graph(mol: Chem.Mol) -> Data:
    """One-hot elements over :data:`MUTAGENICITY_ELEMENTS` and every bond both ways."""
    index = {element: i for i, element in enumerate(MUTAGENICITY_ELEMENTS)}
    symbols = [atom.GetSymbol() for atom in mol.GetAtoms()]
    missing = sorted(set(symbols) - set(index))
    if missing:
        raise FeaturizerError(
            f"featurizer 'tu' encodes {', '.join(MUTAGENICITY_ELEMENTS)} only; found "
            f"{', '.join(missing)} (use featurizer 'ogb' or your own)"
        )
    edges = [
        pair
        for bond in mol.GetBonds()
        for pair in (
            (bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()),
            (bond.GetEndAtomIdx(), bond.GetBeginAtomIdx()),
        )
    ]
    edge_index = np.asarray(edges, dtype=np.int64).reshape(-1, 2).T
    return element_graph([index[s] for s in symbols], edge_index)


def _ogb_graph(mol: Chem.Mol) -> Data:
    """``torch_geometric.utils.from_rdmol``: the features of ``from_smiles``."""
    from torch_geometric.utils import from_rdmol

    data = from_rdmol(mol)
    if data.edge_index.numel() == 0:
        data.edge_index = torch.zeros((2, 0), dtype=torch.long)
    return data


FEATURIZERS: dict[str, Featurizer] = {
    "tu": Featurizer("tu", True, _tu_graph, MUTAGENICITY_ELEMENTS),
    "ogb": Featurizer("ogb", False, _ogb_graph),
}
"""The built-in featurizers by name."""


def load_object(reference: str, what: str) -> Any:
    """The attribute named by ``"module:attribute"`` (``what`` names it in errors):
    raises :class:`FeaturizerError` saying whether the form, the module or the
    attribute failed."""
    module_name, colon, attribute = reference.partition(":")
    if not colon or not module_name or not attribute:
        raise FeaturizerError(f"{what} {reference!r} must be given as module:function")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise FeaturizerError(
            f"{what} {reference!r}: module {module_name!r} cannot be imported "
            f"({type(error).__name__}: {error})"
        ) from None
    found = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise FeaturizerError(f"{what} {reference!r}: {module_name} has no attribute {part!r}")
        found = getattr(found, part)
    if not callable(found):
        raise FeaturizerError(f"{what} {reference!r} is not callable")
    return found


def resolve_featurizer(
    featurizer: str | Featurizer | Callable[[Chem.Mol], Any] | None,
) -> Featurizer:
    """A :class:`Featurizer` from ``"tu"``, ``"ogb"``, ``"module:function"``, a callable
    or a :class:`Featurizer` (``None``: ``"tu"``)."""
    if featurizer is None:
        return FEATURIZERS[DEFAULT_FEATURIZER]
    if isinstance(featurizer, Featurizer):
        return featurizer
    if isinstance(featurizer, str):
        if featurizer in FEATURIZERS:
            return FEATURIZERS[featurizer]
        if ":" not in featurizer:
            raise FeaturizerError(
                f"unknown featurizer {featurizer!r}: "
                f"use {', '.join(FEATURIZERS)} or module:function"
            )
        function = load_object(featurizer, "featurizer")
        name = featurizer
    elif callable(featurizer):
        function = featurizer
        name = getattr(featurizer, "__qualname__", type(featurizer).__name__)
    else:
        raise FeaturizerError(
            "a featurizer is a name, module:function or a callable, "
            f"got {type(featurizer).__name__}"
        )
    return Featurizer(name, bool(getattr(function, "explicit_hydrogens", False)), function)


def model_featurizer(model: Any) -> Featurizer | None:
    """The featurizer a model declares: an attribute ``featurizer`` holding a name,
    ``module:function`` or a :class:`Featurizer` (``None`` where it declares none)."""
    declared = getattr(model, "featurizer", None)
    if isinstance(declared, (str, Featurizer)):
        return resolve_featurizer(declared)
    return None
