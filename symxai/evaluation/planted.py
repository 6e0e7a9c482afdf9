"""Do query relevances recover a planted molecular property?

The planted regressor (:func:`~symxai.domains.molecules.planted.load_planted_gnn`) is
trained on :math:`y = 2\\,\\#\\mathrm{hydroxyl} - \\#\\mathrm{aromatic\\_ring} + 1.5\\,
[\\mathrm{nitro} \\wedge \\mathrm{aromatic\\_amine}]`. On its test molecules, each explained
by GNN-LRP on the regression output with the ``ogb`` featurizer (harsanyi relevance,
``missing="absent"``, batched by :func:`~symxai.domains.molecules.molecule_relevances`):

* ``hydroxyl_spearman``: Spearman's rank correlation between :math:`R(\\text{group:hydroxyl})`
  and the hydroxyl count over all test molecules (goal: at least 0.8);
* ``interaction_ratio``: the mean of :math:`R(\\text{group:nitro} \\,\\&\\,
  \\text{group:aromatic\\_amine})` over test molecules with both groups, divided by its
  mean over test molecules with exactly one of them (goal: at least 3). With
  ``missing="absent"`` a group that does not occur is an empty atom set, so the
  conjunction is false on every coalition of a one-group molecule and its relevance
  there is exactly 0: the ratio is then undefined (``None``), and
  ``interaction_mean_both`` (to compare with the planted 1.5) carries the information;
* ``nitro_mean_both``, ``aromatic_amine_mean_both``: the mean relevance of each group
  on the both-groups molecules (every dividend touching the group, the conjunction's
  included), and ``nitro_alone_mean_both``, ``aromatic_amine_alone_mean_both`` that of
  ``group:nitro & ~group:aromatic_amine`` and the converse (the group without the other),
  to show where the interaction term went;
* ``interaction_vs_alone_ratio``: ``interaction_mean_both`` over the larger of
  ``|nitro_alone_mean_both|`` and ``|aromatic_amine_alone_mean_both|``, on the same
  molecules: a defined figure for "the term shows up in the conjunction and not in either
  group alone" (``None`` where both alone means are 0).

``backend="perturbation"`` scores the same queries by removing atoms (the model re-run on
the kept atoms, :func:`~symxai.domains.molecules.explain_molecule`, one molecule at a
time). GNN-LRP splits the output along message-passing walks of at most
``num_layers + 1`` atoms, so a dividend is non-zero only on atom sets one walk can
cover: an interaction the model forms after pooling (its MLP head sees "a nitro group
somewhere" and "an aromatic amine somewhere") has no walk, and GNN-LRP puts no
relevance on the conjunction. Perturbation measures the head's interaction directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PLANTED_QUERIES", "PlantedCheck", "check_planted"]

PLANTED_QUERIES: dict[str, str] = {
    "hydroxyl": "group:hydroxyl",
    "interaction": "group:nitro & group:aromatic_amine",
    "nitro": "group:nitro",
    "aromatic_amine": "group:aromatic_amine",
    "nitro_alone": "group:nitro & ~group:aromatic_amine",
    "aromatic_amine_alone": "group:aromatic_amine & ~group:nitro",
    "aromatic_ring": "group:aromatic_ring",
}
"""The queries the check scores, by the term they stand for."""


@dataclass(frozen=True)
class PlantedCheck:
    """Relevances of :data:`PLANTED_QUERIES` on the planted model's test molecules and
    the figures computed from them (see the module docstring)."""

    smiles: list[str]
    relevance: dict[str, np.ndarray]
    terms: dict[str, np.ndarray]
    predictions: np.ndarray
    targets: np.ndarray

    def _mean(self, name: str, where: np.ndarray) -> float:
        values = self.relevance[name][where]
        values = values[~np.isnan(values)]
        return float(np.mean(values)) if len(values) else float("nan")

    @property
    def both(self) -> np.ndarray:
        """Molecules with a nitro group and an aromatic amine."""
        return self.terms["nitro"] & self.terms["aromatic_amine"]

    @property
    def exactly_one(self) -> np.ndarray:
        """Molecules with exactly one of the two groups."""
        return self.terms["nitro"] ^ self.terms["aromatic_amine"]

    def figures(self) -> dict[str, Any]:
        """The check's figures as a flat dict (JSON-friendly: an undefined ratio, whose
        one-group mean is 0, is ``None``; the Spearman correlation is computed where
        ``hydroxyl`` relevances were scored, and is ``None`` where the counts or the
        relevances there are constant)."""
        from scipy.stats import spearmanr

        both, one = self.both, self.exactly_one
        mean_both = self._mean("interaction", both)
        mean_one = self._mean("interaction", one)
        ratio = mean_both / mean_one if mean_one != 0 else None
        alone = max(
            abs(self._mean("nitro_alone", both)), abs(self._mean("aromatic_amine_alone", both))
        )
        versus_alone = mean_both / alone if alone > 0 else None
        scored = ~np.isnan(self.relevance["hydroxyl"])
        relevance, count = self.relevance["hydroxyl"][scored], self.terms["hydroxyl"][scored]
        varies = len(np.unique(relevance)) > 1 and len(np.unique(count)) > 1
        rho = float(spearmanr(relevance, count).statistic) if varies else None
        return {
            "hydroxyl_spearman": rho,
            "interaction_ratio": ratio,
            "interaction_vs_alone_ratio": versus_alone,
            "interaction_mean_both": mean_both,
            "interaction_mean_one": mean_one,
            "nitro_mean_both": self._mean("nitro", both),
            "aromatic_amine_mean_both": self._mean("aromatic_amine", both),
            "nitro_alone_mean_both": self._mean("nitro_alone", both),
            "aromatic_amine_alone_mean_both": self._mean("aromatic_amine_alone", both),
            "test_rmse": float(np.sqrt(np.nanmean((self.predictions - self.targets) ** 2))),
            "molecules": len(self.smiles),
            "molecules_both": int(both.sum()),
            "molecules_one": int(one.sum()),
        }


def check_planted(
    smiles: list[str] | None = None, model: Any = None, backend: str = "gnn-lrp"
) -> PlantedCheck:
    """Score :data:`PLANTED_QUERIES` on ``smiles`` (default: the planted data's test
    split) with ``model`` (default: the shipped planted regressor) on its one output.

    ``backend="gnn-lrp"`` scores every molecule in a few batched passes
    (:func:`~symxai.domains.molecules.molecule_relevances`); ``"perturbation"`` explains
    only the molecules with a nitro group or an aromatic amine, one at a time (the
    others' rows are NaN: the interaction figures need only these)."""
    from rdkit import Chem

    from symxai.domains.molecules.explain import explain_molecule, molecule_relevances
    from symxai.domains.molecules.planted import (
        load_planted,
        load_planted_gnn,
        planted_target,
        planted_terms,
    )
    from symxai.domains.molecules.sources import molecule_from_smiles
    from symxai.query import parse_query

    if backend not in ("gnn-lrp", "perturbation"):
        raise ValueError(f"backend must be 'gnn-lrp' or 'perturbation', got {backend!r}")
    if smiles is None:
        data = load_planted()
        smiles = [data.smiles[i] for i in data.split["test"]]
    if model is None:
        model = load_planted_gnn().model
    terms = [planted_terms(Chem.MolFromSmiles(text)) for text in smiles]
    molecules = [molecule_from_smiles(text, featurizer="ogb") for text in smiles]
    if backend == "gnn-lrp":
        queries = [parse_query(text) for text in PLANTED_QUERIES.values()]
        batch = molecule_relevances(molecules, queries, model, target=None, missing="absent")
        if batch.errors:
            raise RuntimeError(f"planted check failed on molecules: {batch.errors}")
        relevance, predictions = batch.relevance, np.asarray(batch.prediction)
    else:
        relevance = np.full((len(smiles), len(PLANTED_QUERIES)), np.nan)
        predictions = np.full(len(smiles), np.nan)
        for row, (molecule, term) in enumerate(zip(molecules, terms, strict=True)):
            if not (term["nitro"] or term["aromatic_amine"]):
                continue
            explanation = explain_molecule(molecule, model, target=None, backend=backend)
            relevance[row] = explanation.relevances(
                list(PLANTED_QUERIES.values()), missing="absent"
            )
            predictions[row] = explanation.prediction
    return PlantedCheck(
        smiles=list(smiles),
        relevance={name: relevance[:, k] for k, name in enumerate(PLANTED_QUERIES)},
        terms={key: np.array([t[key] for t in terms]) for key in terms[0]},
        predictions=predictions,
        targets=np.array([planted_target(text) for text in smiles]),
    )
