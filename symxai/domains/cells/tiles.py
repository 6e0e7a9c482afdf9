"""A grid of square-ish tiles over a tissue core, and the ``tile`` atoms that name them.

The grid covers the bounding box of the cell centroids with ``rows x columns`` equal
tiles. Tile ``(r, c)`` holds the cells with

.. math::  r = \\min(\\lfloor (y - y_{min}) / h \\rfloor, rows - 1), \\qquad
           c = \\min(\\lfloor (x - x_{min}) / w \\rfloor, columns - 1),

``w`` and ``h`` the tile width and height: rows count along ``y`` and columns along
``x``, both from 0, in image orientation (row 0 at the smallest ``y``, drawn at the
top). Every cell lies in exactly one tile.

**Query syntax.** The query grammar reads ``tile:3,4`` as the atom ``tile:3`` followed by
a stray comma, so a tile is written ``tile:"3,4"`` (row 3, column 4) or, without
quotes, ``tile:3_4``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from symxai.errors import UnknownAtomError

__all__ = ["TileGrid", "parse_tile"]

_TILE = re.compile(r"\s*(\d+)\s*[,_]\s*(\d+)\s*")


def parse_tile(text: str) -> tuple[int, int]:
    """``"3,4"`` or ``"3_4"`` as ``(row, column)``; anything else raises
    :class:`~symxai.errors.UnknownAtomError` naming the two accepted spellings."""
    match = _TILE.fullmatch(str(text))
    if match is None:
        raise UnknownAtomError(f"tile {text!r} is not 'row,column': write tile:\"3,4\" or tile:3_4")
    return int(match[1]), int(match[2])


@dataclass(frozen=True)
class TileGrid:
    """``shape = (rows, columns)`` tiles over the box ``(x_min, y_min, x_max, y_max)`` (µm)."""

    shape: tuple[int, int]
    box: tuple[float, float, float, float]

    @classmethod
    def over(cls, positions: np.ndarray, shape: tuple[int, int] = (10, 10)) -> TileGrid:
        """The grid over the bounding box of ``positions`` (``[n, 2]`` µm)."""
        rows, columns = (int(v) for v in shape)
        if rows < 1 or columns < 1:
            raise ValueError(f"a tile grid needs at least one row and column, got {shape}")
        positions = np.asarray(positions, dtype=np.float64)
        low, high = positions.min(axis=0), positions.max(axis=0)
        high = np.where(high > low, high, low + 1.0)
        return cls((rows, columns), (float(low[0]), float(low[1]), float(high[0]), float(high[1])))

    @property
    def rows(self) -> int:
        return self.shape[0]

    @property
    def columns(self) -> int:
        return self.shape[1]

    @property
    def tile_size(self) -> tuple[float, float]:
        """``(width, height)`` of one tile in µm."""
        x_min, y_min, x_max, y_max = self.box
        return (x_max - x_min) / self.columns, (y_max - y_min) / self.rows

    def cell_tiles(self, positions: np.ndarray) -> np.ndarray:
        """``[n, 2]`` ``(row, column)`` of the tile of every position."""
        positions = np.asarray(positions, dtype=np.float64)
        width, height = self.tile_size
        column = np.floor((positions[:, 0] - self.box[0]) / width).astype(np.int64)
        row = np.floor((positions[:, 1] - self.box[1]) / height).astype(np.int64)
        return np.stack(
            [np.clip(row, 0, self.rows - 1), np.clip(column, 0, self.columns - 1)], axis=1
        )

    def tile_index(self, positions: np.ndarray) -> np.ndarray:
        """``[n]`` flat tile number ``row * columns + column`` of every position."""
        tiles = self.cell_tiles(positions)
        return tiles[:, 0] * self.columns + tiles[:, 1]

    def members(self, positions: np.ndarray, text: str) -> np.ndarray:
        """Indices of the cells in the tile ``text`` (``"3,4"``); a tile outside the grid
        raises :class:`~symxai.errors.UnknownAtomError`."""
        row, column = parse_tile(text)
        if not (0 <= row < self.rows and 0 <= column < self.columns):
            raise UnknownAtomError(
                f"tile {row},{column} is outside the {self.rows} x {self.columns} grid "
                f"(rows 0..{self.rows - 1}, columns 0..{self.columns - 1})"
            )
        return np.flatnonzero(self.tile_index(positions) == row * self.columns + column)

    def masks(self, positions: np.ndarray) -> np.ndarray:
        """``[rows * columns, n]`` bool: the cells of every tile (row-major)."""
        index = self.tile_index(positions)
        return np.arange(self.rows * self.columns)[:, None] == index[None, :]
