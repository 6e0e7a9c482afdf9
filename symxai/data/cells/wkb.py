"""Well-known-binary (WKB) encoding of 2-D points, as GeoParquet stores a ``geometry``
column, without shapely.

A WKB POINT is ``byte order (1 byte: 1 little endian, 0 big endian) | geometry type
(uint32: 1) | x (float64) | y (float64)``: 21 bytes. Read here as well: the EWKB form
of PostGIS/GEOS with an SRID (type flag ``0x20000000``, then a uint32 SRID before the
coordinates: 25 bytes). Other geometries (lines, polygons, 3-D points) are refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from symxai.data.cells.errors import CellDataError

__all__ = ["decode_points", "encode_points"]

_POINT = 1
_SRID_FLAG = 0x20000000


def encode_points(positions: np.ndarray) -> list[bytes]:
    """Little-endian WKB POINT bytes for each row ``(x, y)`` of ``positions``."""
    points = np.asarray(positions, dtype="<f8").reshape(-1, 2)
    record = np.dtype([("order", "u1"), ("type", "<u4"), ("xy", "<f8", (2,))])
    packed = np.zeros(len(points), dtype=record)
    packed["order"] = 1
    packed["type"] = _POINT
    packed["xy"] = points
    raw = packed.tobytes()
    return [raw[i * 21 : (i + 1) * 21] for i in range(len(points))]


def decode_points(values: Sequence[bytes | None], source: str = "geometry") -> np.ndarray:
    """``(n, 2)`` float64 coordinates of WKB/EWKB 2-D points; ``source`` names the
    column in error messages (which also give the first offending row)."""
    positions = np.empty((len(values), 2), dtype=np.float64)
    for length in {len(value) if value is not None else -1 for value in values}:
        rows = np.array(
            [
                i
                for i, value in enumerate(values)
                if (len(value) if value is not None else -1) == length
            ]
        )
        if length not in (21, 25):
            raise CellDataError(
                f"{source}: row {rows[0]} is not a 2-D WKB point "
                f"({'missing' if length < 0 else f'{length} bytes'}); expected 21 bytes "
                "(WKB POINT) or 25 bytes (EWKB POINT with SRID)"
            )
        raw = np.frombuffer(b"".join(values[i] for i in rows), dtype=np.uint8).reshape(-1, length)
        for order, endian in ((1, "<"), (0, ">")):
            chosen = raw[:, 0] == order
            if not chosen.any():
                continue
            kinds = raw[chosen, 1:5].copy().view(f"{endian}u4")[:, 0]
            expected = _POINT if length == 21 else _POINT | _SRID_FLAG
            if (kinds != expected).any():
                bad = rows[chosen][np.flatnonzero(kinds != expected)[0]]
                raise CellDataError(
                    f"{source}: row {bad} holds a WKB geometry of type "
                    f"{int(kinds[kinds != expected][0]):#x}, not a 2-D POINT"
                )
            start = length - 16
            positions[rows[chosen]] = raw[chosen, start:].copy().view(f"{endian}f8")
        unknown = ~np.isin(raw[:, 0], (0, 1))
        if unknown.any():
            raise CellDataError(
                f"{source}: row {rows[np.flatnonzero(unknown)[0]]} has an invalid WKB byte order"
            )
    return positions
