"""What a backend knows about its features' names, as plain data.

A backend that knows more than the number of its features (the atoms of a structure
and their elements) says so with :class:`FeatureNames`; the api layer turns that into
the explanation's :class:`~symxai.FeatureSpace`. Backends never build feature spaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["FeatureNames"]


@dataclass(frozen=True)
class FeatureNames:
    """One unique name per feature and optional label columns (``n`` values each).

    ``FeatureNames(("C0", "O1"), {"element": ("C", "O")})`` becomes the feature space
    ``FeatureSpace(names, labels=labels)``.
    """

    names: tuple[str, ...]
    labels: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)

    @classmethod
    def of_elements(cls, symbols: Sequence[str]) -> FeatureNames:
        """Atoms as features: names ``C0 C1 O2 ..`` (element symbol + index) and the label
        column ``element``, so that ``O`` or ``element:O`` names every oxygen."""
        elements = tuple(str(symbol) for symbol in symbols)
        names = tuple(f"{symbol}{index}" for index, symbol in enumerate(elements))
        return cls(names, {"element": elements})
