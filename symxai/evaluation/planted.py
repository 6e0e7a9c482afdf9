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
  there is exactly 0: the ratio is then infinite whenever the both-groups mean is
  positive, and ``interaction_mean_both`` (to compare with the planted 1.5) carries the
  information;
* ``nitro_mean_both``, ``aromatic_amine_mean_both``: the mean relevance of each group
  alone on the both-groups molecules, to show where the interaction term went.
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
        return float(np.mean(self.relevance[name][where])) if where.any() else float("nan")

    @property
    def both(self) -> np.ndarray:
        """Molecules with a nitro group and an aromatic amine."""
        return self.terms["nitro"] & self.terms["aromatic_amine"]

    @property
    def exactly_one(self) -> np.ndarray:
        """Molecules with exactly one of the two groups."""
        return self.terms["nitro"] ^ self.terms["aromatic_amine"]

    def figures(self) -> dict[str, Any]:
        """The check's figures as a flat dict (JSON-friendly; an infinite ratio is
        ``inf``)."""
        from scipy.stats import spearmanr

        both, one = self.both, self.exactly_one
        mean_both = self._mean("interaction", both)
        mean_one = self._mean("interaction", one)
        ratio = mean_both / mean_one if mean_one != 0 else float(np.sign(mean_both) * np.inf)
        rho = spearmanr(self.relevance["hydroxyl"], self.terms["hydroxyl"]).statistic
        return {
            "hydroxyl_spearman": float(rho),
            "interaction_ratio": float(ratio),
            "interaction_mean_both": mean_both,
            "interaction_mean_one": mean_one,
            "nitro_mean_both": self._mean("nitro", both),
            "aromatic_amine_mean_both": self._mean("aromatic_amine", both),
            "test_rmse": float(np.sqrt(np.mean((self.predictions - self.targets) ** 2))),
            "molecules": len(self.smiles),
            "molecules_both": int(both.sum()),
            "molecules_one": int(one.sum()),
        }


def check_planted(smiles: list[str] | None = None, model: Any = None) -> PlantedCheck:
    """Score :data:`PLANTED_QUERIES` on ``smiles`` (default: the planted data's test
    split) with ``model`` (default: the shipped planted regressor)."""
    from rdkit import Chem

    from symxai.domains.molecules.explain import molecule_relevances
    from symxai.domains.molecules.planted import (
        load_planted,
        load_planted_gnn,
        planted_target,
        planted_terms,
    )
    from symxai.domains.molecules.sources import molecule_from_smiles
    from symxai.query import parse_query

    if smiles is None:
        data = load_planted()
        smiles = [data.smiles[i] for i in data.split["test"]]
    if model is None:
        model = load_planted_gnn().model
    molecules = [molecule_from_smiles(text, featurizer="ogb") for text in smiles]
    queries = [parse_query(text) for text in PLANTED_QUERIES.values()]
    batch = molecule_relevances(molecules, queries, model, target=None, missing="absent")
    if batch.errors:
        raise RuntimeError(f"planted check failed on molecules: {batch.errors}")
    terms = [planted_terms(Chem.MolFromSmiles(text)) for text in smiles]
    return PlantedCheck(
        smiles=list(smiles),
        relevance={name: batch.relevance[:, k] for k, name in enumerate(PLANTED_QUERIES)},
        terms={key: np.array([t[key] for t in terms]) for key in terms[0]},
        predictions=np.asarray(batch.prediction),
        targets=np.array([planted_target(text) for text in smiles]),
    )
