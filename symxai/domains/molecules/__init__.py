"""Molecules: TU graphs and SMILES as RDKit molecules, PyG graphs and feature spaces.

* :mod:`~symxai.domains.molecules.molecule`: :class:`Molecule` (RDKit molecule, graph,
  atoms as features), the class indices and default GNN-LRP rules;
* :mod:`~symxai.domains.molecules.sources`: :func:`load_molecules` (Mutagenicity,
  MUTAG), :func:`molecule_from_tu`, :func:`molecule_from_smiles`,
  :func:`molecule_from_mol`;
* :mod:`~symxai.domains.molecules.featurizers`: :class:`Featurizer`,
  :func:`resolve_featurizer` (``tu``, ``ogb``, ``module:function``);
* :mod:`~symxai.domains.molecules.charges`: formal charges of TU graphs;
* :mod:`~symxai.domains.molecules.smarts`: SMARTS atoms of queries;
* :mod:`~symxai.domains.molecules.groups`: named functional groups (``group:nitro``),
  :func:`count_group`, :func:`load_groups`;
* :mod:`~symxai.domains.molecules.explain`: :func:`explain_molecule`,
  :func:`molecule_relevances`;
* :mod:`~symxai.domains.molecules.property_models`: the shipped property models by
  name (``esol-gnn``, ``bbb-gnn``, ``planted-gnn``), :func:`load_property_model`;
* :mod:`~symxai.domains.molecules.planted`: the planted property (target, data, model);
* :mod:`~symxai.domains.molecules.drawing`: :func:`draw_molecule`,
  :func:`plot_top_contributions` (loaded on first use: they need matplotlib).

The shipped classifier is :func:`load_mutagenicity_gin` (trained by
:mod:`symxai.training.mutagenicity`).
"""

from typing import Any

from symxai.domains.molecules.charges import ION_CHARGES, NEUTRAL_VALENCES, infer_formal_charges
from symxai.domains.molecules.explain import (
    MoleculeRelevances,
    explain_molecule,
    molecule_relevances,
    predict_targets,
)
from symxai.domains.molecules.featurizers import FEATURIZERS, Featurizer, resolve_featurizer
from symxai.domains.molecules.groups import (
    BUILTIN_GROUPS,
    GroupVocabulary,
    count_group,
    group_atoms,
    load_groups,
)
from symxai.domains.molecules.molecule import (
    DEFAULT_RULES,
    MUTAGEN,
    MUTAGENICITY_ELEMENTS,
    NONMUTAGEN,
    Molecule,
    MoleculeError,
)
from symxai.domains.molecules.property_models import PROPERTY_MODELS, load_property_model
from symxai.domains.molecules.smarts import compile_smarts
from symxai.domains.molecules.sources import (
    load_molecules,
    molecule_from_mol,
    molecule_from_smiles,
    molecule_from_tu,
)
from symxai.training.mutagenicity import TrainedModel, load_mutagenicity_gin

__all__ = [
    "BUILTIN_GROUPS",
    "DEFAULT_RULES",
    "FEATURIZERS",
    "ION_CHARGES",
    "MUTAGEN",
    "MUTAGENICITY_ELEMENTS",
    "NEUTRAL_VALENCES",
    "NONMUTAGEN",
    "PROPERTY_MODELS",
    "Featurizer",
    "GroupVocabulary",
    "Molecule",
    "MoleculeError",
    "MoleculeRelevances",
    "TrainedModel",
    "compile_smarts",
    "count_group",
    "draw_molecule",
    "explain_molecule",
    "group_atoms",
    "infer_formal_charges",
    "load_groups",
    "load_molecules",
    "load_mutagenicity_gin",
    "load_property_model",
    "molecule_from_mol",
    "molecule_from_smiles",
    "molecule_from_tu",
    "molecule_relevances",
    "plot_top_contributions",
    "predict_targets",
    "resolve_featurizer",
]

_DRAWING = ("draw_molecule", "plot_top_contributions")


def __getattr__(name: str) -> Any:
    """The drawing functions, imported on first use (they load matplotlib)."""
    if name in _DRAWING:
        from symxai.domains.molecules import drawing

        return getattr(drawing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
