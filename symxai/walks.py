"""Relevant walks named by an explanation's features.

A backend returns :class:`~symxai.backends.lrp.walks.Walks` over feature indices;
:meth:`symxai.Explanation.walks` pairs them with its :class:`~symxai.FeatureSpace`, so
that tables show feature names (``O0 → N1 → N1``) and the dividends of the walks,
``mu(L) = sum_{W : set(W) = L} R_W``, come as a :class:`~symxai.Decomposition` over
the same names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symxai.backends.lrp.walks import Walks
from symxai.decomposition import Decomposition
from symxai.features import FeatureSpace

__all__ = ["NamedWalks"]


@dataclass
class NamedWalks(Walks):
    """:class:`~symxai.backends.lrp.walks.Walks` whose features are named by ``space``."""

    space: FeatureSpace | None = None

    @classmethod
    def of(cls, walks: Walks, space: FeatureSpace | None) -> NamedWalks:
        """``walks`` (same arrays, not copied) named by ``space``."""
        return cls(walks.nodes, walks.relevance, walks.num_nodes, walks.exact, space)

    def _label(self, walk: np.ndarray) -> str:
        """The walk as text, ``O0 → N1 → N1`` (display names of the space)."""
        if self.space is None:
            return super()._label(walk)
        names = self.space.display_names
        return " → ".join(names[i] for i in walk)

    def decomposition(self) -> Decomposition:
        """Harsanyi dividends from the walks (:meth:`dividends`) over the named features."""
        return Decomposition.from_dividends(self.dividends(), self.space)
