"""Mutagenicity: a GIN trained on the TU Mutagenicity molecules, and molecule explanations.

The classifier is :class:`symxai.models.GIN` (3 GINConv layers, hidden 64, sum pooling,
linear head) on one-hot element features, trained by :func:`train_mutagenicity_gin`
(``examples/train_mutagenicity_gin.py`` runs it; about a minute on 2 CPU cores). The
weights that ship in ``symxai/data/models`` were produced by that script; they are a
state_dict loaded with ``weights_only=True``. Class 0 is *mutagen*, class 1 *nonmutagen*.

:func:`explain_molecule` explains one molecule with GNN-LRP: the default target is the
logit difference ``f_mutagen - f_nonmutagen`` and the default rules are LRP-gamma
(``gamma = 0.5``) in the message-passing layers and LRP-0 in the head, the setting that
recovers the NO2/NH2 ground truth best (``benchmarks/gnn_lrp.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from symxai.api import explain
from symxai.backends.gnn_lrp import subgraph_relevance_many
from symxai.backends.graph_perturbation import Perturbation
from symxai.backends.lrp import RuleSpec
from symxai.cache import cache_dir, find_weights, load_state, save_weights
from symxai.domains.molecules import (
    DEFAULT_RULES,
    MUTAGEN,
    MUTAGENICITY_ELEMENTS,
    NONMUTAGEN,
    Molecule,
    load_molecules,
    molecule_from_smiles,
)
from symxai.errors import SymxaiError
from symxai.explanation import Explanation
from symxai.models import GIN
from symxai.query.ast import Atom, Query
from symxai.relevance import RelevancePlan

__all__ = [
    "DEFAULT_RULES",
    "MUTAGEN",
    "MoleculeRelevances",
    "TrainedModel",
    "explain_molecule",
    "load_mutagenicity_gin",
    "molecule_relevances",
    "mutagenicity_split",
    "train_mutagenicity_gin",
]

WEIGHTS_NAME = "mutagenicity_gin"


@dataclass
class TrainedModel:
    """A trained model with its configuration and metrics (accuracies per split)."""

    model: GIN
    metrics: dict[str, Any] = field(default_factory=dict)


def mutagenicity_split(count: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Fixed 80/10/10 train/validation/test indices of ``count`` molecules."""
    order = np.random.default_rng(seed).permutation(count)
    train_end, val_end = int(0.8 * count), int(0.9 * count)
    return {"train": order[:train_end], "val": order[train_end:val_end], "test": order[val_end:]}


def _accuracy(model: GIN, data: Sequence[Any]) -> float:
    from torch_geometric.loader import DataLoader

    model.eval()
    correct = 0
    with torch.no_grad():
        for batch in DataLoader(list(data), batch_size=512):
            correct += int(
                (model(batch.x, batch.edge_index, batch.batch).argmax(1) == batch.y).sum()
            )
    return correct / max(1, len(data))


def train_mutagenicity_gin(
    *,
    epochs: int = 50,
    hidden: int = 64,
    num_layers: int = 3,
    learning_rate: float = 3e-3,
    batch_size: int = 64,
    seed: int = 0,
    progress: Callable[[int, float, float], None] | None = None,
) -> TrainedModel:
    """Train a GIN on Mutagenicity; keep the epoch with the best validation accuracy.

    ``progress(epoch, train_loss, val_accuracy)`` is called after every epoch.
    """
    from torch_geometric.loader import DataLoader

    molecules = load_molecules("Mutagenicity")
    data = [molecule.to_data() for molecule in molecules]
    split = mutagenicity_split(len(data), seed)
    torch.manual_seed(seed)
    model = GIN(len(MUTAGENICITY_ELEMENTS), hidden, num_layers, 2)
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    loader = DataLoader(
        [data[i] for i in split["train"]],
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    validation = [data[i] for i in split["val"]]
    best_accuracy, best_state = -1.0, model.state_dict()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for batch in loader:
            optimiser.zero_grad()
            logits = model(batch.x, batch.edge_index, batch.batch)
            loss = torch.nn.functional.cross_entropy(logits, batch.y)
            loss.backward()
            optimiser.step()
            total += loss.item() * batch.num_graphs
        accuracy = _accuracy(model, validation)
        if accuracy > best_accuracy:
            best_accuracy = accuracy
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if progress is not None:
            progress(epoch, total / len(split["train"]), accuracy)
    model.load_state_dict(best_state)
    model.eval()
    metrics = {
        "config": model.config,
        "epochs": epochs,
        "seed": seed,
        **{
            f"{name}_accuracy": _accuracy(model, [data[i] for i in idx])
            for name, idx in split.items()
        },
    }
    return TrainedModel(model, metrics)


def save_trained(trained: TrainedModel, folder: Path) -> Path:
    """Write ``mutagenicity_gin.pt`` (state_dict) and ``mutagenicity_gin.json`` to ``folder``."""
    return save_weights(trained.model, trained.metrics, folder, WEIGHTS_NAME)


def load_mutagenicity_gin(*, train_if_missing: bool = True) -> TrainedModel:
    """The Mutagenicity GIN: the shipped weights, else the cached ones, else trained now
    (and cached). Weights are loaded with ``weights_only=True``."""
    found = find_weights(WEIGHTS_NAME)
    if found is not None:
        weights, info = found
        return TrainedModel(load_state(GIN(**info["config"]), weights), info)
    if not train_if_missing:
        raise FileNotFoundError(
            "no Mutagenicity GIN weights found; run examples/train_mutagenicity_gin.py"
        )
    trained = train_mutagenicity_gin()
    save_trained(trained, cache_dir("models"))
    return trained


def explain_molecule(
    molecule: Molecule | str,
    model: torch.nn.Module | None = None,
    *,
    target: Any = None,
    rules: RuleSpec = None,
    batch_size: int | None = None,
    missing: str = "error",
    backend: str = "gnn-lrp",
    perturbation: Perturbation = "remove",
) -> Explanation:
    """GNN-LRP explanation of a molecule (a :class:`Molecule` or a SMILES string):
    ``symxai.explain(model, molecule)`` with the shipped Mutagenicity GIN as the default
    model.

    The features are the atoms (``C0 .. N7 O8 .. H12``), element names and ``element:X``
    resolve to all atoms of an element, and ``smarts"..."`` atoms to substructure matches.
    ``target`` and ``rules`` default to the molecule's
    (:meth:`~symxai.domains.molecules.Molecule.backend_options`: the logit difference
    mutagen - non-mutagen, :data:`DEFAULT_RULES`). ``explanation.walks()`` and
    ``explanation.feature_relevance()`` give the walks and the atom relevance,
    ``explanation.metadata["molecule"]`` the molecule. ``batch_size`` (molecule copies per
    pass) defaults to a memory-based choice (:func:`~symxai.backends.gnn_lrp.copies_per_pass`).

    ``backend="perturbation"`` explains the same output by perturbation instead
    (:class:`~symxai.backends.graph_perturbation.GraphPerturbationBackend`): the atoms
    outside a coalition are removed with their bonds (``perturbation="remove"``) or get
    all-zero features (``"baseline"``); ``metadata["perturbation"]`` names the choice.
    """
    if backend not in ("gnn-lrp", "perturbation"):
        raise ValueError(
            f"unknown backend {backend!r} for molecules: use 'gnn-lrp' or 'perturbation'"
        )
    if isinstance(molecule, str):
        molecule = molecule_from_smiles(molecule)
    if model is None:
        model = load_mutagenicity_gin().model
    given = {"target": target, "rules": rules}
    if backend == "perturbation":
        given = {"target": target, "perturbation": perturbation}
        batch_size = None
    overrides = {key: value for key, value in given.items() if value is not None}
    explanation = explain(
        model, molecule, backend, batch_size=batch_size, missing=missing, **overrides
    )
    explanation.metadata["molecule"] = molecule
    return explanation


@dataclass
class MoleculeRelevances:
    """Harsanyi relevance of the same queries on many molecules.

    ``relevance[i, j]`` is ``R(q_j)`` on molecule ``i`` (NaN where the molecule failed),
    ``prediction[i]`` the explained output ``f(x)`` at the target, ``errors`` maps the
    position of every molecule that could not be explained to the reason.
    """

    relevance: np.ndarray
    prediction: np.ndarray
    errors: dict[int, str]


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
    cannot take is recorded in ``errors`` and does not stop the others.
    """
    if model is None:
        model = load_mutagenicity_gin().model
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
    return MoleculeRelevances(relevance, prediction, errors)


def predict_targets(
    model: torch.nn.Module, graphs: Sequence[Any], target: Any, batch_size: int = 1024
) -> np.ndarray:
    """The model output at ``target`` for every graph (plain forward, batches of graphs)."""
    from torch_geometric.data import Batch, Data

    from symxai.backends.target import select_target

    out = []
    model.eval()
    with torch.no_grad():
        for start in range(0, len(graphs), batch_size):
            batch = Batch.from_data_list(
                [Data(x=g.x, edge_index=g.edge_index) for g in graphs[start : start + batch_size]]
            )
            out.append(select_target(model(batch.x, batch.edge_index, batch.batch), target))
    return torch.cat(out).double().numpy() if out else np.empty(0)
