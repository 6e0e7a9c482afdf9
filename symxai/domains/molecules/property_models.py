"""The shipped molecular property models by name: ``esol-gnn`` (aqueous solubility,
log10 mol/L), ``bbb-gnn`` (blood-brain barrier permeability, one logit for BBB+) and
``planted-gnn`` (the planted property of :mod:`~symxai.domains.molecules.planted`).

Each is a :class:`~symxai.models.property_gnn.PropertyGNN` on PyG ``from_smiles``
features, so each declares the ``ogb`` featurizer (attribute ``featurizer``), its one
output as its default target (attribute ``default_target = None``) and its task name as
the output's name (``log_solubility``, ``bbb_permeable``, ``planted``): a SMILES string
given to :func:`~symxai.domains.molecules.explain_molecule` with such a model is
featurized as it was trained, and ``--model esol-gnn`` works from the command line.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PROPERTY_MODELS", "load_property_model"]

PROPERTY_MODELS: dict[str, str] = {
    "esol-gnn": "solubility regressor, log10 mol/L (output log_solubility)",
    "bbb-gnn": "blood-brain barrier classifier, logit of BBB+ (output bbb_permeable)",
    "planted-gnn": "planted-property regressor, 2 #hydroxyl - #aromatic_ring "
    "+ 1.5 [nitro and aromatic_amine] (output planted)",
}
"""The shipped molecular property models by name, with what they predict."""


def load_property_model(name: str) -> Any:
    """The shipped property model ``name`` of :data:`PROPERTY_MODELS` in eval mode,
    declaring the ``ogb`` featurizer and its one output as the default target
    (``KeyError`` naming the models for another name)."""
    if name not in PROPERTY_MODELS:
        raise KeyError(f"no property model {name!r}; shipped: {', '.join(PROPERTY_MODELS)}")
    if name == "planted-gnn":
        from symxai.domains.molecules.planted import load_planted_gnn

        model = load_planted_gnn().model
    else:
        from symxai.training import properties

        loader = {"esol-gnn": properties.load_solubility_gnn, "bbb-gnn": properties.load_bbb_gnn}
        model = loader[name]().model
    model.featurizer = "ogb"
    model.default_target = None
    return model.eval()
