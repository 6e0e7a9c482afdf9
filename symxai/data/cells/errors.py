"""The error raised for malformed cell data (tables, layouts, phenotype names)."""

from __future__ import annotations

from symxai.errors import SymxaiError

__all__ = ["CellDataError"]


class CellDataError(SymxaiError, ValueError):
    """Cell or clinical data that cannot be used as given: a missing column, an unknown
    phenotype, an empty image, a NaN coordinate, a duplicate cell, an image without a
    clinical row. The message names the file, the column, the row or the image."""
