"""A planted molecular property: a target computed by RDKit from named functional groups,
on real molecules, and the :class:`~symxai.models.property_gnn.PropertyGNN` trained on it.

The planted target of a molecule :math:`m` is

.. math::  y(m) = 2\\,\\#\\mathrm{hydroxyl}(m) - 1\\,\\#\\mathrm{aromatic\\_ring}(m)
           + 1.5\\,[\\mathrm{nitro} \\in m \\wedge \\mathrm{aromatic\\_amine} \\in m],

with the counts of :func:`~symxai.domains.molecules.groups.count_group` (hydroxyl O-H
groups; aromatic 5- and 6-rings of the SSSR) and the last term 1.5 when the molecule has
at least one nitro group *and* at least one aromatic amine, else 0 (:data:`PLANTED_TERMS`).
The first two terms are additive in groups; the third is a pure interaction of two groups
that may sit far apart in the molecule, so an explanation that recovers it must give it to
the conjunction ``group:nitro & group:aromatic_amine``, not to either group alone.

The molecules (:func:`load_planted`) are the distinct canonical SMILES of B3DB, the
solubility set and the Mutagenicity SMILES (12,630 molecules), in that order: every
molecule with a nitro group or an aromatic amine (156 with both, 686 with a nitro group
only, 1,792 with an aromatic amine only) and a seeded sample of
:data:`OTHER_MOLECULES` of the rest, with the seeded 80/10/10
:func:`~symxai.data.properties.random_split`. :func:`load_planted_gnn` returns the shipped
regressor (``symxai/data/models/planted_gnn.pt``, trained by ``examples/train_planted.py``
with the generic :func:`~symxai.training.properties.train_property_model`), else a cached
one, else trains it now; it declares the ``ogb`` featurizer.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from rdkit import Chem, RDLogger

from symxai.data.properties import PropertyData, load_b3db, load_solubility, random_split
from symxai.domains.molecules.groups import BUILTIN_GROUPS, GroupVocabulary, count_group
from symxai.domains.molecules.sources import load_molecules
from symxai.training.properties import train_property_model
from symxai.training.store import Trained, load_or_train

__all__ = [
    "INTERACTION",
    "OTHER_MOLECULES",
    "PLANTED_SETTINGS",
    "PLANTED_TERMS",
    "PLANTED_WEIGHTS_NAME",
    "load_planted",
    "load_planted_gnn",
    "planted_target",
    "planted_terms",
    "train_planted_gnn",
]

PLANTED_WEIGHTS_NAME = "planted_gnn"

PLANTED_TERMS: dict[str, float] = {"hydroxyl": 2.0, "aromatic_ring": -1.0}
"""Weight of each counted group in the planted target."""

INTERACTION: tuple[str, str, float] = ("nitro", "aromatic_amine", 1.5)
"""The two groups whose joint presence adds the last weight to the planted target."""

OTHER_MOLECULES = 1500
"""How many molecules with neither a nitro group nor an aromatic amine are sampled."""

PLANTED_SETTINGS: dict[str, Any] = {
    "hidden": 64,
    "learning_rate": 3e-3,
    "batch_size": 64,
    "epochs": 40,
    "patience": 10,
}
"""Hyper-parameters of the shipped planted regressor (a short run: the target is exact)."""


def planted_terms(mol: Chem.Mol, vocabulary: GroupVocabulary = BUILTIN_GROUPS) -> dict[str, Any]:
    """The ingredients of the planted target of ``mol``: the count of each group of
    :data:`PLANTED_TERMS`, whether each group of :data:`INTERACTION` occurs, and
    ``interaction`` (both occur)."""
    first, second, _ = INTERACTION
    terms: dict[str, Any] = {name: count_group(mol, name, vocabulary) for name in PLANTED_TERMS}
    terms[first] = count_group(mol, first, vocabulary) > 0
    terms[second] = count_group(mol, second, vocabulary) > 0
    terms["interaction"] = terms[first] and terms[second]
    return terms


def planted_target(mol: Chem.Mol | str) -> float:
    """``y = 2 #hydroxyl - #aromatic_ring + 1.5 [nitro and aromatic_amine]`` of ``mol``
    (an RDKit molecule or SMILES)."""
    if isinstance(mol, str):
        parsed = Chem.MolFromSmiles(mol)
        if parsed is None:
            raise ValueError(f"RDKit cannot parse the SMILES {mol!r}")
        mol = parsed
    terms = planted_terms(mol)
    value = sum(weight * terms[name] for name, weight in PLANTED_TERMS.items())
    return float(value + INTERACTION[2] * terms["interaction"])


@functools.cache
def _candidates() -> tuple[tuple[str, ...], tuple[dict[str, Any], ...]]:
    """Distinct canonical SMILES of B3DB, solubility and Mutagenicity, with their terms."""
    RDLogger.DisableLog("rdApp.*")
    sources = [
        *load_b3db().smiles,
        *load_solubility().smiles,
        *(molecule.smiles for molecule in load_molecules("Mutagenicity")),
    ]
    seen: dict[str, dict[str, Any]] = {}
    for text in sources:
        mol = Chem.MolFromSmiles(text)
        if mol is None:
            continue
        canonical = Chem.MolToSmiles(mol)
        if canonical not in seen:
            seen[canonical] = planted_terms(mol)
    return tuple(seen), tuple(seen.values())


def load_planted(seed: int = 0) -> PropertyData:
    """The planted-target molecules (see the module docstring), ``targets`` the planted
    value, ``extra`` the terms of each molecule (``hydroxyl``, ``aromatic_ring`` counts,
    ``nitro``, ``aromatic_amine``, ``interaction`` as ``"0"``/``"1"`` strings)."""
    smiles, terms = _candidates()
    first, second, _ = INTERACTION
    flagged = [i for i, t in enumerate(terms) if t[first] or t[second]]
    rest = [i for i, t in enumerate(terms) if not (t[first] or t[second])]
    sample = np.random.default_rng(seed).choice(len(rest), OTHER_MOLECULES, replace=False)
    chosen = sorted(flagged + [rest[i] for i in sample])
    keys = [*PLANTED_TERMS, first, second, "interaction"]
    chosen_smiles = [smiles[i] for i in chosen]
    return PropertyData(
        name="planted",
        smiles=chosen_smiles,
        targets=np.array([planted_target(text) for text in chosen_smiles]),
        names=["" for _ in chosen],
        split=random_split(len(chosen), seed),
        task="regression",
        task_name="planted",
        extra={key: [str(int(terms[i][key])) for i in chosen] for key in keys},
    )


def train_planted_gnn(*, seed: int = 0, **overrides: Any) -> Trained[Any]:
    """The planted regressor: :data:`PLANTED_SETTINGS`, updated by ``overrides``."""
    trained = train_property_model(
        load_planted(seed), seed=seed, **{**PLANTED_SETTINGS, **overrides}
    )
    trained.metrics["planted_target"] = (
        "2 * #hydroxyl - 1 * #aromatic_ring + 1.5 * [nitro and aromatic_amine]"
    )
    return trained


def load_planted_gnn(*, train_if_missing: bool = True) -> Trained[Any]:
    """The planted regressor (declares the ``ogb`` featurizer): shipped, else cached,
    else trained."""
    from symxai.models.property_gnn import PropertyGNN

    trained = load_or_train(
        PLANTED_WEIGHTS_NAME,
        lambda metrics: PropertyGNN(**metrics["config"]),
        train_planted_gnn,
        train_if_missing=train_if_missing,
        missing="no planted GNN weights found; run examples/train_planted.py",
    )
    trained.model.featurizer = "ogb"
    return trained
