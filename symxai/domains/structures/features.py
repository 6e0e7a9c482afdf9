"""Atoms of a 3-D structure as features."""

from __future__ import annotations

from typing import Any

from symxai.features import FeatureSpace

__all__ = ["molecule_space"]


def molecule_space(atoms: Any) -> FeatureSpace:
    """Atoms as features: names ``C0 C1 C2 O3 O4 H5 ..`` (element symbol + index), label
    column ``element``. ``H5 & O3 & ~O4`` names single atoms, ``O`` or ``element:O`` every
    oxygen."""
    return FeatureSpace.from_elements(atoms.get_chemical_symbols())
