"""The ``molecules`` domain: SMILES and TU molecules explained by a GIN or a user's model.

Inputs: a shipped TU data set (``Mutagenicity``, ``MUTAG``) or a file of SMILES (one per
line, ``SMILES [id [label]]``, or a CSV with a ``smiles`` column and optional
``id``/``label``). Model: ``mutagenicity-gin``, ``esol-gnn``, ``bbb-gnn`` or
``planted-gnn`` (shipped; the last three declare the ``ogb`` featurizer:
:mod:`~symxai.domains.molecules.property_models`), a weights file written by
:func:`symxai.cache.save_weights` with its configuration ``.json`` beside it (the
architecture it names, :class:`symxai.models.GIN` by default), or ``module:function``
returning a user's ``torch.nn.Module``; the model's featurizer (``tu``, ``ogb``,
``module:function``: :mod:`~symxai.domains.molecules.featurizers`) is the one it
declares unless ``featurizer`` is given (docs/targets.md). Backends: ``gnn-lrp``, whose
harsanyi mode evaluates the coalitions of all molecules of a chunk together
(:func:`~symxai.domains.molecules.molecule_relevances`), or ``perturbation`` (atoms
removed with their bonds, or given all-zero features with ``perturbation = "baseline"``;
one batch of value calls per molecule). The default target is the logit difference
``f(mutagen) - f(nonmutagen)``, or the one output of a user's regressor. Queries may
name functional groups (``group:nitro``, ``nitro``: :mod:`~symxai.domains.molecules.groups`),
the built-in ones and a user's (:meth:`MoleculeDomain.with_groups`). Ground truth
(:meth:`MoleculeDomain.ground_truth`): the NO2/NH2 bonds of the Mutagenicity mutagens.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rdkit import Chem

from symxai.backends.target import output_names_of
from symxai.cache import load_state
from symxai.data.edges import undirected_pairs
from symxai.decomposition import Decomposition
from symxai.domains.elements import element_atom_problem
from symxai.domains.molecules.dividends import molecule_dividends
from symxai.domains.molecules.explain import explain_molecule, molecule_relevances
from symxai.domains.molecules.featurizers import (
    FEATURIZERS,
    FeaturizerError,
    load_object,
    model_featurizer,
    resolve_featurizer,
)
from symxai.domains.molecules.groups import BUILTIN_GROUPS, GroupVocabulary, load_groups
from symxai.domains.molecules.molecule import (
    MUTAGEN,
    MUTAGENICITY_ELEMENTS,
    NONMUTAGEN,
    Molecule,
)
from symxai.domains.molecules.property_models import PROPERTY_MODELS, load_property_model
from symxai.domains.molecules.smarts import compile_smarts
from symxai.domains.molecules.sources import (
    load_molecules,
    molecule_from_mol,
    molecule_from_smiles,
)
from symxai.domains.registry import (
    BatchRelevances,
    Domain,
    DomainError,
    GroundTruth,
    InputRecord,
)
from symxai.errors import SymxaiError
from symxai.explanation import Explanation
from symxai.models.registry import DEFAULT_ARCHITECTURE, architecture
from symxai.query.ast import Atom, Query
from symxai.training.mutagenicity import load_mutagenicity_gin

__all__ = ["MoleculeDomain"]

_DATASETS = ("Mutagenicity", "MUTAG")

_SHIPPED = ("mutagenicity-gin", *PROPERTY_MODELS)

_ALL_ELEMENTS = tuple(Chem.GetPeriodicTable().GetElementSymbol(z) for z in range(1, 119))


@functools.cache
def _model(model: str, featurizer: str | None = None) -> Any:
    """A molecule model (cached per name and featurizer), carrying its featurizer.

    ``model`` is ``mutagenicity-gin`` or a property model of :data:`PROPERTY_MODELS`
    (shipped), a symxai weights file with its
    configuration ``.json`` beside it (``config`` rebuilds the architecture its
    ``architecture`` entry names, :func:`~symxai.models.registry.architecture`, ``GIN``
    by default; optional ``featurizer`` and ``output_names`` entries) or
    ``module:function`` returning a ``torch.nn.Module``. ``featurizer`` (``tu``, ``ogb``,
    ``module:function``) overrides the one the model declares; the model is then
    a copy that declares it (attribute ``featurizer``)."""
    import copy

    import torch

    if model == "mutagenicity-gin":
        loaded = load_mutagenicity_gin().model
    elif model in PROPERTY_MODELS:
        loaded = load_property_model(model)
    elif Path(model).is_file():
        loaded = _weights_file(model)
    elif ":" in model:
        try:
            built = load_object(model, "model")()
        except FeaturizerError as error:
            raise DomainError(str(error)) from None
        except Exception as error:
            raise DomainError(f"model {model!r} failed: {type(error).__name__}: {error}") from None
        if not isinstance(built, torch.nn.Module):
            raise DomainError(
                f"model {model!r} returned {type(built).__name__}, not a torch.nn.Module"
            )
        loaded = built.eval()
    else:
        raise DomainError(
            f"model {model!r} is neither a shipped model ({', '.join(_SHIPPED)}), "
            "a weights file nor module:function"
        )
    if featurizer is None:
        return loaded
    try:
        resolve_featurizer(featurizer)
    except FeaturizerError as error:
        raise DomainError(str(error)) from None
    if getattr(loaded, "featurizer", None) == featurizer:
        return loaded
    loaded = copy.deepcopy(loaded)
    loaded.featurizer = featurizer
    return loaded


def _weights_file(model: str) -> Any:
    """A weights file written by :func:`symxai.cache.save_weights`, its architecture,
    featurizer and output names read from the ``.json`` beside it."""
    path = Path(model)
    info_path = path.with_suffix(".json")
    if not info_path.is_file():
        raise DomainError(
            f"model {model!r}: the configuration {info_path.name} is missing beside it"
        )
    name = DEFAULT_ARCHITECTURE
    try:
        info = json.loads(info_path.read_text())
        name = str(info.get("architecture") or DEFAULT_ARCHITECTURE)
        loaded = load_state(architecture(name)(**info["config"]), path)
    except Exception as error:
        message = str(error).splitlines()[0] if str(error) else ""
        raise DomainError(
            f"model {model!r} is not a {name} weights file written by symxai "
            f"({type(error).__name__}: {message})"
        ) from None
    for key in ("featurizer", "output_names", "task_names"):
        if info.get(key) is not None:
            setattr(loaded, key, tuple(info[key]) if isinstance(info[key], list) else info[key])
    return loaded


def _for_model(molecule: Molecule, model: Any) -> Molecule:
    """``molecule`` featurized as ``model`` declares (``tu`` when it declares nothing),
    its atoms kept; a SMILES molecule gets the featurizer's hydrogens (RDKit keeps them
    after the heavy atoms, so the heavy atoms keep their indices). Elements the
    featurizer cannot encode fail when the graph is built, per molecule."""
    featurizer = model_featurizer(model) or FEATURIZERS["tu"]
    if featurizer == molecule.featurizer:
        return molecule
    if molecule.dataset is None:
        hydrogens = any(atom.GetAtomicNum() == 1 for atom in molecule.mol.GetAtoms())
        if hydrogens != featurizer.explicit_hydrogens:
            mol = Chem.RemoveHs(molecule.mol) if hydrogens else molecule.mol
            rebuilt = molecule_from_mol(
                mol, featurizer="ogb", add_hydrogens=featurizer.explicit_hydrogens
            )
            return dataclasses.replace(rebuilt, featurizer=featurizer, groups=molecule.groups)
    return molecule.with_featurizer(featurizer)


@dataclass(frozen=True)
class _MoleculeData:
    """Records of a molecular data set, and its molecules (or SMILES, parsed on use)."""

    records: tuple[InputRecord, ...]
    items: tuple[Any, ...]

    @functools.cached_property
    def position(self) -> dict[str, int]:
        return {record.id: i for i, record in enumerate(self.records)}


def _read_smiles_file(path: Path) -> list[InputRecord]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if "smiles" not in (reader.fieldnames or []):
                raise DomainError(f"{path}: a molecule CSV needs a 'smiles' column")
            return [
                InputRecord(row.get("id") or str(n), row.get("label") or None, row["smiles"])
                for n, row in enumerate(reader)
            ]
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        name = parts[1] if len(parts) > 1 else str(number)
        records.append(InputRecord(name, parts[2] if len(parts) > 2 else None, parts[0]))
    return records


@functools.cache
def _molecule_data(data: str) -> _MoleculeData:
    if data in _DATASETS:
        molecules = load_molecules(data)
        records = tuple(InputRecord(str(m.index), m.label, m.smiles) for m in molecules)
        return _MoleculeData(records, tuple(molecules))
    path = Path(data)
    if not path.is_file():
        raise DomainError(f"molecular data {data!r} is neither Mutagenicity, MUTAG nor a file")
    records = _read_smiles_file(path)
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise DomainError(f"{path}: input ids must be unique; repeated: {repeated}")
    return _MoleculeData(tuple(records), tuple(r.text for r in records))


class MoleculeDomain(Domain):
    """Molecules explained with GNN-LRP or perturbation (see the module docstring)."""

    name = "molecules"
    description = "Molecules (SMILES, TU graphs) explained by a graph network; atoms are features."
    default_data = "Mutagenicity"
    datasets = _DATASETS
    models = _SHIPPED
    backends = ("gnn-lrp", "perturbation")
    perturbations = ("remove", "baseline")
    batched_backends = ("gnn-lrp",)
    featurizers = tuple(FEATURIZERS)

    def __init__(self, groups: GroupVocabulary = BUILTIN_GROUPS) -> None:
        self.groups = groups

    def with_groups(self, path: str) -> MoleculeDomain:
        """The domain whose molecules know the built-in groups and those of the file
        ``path`` (:func:`~symxai.domains.molecules.groups.load_groups`)."""
        return MoleculeDomain(load_groups(path))

    def _grouped(self, molecule: Molecule) -> Molecule:
        """``molecule`` with this domain's group vocabulary (a copy where it differs)."""
        if self.groups is BUILTIN_GROUPS or molecule.groups is self.groups:
            return molecule
        return dataclasses.replace(molecule, groups=self.groups)

    def load_inputs(self, data: str) -> list[InputRecord]:
        return list(_molecule_data(data).records)

    def load_input(self, data: str, record: InputRecord) -> Any:
        """The data set's own molecule (TU graphs are not re-read from their SMILES)."""
        molecules = _molecule_data(data)
        item = molecules.items[molecules.position[record.id]]
        return self._grouped(item) if isinstance(item, Molecule) else self.prepare(item)

    def class_names(self, data: str) -> dict[Any, str]:
        if data == "MUTAG":
            return {1: "mutagen", -1: "nonmutagen"}
        if data == "Mutagenicity":
            return {0: "mutagen", 1: "nonmutagen"}
        return {}

    def prepare(self, text: str) -> Any:
        """The molecule of a SMILES string with hydrogens as atoms, featurized ``tu`` when
        its elements allow (else ``ogb``; the model's featurizer applies when explained),
        with this domain's group vocabulary."""
        molecule = molecule_from_smiles(text, featurizer="ogb", add_hydrogens=True)
        if set(molecule.elements) <= set(MUTAGENICITY_ELEMENTS):
            molecule = molecule.with_featurizer("tu")
        return self._grouped(molecule)

    def load_model(self, name_or_path: str, featurizer: str | None = None) -> Any:
        return _model(name_or_path, featurizer)

    def output_count(self, model: Any) -> int | None:
        head = getattr(model, "head", None)
        if isinstance(getattr(head, "out_features", None), int):
            return int(head.out_features)
        names = output_names_of(model)
        return len(names) if names is not None else None

    def output_names(self, model: str, featurizer: str | None = None) -> dict[int, str]:
        if model == "mutagenicity-gin":
            return {MUTAGEN: "mutagen", NONMUTAGEN: "nonmutagen"}
        names = output_names_of(self.load_model(model, featurizer))
        return dict(enumerate(names)) if names is not None else {}

    def default_target(self) -> tuple[str, Any]:
        return "mutagen-vs-nonmutagen", (MUTAGEN, NONMUTAGEN)

    def explain(
        self,
        inputs: Any,
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
        perturbation: str | None = None,
    ) -> Explanation:
        return explain_molecule(
            _for_model(inputs, model) if isinstance(inputs, Molecule) else inputs,
            model,
            target=target,
            missing=missing,
            backend=backend,
            perturbation=perturbation or self.perturbations[0],
        )

    def explain_many(
        self,
        inputs: Sequence[Any],
        queries: Sequence[Query],
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
    ) -> BatchRelevances:
        molecules = [_for_model(m, model) if isinstance(m, Molecule) else m for m in inputs]
        return molecule_relevances(molecules, queries, model, target=target, missing=missing)

    def dividends_many(
        self, inputs: Sequence[Any], model: Any, *, backend: str, target: Any
    ) -> list[Decomposition] | None:
        """GNN-LRP's complete dividends of many molecules from packed connected coalitions
        (:func:`~symxai.domains.molecules.dividends.molecule_dividends`); ``None`` for the
        perturbation backend, for inputs that are not all molecules and for models that
        fail its locality checks."""
        if backend != "gnn-lrp" or not all(isinstance(m, Molecule) for m in inputs):
            return None
        return molecule_dividends([_for_model(m, model) for m in inputs], model, target=target)

    def ground_truth(self, data: str, record: InputRecord, inputs: Any) -> GroundTruth | None:
        """The NO2/NH2 bonds of a Mutagenicity mutagen (``Mutagenicity_edge_gt``): every
        bond as an undirected atom pair, labelled when its directed edges are, and the
        atoms of the labelled bonds as ``features``.

        ``None`` for a molecule without such bonds, for a non-mutagen (the groups occur
        there too but are not what makes the class; the field, Luo et al. 2020, and
        ``benchmarks/gnn_lrp.py`` evaluate the mutagens) and for data without edge
        ground truth (MUTAG, SMILES files).
        """
        if not isinstance(inputs, Molecule) or inputs.edge_ground_truth is None:
            return None
        if record.label != MUTAGEN or not inputs.edge_ground_truth.any():
            return None
        pairs, labels = undirected_pairs(inputs.edge_index, inputs.edge_ground_truth)
        features = np.zeros(inputs.num_atoms, dtype=bool)
        features[pairs[labels].reshape(-1)] = True
        return GroundTruth(features=features, pairs=pairs, pair_labels=labels)

    def check_atom(
        self, atom: Atom, featurizer: str | None = None
    ) -> tuple[str, Sequence[str]] | None:
        """SMARTS that do not compile, names that are neither an element symbol, an atom
        name (``C0``) nor a group of the vocabulary (``nitro``), ``group:X`` for a name
        outside the vocabulary, and ``element:X`` for an element the featurizer cannot
        encode (``tu``: :data:`MUTAGENICITY_ELEMENTS`; ``ogb`` and user featurizers:
        every element)."""
        value = str(atom.value)
        if atom.kind == "pattern" and atom.qualifier == "smarts":
            try:
                compile_smarts(value)
            except SymxaiError as error:
                return str(error).splitlines()[0], ()
            return None
        if atom.kind == "qualified" and atom.qualifier == "group":
            if value in self.groups:
                return None
            return f"{atom}: no such group (symxai groups lists them)", self.groups.suggest(value)
        if atom.kind == "name" and value in self.groups:
            return None
        elements = MUTAGENICITY_ELEMENTS
        if featurizer is not None and featurizer != "tu":
            elements = _ALL_ELEMENTS
        problem = element_atom_problem(atom, elements)
        if problem is not None and atom.kind == "name":
            known = "any symbol" if elements is _ALL_ELEMENTS else ", ".join(elements)
            reason = (
                f"{atom} is not an element symbol, atom name (C0) or group name (elements: {known})"
            )
            close = difflib.get_close_matches(value, list(self.groups), n=3, cutoff=0.6)
            return reason, [*problem[1], *close][:3]
        return problem

    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        from symxai.domains.molecules.drawing import draw_molecule  # loads matplotlib

        return draw_molecule(
            explanation.metadata["molecule"],
            self.feature_relevance(explanation),
            path,
            size=(360, 270),
            legend=legend,
            hide_hydrogens=True,
            show_indices=False,
        )
