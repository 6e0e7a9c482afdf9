"""The feature space of a tissue core: one feature per cell, named ``c0 .. c{n-1}``.

Atoms (an atom is the set of its cells; a query is true on a coalition of cells as
usual: ``A`` when the coalition holds a cell of ``A``, so ``Cancer & Treg & ~Tc`` is true
on the coalitions holding a cancer cell and a Treg and no Tc):

=====================================  ============================================
atom                                   cells
=====================================  ============================================
``c17``                                cell 17
``Cancer``, ``Tc``, ``Th``, ``Treg``,  every cell of that phenotype (bare names of
``NONE``, ``Neutrophils``              the single-word phenotypes)
``phenotype:"B cell"``                 every B cell (any phenotype by its full name)
``B_cell``, ``Alt_MAC``, ``NK`` ...    a documented alias
                                       (:data:`~symxai.data.cells.PHENOTYPE_ALIASES`)
``T_cells``, ``Macrophages``,          a lineage group
``Myeloid``, ``Immune`` ...            (:data:`~symxai.data.cells.LINEAGES`), also
                                       ``lineage:Myeloid``
``tile:"3,4"`` or ``tile:3_4``         the cells of grid tile row 3, column 4
                                       (:mod:`~symxai.domains.cells.tiles`)
``region:"tumour_margin"``             the cells inside a user polygon
                                       (:mod:`~symxai.domains.cells.regions`)
=====================================  ============================================

Phenotype names also match ignoring case and the difference between spaces, hyphens
and underscores (``non_cl_mo``). A name that is no phenotype, alias, lineage or cell
raises :class:`~symxai.errors.UnknownAtomError` with the closest phenotype names; a
phenotype with no cell in this core matches nothing (an error with ``missing="error"``,
false on every coalition with ``missing="absent"``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import numpy as np

from symxai.data.cells import LINEAGES, PHENOTYPE_ALIASES, CellDataError, Tissue, expand_phenotypes
from symxai.domains.cells.regions import Regions, check_regions, region_members
from symxai.domains.cells.tiles import TileGrid
from symxai.errors import UnknownAtomError
from symxai.features import FeatureSpace
from symxai.query.ast import Atom

__all__ = ["TissueFeatureSpace", "phenotype_vocabulary", "tissue_space"]

_CELL_NAME = re.compile(r"c\d+")


def phenotype_vocabulary(vocabulary: Sequence[str]) -> list[str]:
    """Every spelling a phenotype atom may take: the names, the aliases whose phenotype is
    in ``vocabulary`` and the lineage groups (for suggestions)."""
    aliases = [alias for alias, name in PHENOTYPE_ALIASES.items() if name in vocabulary]
    return [*vocabulary, *aliases, *LINEAGES]


class TissueFeatureSpace(FeatureSpace):
    """Cells of one core as features, with phenotype, lineage, tile and region atoms
    (see the module docstring). Built by :func:`tissue_space`."""

    def __init__(
        self,
        tissue: Tissue,
        grid: TileGrid,
        regions: dict[str, np.ndarray],
    ) -> None:
        self.tissue = tissue
        self.grid = grid
        self.regions = regions
        names = tissue.phenotype_names()
        positions = np.asarray(tissue.positions, dtype=np.float64)
        super().__init__(
            [f"c{i}" for i in range(tissue.n_cells)],
            labels={"phenotype": [str(name) for name in names]},
            resolvers={
                "tile": lambda text: grid.members(positions, text),
                "region": lambda name: region_members(positions, regions, name),
            },
        )

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return tuple(self.tissue.vocabulary)

    def phenotype_cells(self, phenotypes: Sequence[str]) -> np.ndarray:
        """Indices of the cells whose phenotype is one of ``phenotypes``."""
        codes = [self.vocabulary.index(name) for name in phenotypes]
        return np.flatnonzero(np.isin(self.tissue.phenotypes, codes))

    def _unknown_phenotype(self, atom: Atom, value: str) -> UnknownAtomError:
        spellings = phenotype_vocabulary(self.vocabulary)
        close = difflib.get_close_matches(value, spellings, n=3, cutoff=0.5)
        if not close:
            folded = {s.casefold(): s for s in spellings}
            close = [folded[c] for c in difflib.get_close_matches(value.casefold(), folded, n=3)]
        return UnknownAtomError(
            f"{atom} is not a phenotype, alias, lineage group or cell name (c0 .. "
            f"c{self.n - 1}); phenotypes: {', '.join(self.vocabulary)}",
            suggestions=close,
        )

    def _match_name(self, name: str) -> np.ndarray:
        if name in self._index_of or _CELL_NAME.fullmatch(name):
            return super()._match_name(name)
        try:
            phenotypes = expand_phenotypes(name, self.vocabulary)
        except CellDataError:
            raise self._unknown_phenotype(Atom("name", name), name) from None
        return self.phenotype_cells(phenotypes)

    def _match_qualified(self, atom: Atom) -> np.ndarray:
        qualifier = (atom.qualifier or "").lower()
        value = str(atom.value)
        if atom.kind == "qualified" and qualifier == "phenotype":
            try:
                phenotypes = expand_phenotypes(value, self.vocabulary)
            except CellDataError:
                raise self._unknown_phenotype(atom, value) from None
            return self.phenotype_cells(phenotypes)
        if atom.kind == "qualified" and qualifier == "lineage":
            if value not in LINEAGES:
                raise UnknownAtomError(
                    f"unknown lineage {value!r} in atom {atom}; the lineages are "
                    + ", ".join(LINEAGES),
                    suggestions=difflib.get_close_matches(value, list(LINEAGES), n=3),
                )
            return self.phenotype_cells(expand_phenotypes(value, self.vocabulary))
        return super()._match_qualified(atom)

    def _vocabulary(self, atom: Atom) -> list[str]:
        return phenotype_vocabulary(self.vocabulary)


def tissue_space(
    tissue: Tissue,
    tiles: tuple[int, int] = (10, 10),
    regions: Regions | None = None,
) -> TissueFeatureSpace:
    """The feature space of ``tissue``: cells ``c0 ..``, phenotype, alias and lineage
    atoms, ``tile:"r,c"`` atoms of a ``tiles = (rows, columns)`` grid over the core's
    bounding box, and ``region:"name"`` atoms of the polygons ``regions`` (name ->
    vertices in µm)."""
    grid = TileGrid.over(tissue.positions, tiles)
    return TissueFeatureSpace(tissue, grid, check_regions(regions))
