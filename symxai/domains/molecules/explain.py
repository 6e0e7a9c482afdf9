"""Explanations of molecules: one molecule at a time, or the same queries on many.

:func:`explain_molecule` explains one molecule with GNN-LRP: the default model is the
shipped Mutagenicity GIN (:func:`~symxai.training.mutagenicity.load_mutagenicity_gin`),
the default target the logit difference ``f_mutagen - f_nonmutagen`` and the default
rules LRP-gamma (``gamma = 0.5``) in the message-passing layers and LRP-0 in the head,
the setting that recovers the NO2/NH2 ground truth best (``benchmarks/gnn_lrp.py``).
:func:`molecule_relevances` scores queries on a whole data set in a few batched passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from symxai.api import explain
from symxai.backends.gnn_lrp import subgraph_relevance_many
from symxai.backends.graph_perturbation import Perturbation
from symxai.backends.lrp import RuleSpec
from symxai.backends.target import output_names_of, resolve_target, select_target
from symxai.domains.molecules.featurizers import Featurizer, model_featurizer, resolve_featurizer
from symxai.domains.molecules.molecule import DEFAULT_RULES, MUTAGEN, NONMUTAGEN, Molecule
from symxai.domains.molecules.sources import molecule_from_smiles
from symxai.domains.registry import BatchRelevances
from symxai.errors import SymxaiError
from symxai.explanation import Explanation
from symxai.query.ast import Atom, Query
from symxai.relevance import RelevancePlan
from symxai.training.mutagenicity import load_mutagenicity_gin

__all__ = [
    "DEFAULT_TARGET",
    "MoleculeRelevances",
    "explain_molecule",
    "molecule_relevances",
    "predict_targets",
]


class _DefaultTarget:
    """The marker of a ``target`` left out (``None`` is a target: a regressor's output)."""

    def __repr__(self) -> str:
        return "DEFAULT_TARGET"


DEFAULT_TARGET: Any = _DefaultTarget()
"""``explain_molecule``'s ``target`` when none is given: the model's or the molecule's
default (docs/targets.md); ``target=None`` is the one output of a regressor."""


def explain_molecule(
    molecule: Molecule | str,
    model: torch.nn.Module | None = None,
    *,
    target: Any = DEFAULT_TARGET,
    rules: RuleSpec = None,
    batch_size: int | None = None,
    missing: str = "error",
    backend: str = "gnn-lrp",
    perturbation: Perturbation = "remove",
    featurizer: Featurizer | str | Callable[[Any], Any] | None = None,
) -> Explanation:
    """GNN-LRP explanation of a molecule (a :class:`Molecule` or a SMILES string):
    ``symxai.explain(model, molecule)`` with the shipped Mutagenicity GIN as the default
    model.

    The features are the atoms (``C0 .. N7 O8 .. H12``), element names and ``element:X``
    resolve to all atoms of an element, and ``smarts"..."`` atoms to substructure matches.
    ``target`` and ``rules`` default to the model's and the molecule's
    (:meth:`~symxai.domains.molecules.Molecule.backend_options`: the logit difference
    mutagen - non-mutagen, :data:`DEFAULT_RULES`); ``target=None`` explains the one
    output of a regressor, a string an output the model names (docs/targets.md).
    ``explanation.walks()`` and ``explanation.feature_relevance()`` give the walks and
    the atom relevance,
    ``explanation.metadata["molecule"]`` the molecule. ``batch_size`` (molecule copies per
    pass) defaults to a memory-based choice (:func:`~symxai.backends.gnn_lrp.copies_per_pass`).

    ``backend="perturbation"`` explains the same output by perturbation instead
    (:class:`~symxai.backends.graph_perturbation.GraphPerturbationBackend`): the atoms
    outside a coalition are removed with their bonds (``perturbation="remove"``) or get
    all-zero features (``"baseline"``); ``metadata["perturbation"]`` names the choice.

    ``featurizer`` (:mod:`~symxai.domains.molecules.featurizers`: ``"tu"``, ``"ogb"``,
    ``"module:function"`` or a callable) builds the model's graph; by default the one
    the model declares (an attribute ``featurizer``), else the molecule's own. A SMILES
    string gets the featurizer's hydrogens; a :class:`Molecule` keeps its atoms.
    """
    if backend not in ("gnn-lrp", "perturbation"):
        raise ValueError(
            f"unknown backend {backend!r} for molecules: use 'gnn-lrp' or 'perturbation'"
        )
    if model is None:
        model = load_mutagenicity_gin().model
    chosen = resolve_featurizer(featurizer) if featurizer is not None else model_featurizer(model)
    if isinstance(molecule, str):
        molecule = molecule_from_smiles(molecule, featurizer=chosen)
    elif chosen is not None:
        molecule = molecule.with_featurizer(chosen)
    given = {"rules": rules}
    if backend == "perturbation":
        given = {"perturbation": perturbation}
        batch_size = None
    overrides = {key: value for key, value in given.items() if value is not None}
    if target is not DEFAULT_TARGET:
        overrides["target"] = target
    explanation = explain(
        model, molecule, backend, batch_size=batch_size, missing=missing, **overrides
    )
    explanation.metadata["molecule"] = molecule
    return explanation


MoleculeRelevances = BatchRelevances
"""Harsanyi relevance of the same queries on many molecules: the registry's
:class:`~symxai.domains.registry.BatchRelevances` (rows are molecules)."""


def molecule_relevances(
    molecules: Sequence[Molecule],
    queries: Sequence[Query],
    model: torch.nn.Module | None = None,
    *,
    target: Any = (MUTAGEN, NONMUTAGEN),
    rules: RuleSpec = DEFAULT_RULES,
    missing: str = "absent",
    max_nodes: int = 60_000,
) -> MoleculeRelevances:
    """GNN-LRP harsanyi relevance ``R(q)`` of every query on every molecule, batched.

    For each molecule the closed form (docs/mathematics.md, section 3) needs the
    ``2^k`` coalitions ``N \\ ∪_{i∉B} A_i`` of each query
    (:class:`~symxai.relevance.RelevancePlan`);
    the distinct coalitions of all molecules are evaluated together by
    :func:`~symxai.backends.gnn_lrp.subgraph_relevance_many` (a few dozen passes for
    the whole Mutagenicity data set) and each molecule's values are turned into its
    relevances. Equal to ``explain_molecule(m, model).relevances(queries)`` row by row.
    A molecule whose atoms cannot be resolved (``missing="error"``) or that the model
    cannot take is recorded in ``errors`` and does not stop the others. ``target`` may
    name an output the model declares (``"logS"``, ``"task_2"``; docs/targets.md).
    """
    if model is None:
        model = load_mutagenicity_gin().model
    target = resolve_target(target, output_names_of(model))
    graphs, coalitions, inverses, plans, kept = [], [], [], [], []
    errors: dict[int, str] = {}
    for position, molecule in enumerate(molecules):
        try:
            data = molecule.to_data()
            space = molecule.feature_space()
            atom_sets: dict[Atom, np.ndarray] = {}
            for query in queries:
                for atom in query.atoms():
                    if atom not in atom_sets:
                        atom_sets[atom] = space.resolve(atom, missing=missing)
            plan = RelevancePlan.build(queries, atom_sets, molecule.num_atoms)
        except (SymxaiError, ValueError) as error:
            errors[position] = f"{type(error).__name__}: {error}"
            continue
        unique, inverse = np.unique(plan.masks, axis=0, return_inverse=True)
        graphs.append(data)
        coalitions.append(unique)
        inverses.append(inverse.reshape(-1))
        plans.append(plan)
        kept.append(position)
    relevance = np.full((len(molecules), len(queries)), np.nan)
    prediction = np.full(len(molecules), np.nan)
    if kept:
        values = subgraph_relevance_many(
            model, graphs, coalitions, target=target, rules=rules, max_nodes=max_nodes
        )
        for position, plan, value, inverse in zip(kept, plans, values, inverses, strict=True):
            relevance[position] = plan.relevances(value[inverse])
        prediction[kept] = predict_targets(model, graphs, target)
    return BatchRelevances(relevance, prediction, errors)


def predict_targets(
    model: torch.nn.Module, graphs: Sequence[Any], target: Any, batch_size: int = 1024
) -> np.ndarray:
    """The model output at ``target`` for every graph (plain forward, batches of graphs;
    edge features ``edge_attr`` go with their edges)."""
    from torch_geometric.data import Batch, Data

    from symxai.backends.gnn_lrp import ModelCall

    def plain(graph: Any) -> Data:
        data = Data(x=graph.x, edge_index=graph.edge_index)
        if getattr(graph, "edge_attr", None) is not None:
            data.edge_attr = graph.edge_attr
        return data

    out = []
    model.eval()
    call = ModelCall(model)
    with torch.no_grad():
        for start in range(0, len(graphs), batch_size):
            batch = Batch.from_data_list([plain(g) for g in graphs[start : start + batch_size]])
            out.append(select_target(call(batch), target))
    return torch.cat(out).double().numpy() if out else np.empty(0)
