"""A tissue core prepared for :func:`symxai.explain` (a :class:`~symxai.api.DomainInput`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symxai.data.cells import Tissue
from symxai.domains.cells.regions import Regions
from symxai.domains.cells.space import TissueFeatureSpace, tissue_space

__all__ = ["TissueInput"]


@dataclass
class TissueInput:
    """A tissue core with what its explanation needs beyond the cells.

    ``model_input()`` is the cell graph (PyG ``Data``: phenotype one-hot ``x``, the
    stored kNN ``edge_index`` or one built with ``k`` neighbours, ``pos`` in µm); the
    survival model is called with these graph arguments only, so the explained output is
    the *graph part* ``g`` of the log hazard (the stage term ``beta * stage`` does not
    depend on the cells). ``stage`` (the patient's stage covariate, when known) is kept
    so that the explanation can report the full log hazard ``g + beta * stage``.
    ``feature_space()`` is :func:`~symxai.domains.cells.tissue_space` with the ``tiles``
    grid and the ``regions`` polygons.
    """

    tissue: Tissue
    stage: float | None = None
    tiles: tuple[int, int] = (10, 10)
    regions: Regions | None = None
    k: int = 3
    _data: Any = field(default=None, init=False, repr=False)
    _space: TissueFeatureSpace | None = field(default=None, init=False, repr=False)

    def model_input(self) -> Any:
        if self._data is None:
            self._data = self.tissue.to_data(self.k)
        return self._data

    def feature_space(self) -> TissueFeatureSpace:
        if self._space is None:
            self._space = tissue_space(self.tissue, self.tiles, self.regions)
        return self._space

    def backend_options(self, backend: str) -> dict[str, Any]:
        """No defaults: the survival model has one output per graph (``target=None``);
        GNN-LRP uses LRP-0, which conserves the graph part for the bias-free model."""
        return {}
