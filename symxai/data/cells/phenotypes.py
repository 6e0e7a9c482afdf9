"""The phenotype vocabulary of the LUAD imaging mass cytometry cohort (Sorin et al.,
Nature 2023), its identifier aliases and lineage groups.

The 17 names are the 16 labelled phenotypes plus ``NONE`` (cells the gating left
unlabelled), in the cohort's alphabetical order; a cell's one-hot feature is its index
in :data:`LUAD_PHENOTYPES`. Names with a space or a hyphen have identifier aliases
(``B_cell``, ``Non_Cl_Mo``) so that they can be written as bare atoms in a query.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from symxai.data.cells.errors import CellDataError

__all__ = [
    "LINEAGES",
    "LUAD_PHENOTYPES",
    "PHENOTYPE_ALIASES",
    "expand_phenotypes",
    "resolve_phenotype",
]

LUAD_PHENOTYPES: tuple[str, ...] = (
    "Alt MAC",
    "B cell",
    "Cancer",
    "Cl MAC",
    "Cl Mo",
    "DCs cell",
    "Endothelial cell",
    "Int Mo",
    "Mast cell",
    "NK cell",
    "NONE",
    "Neutrophils",
    "Non-Cl Mo",
    "T other",
    "Tc",
    "Th",
    "Treg",
)
"""Alternatively activated (M2-like) macrophages, B cells, cancer (tumour) cells,
classically activated (M1-like) macrophages, classical monocytes, dendritic cells,
endothelial cells, intermediate monocytes, mast cells, natural killer cells, unlabelled
cells, neutrophils, non-classical monocytes, other T cells, cytotoxic (CD8+) T cells,
helper (CD4+) T cells, regulatory T cells."""


def _identifier(name: str) -> str:
    """``name`` with every run of spaces and hyphens replaced by one underscore."""
    return re.sub(r"[\s\-]+", "_", name)


PHENOTYPE_ALIASES: dict[str, str] = {
    **{_identifier(name): name for name in LUAD_PHENOTYPES if _identifier(name) != name},
    "DCs": "DCs cell",
    "Endothelial": "Endothelial cell",
    "NK": "NK cell",
    "Mast": "Mast cell",
    "Neutrophil": "Neutrophils",
    "Tumour": "Cancer",
    "Tumor": "Cancer",
    "Cancer_cell": "Cancer",
}
"""Identifier forms of the names: every name with spaces or hyphens written with
underscores (``Alt_MAC``, ``B_cell``, ``Cl_MAC``, ``Cl_Mo``, ``DCs_cell``,
``Endothelial_cell``, ``Int_Mo``, ``Mast_cell``, ``NK_cell``, ``Non_Cl_Mo``,
``T_other``), short forms (``DCs``, ``Endothelial``, ``NK``, ``Mast``, ``Neutrophil``)
and ``Tumour``/``Tumor``/``Cancer_cell`` for ``Cancer``."""

_T_CELLS = ("Tc", "Th", "Treg", "T other")
_MACROPHAGES = ("Alt MAC", "Cl MAC")
_MONOCYTES = ("Cl Mo", "Int Mo", "Non-Cl Mo")
_MYELOID = (*_MACROPHAGES, *_MONOCYTES, "DCs cell", "Neutrophils", "Mast cell")
_LYMPHOID = (*_T_CELLS, "B cell", "NK cell")

LINEAGES: dict[str, tuple[str, ...]] = {
    # T lymphocytes: cytotoxic, helper, regulatory and the remaining CD3+ cells.
    "T_cells": _T_CELLS,
    # Tissue macrophages, both polarisations (classical M1-like, alternative M2-like).
    "Macrophages": _MACROPHAGES,
    # Monocytes: classical, intermediate and non-classical.
    "Monocytes": _MONOCYTES,
    # Myeloid lineage: macrophages, monocytes, dendritic cells, neutrophils, mast cells.
    "Myeloid": _MYELOID,
    # Lymphoid lineage: T cells, B cells and natural killer cells.
    "Lymphoid": _LYMPHOID,
    # All immune cells: the myeloid and the lymphoid lineage.
    "Immune": (*_MYELOID, *_LYMPHOID),
}
"""Lineage group -> its phenotypes (each a member of :data:`LUAD_PHENOTYPES`):
``T_cells`` (Tc, Th, Treg, T other), ``Macrophages`` (Alt MAC, Cl MAC), ``Monocytes``
(Cl Mo, Int Mo, Non-Cl Mo), ``Myeloid`` (macrophages, monocytes, DCs cell,
Neutrophils, Mast cell), ``Lymphoid`` (T cells, B cell, NK cell), ``Immune`` (myeloid
and lymphoid). Cancer, endothelial and unlabelled cells belong to no group."""


def _normal_form(name: str) -> str:
    return _identifier(name.strip()).casefold()


def resolve_phenotype(name: str, vocabulary: Sequence[str] = LUAD_PHENOTYPES) -> str:
    """The member of ``vocabulary`` that ``name`` denotes.

    Tried in order: the exact name; an alias of :data:`PHENOTYPE_ALIASES` whose target
    is in the vocabulary; the name compared ignoring case, surrounding blanks and the
    difference between spaces, hyphens and underscores (``non_cl_mo`` -> ``Non-Cl Mo``).
    Anything else raises :class:`CellDataError` naming up to three close matches.
    """
    if name in vocabulary:
        return name
    alias = PHENOTYPE_ALIASES.get(name)
    if alias is not None and alias in vocabulary:
        return alias
    wanted = _normal_form(str(name))
    candidates = {_normal_form(member): member for member in vocabulary}
    candidates.update(
        {
            _normal_form(alias): target
            for alias, target in PHENOTYPE_ALIASES.items()
            if target in vocabulary
        }
    )
    if wanted in candidates:
        return candidates[wanted]
    close = difflib.get_close_matches(wanted, list(candidates), n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(candidates[match] for match in close))
    hint = (
        "; did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
        if suggestions
        else "; known phenotypes: " + ", ".join(vocabulary)
    )
    raise CellDataError(f"unknown phenotype {name!r}{hint}")


def expand_phenotypes(name: str, vocabulary: Sequence[str] = LUAD_PHENOTYPES) -> tuple[str, ...]:
    """The phenotypes ``name`` stands for: a lineage group of :data:`LINEAGES` (its
    members that are in ``vocabulary``) or one phenotype (resolved as in
    :func:`resolve_phenotype`)."""
    if name in LINEAGES:
        return tuple(member for member in LINEAGES[name] if member in vocabulary)
    return (resolve_phenotype(name, vocabulary),)
