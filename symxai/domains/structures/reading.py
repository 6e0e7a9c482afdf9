"""Reading 3-D structures and rejecting those a model cannot handle.

:func:`read_structure` reads ``.xyz``/``.extxyz`` files (or takes ``ase.Atoms``) and
raises a :class:`StructureError` naming the file and the atoms for a structure without
atoms, non-finite coordinates, overlapping atoms or elements the model never saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symxai.data.malondialdehyde import MODEL_ELEMENTS
from symxai.errors import SymxaiError

__all__ = ["StructureError", "atom_names", "read_structure"]


class StructureError(SymxaiError, ValueError):
    """A structure cannot be read, or the model cannot handle it (no atoms, overlapping
    atoms, elements the model has not seen)."""


def atom_names(symbols: Sequence[str]) -> list[str]:
    """Feature names of atoms: element symbol + index (``C0 C1 C2 O3 ..``)."""
    return [f"{symbol}{index}" for index, symbol in enumerate(symbols)]


def _check_finite(positions: np.ndarray, symbols: Sequence[str], where: str) -> None:
    """:class:`StructureError` naming the atoms whose coordinates are NaN or infinite."""
    bad = np.flatnonzero(~np.isfinite(np.asarray(positions, dtype=np.float64)).all(axis=1))
    if bad.size:
        names = atom_names(symbols)
        shown = ", ".join(f"{names[i]} (atom {i}, {symbols[i]})" for i in bad[:5])
        more = f" and {bad.size - 5} more" if bad.size > 5 else ""
        raise StructureError(
            f"{where} has coordinates that are NaN or infinite: {shown}{more}; "
            "every coordinate must be a finite number of Å"
        )


def read_structure(
    source: str | Path | Any,
    *,
    elements: Iterable[str] = MODEL_ELEMENTS,
    min_distance: float = 0.5,
) -> Any:
    """A structure as ``ase.Atoms``: an ``.xyz``/``.extxyz`` file (the last frame of a
    trajectory, read by ``ase.io.read``) or an ``ase.Atoms`` (copied).

    Raises :class:`StructureError` (a ``ValueError``) for a file that is missing or cannot
    be read (naming the path), a structure without atoms, coordinates that are NaN or
    infinite (naming the atoms and the file), atoms closer than
    ``min_distance`` Å (naming the atoms and their distance), and elements outside
    ``elements`` (the elements the model knows, default H, C, O).
    """
    from ase import Atoms

    if isinstance(source, Atoms):
        atoms = source.copy()
        where = "the structure"
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise StructureError(f"cannot read structure file {path}: no such file")
        try:
            import ase.io

            atoms = ase.io.read(path)
        except Exception as error:
            raise StructureError(
                f"cannot read structure file {path}: {type(error).__name__}: {error}"
            ) from error
        if not isinstance(atoms, Atoms):
            raise StructureError(f"cannot read structure file {path}: no structure in it")
    if len(atoms) == 0:
        raise StructureError(f"{where} has no atoms")
    _check_finite(atoms.get_positions(), atoms.get_chemical_symbols(), where)
    known = tuple(elements)
    symbols = atoms.get_chemical_symbols()
    unknown = sorted(set(symbols) - set(known), key=symbols.index)
    if unknown:
        names = atom_names(symbols)
        offenders = [name for name, symbol in zip(names, symbols, strict=True) if symbol in unknown]
        raise StructureError(
            f"{where} contains element{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} ({', '.join(offenders[:5])}"
            f"{', ...' if len(offenders) > 5 else ''}) that the model never saw;"
            f" it knows {', '.join(known)}"
        )
    if len(atoms) > 1:
        positions = atoms.get_positions()
        distances = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
        distances[np.tril_indices(len(atoms))] = np.inf
        i, j = np.unravel_index(np.argmin(distances), distances.shape)
        if distances[i, j] < min_distance:
            names = atom_names(symbols)
            count = int((distances < min_distance).sum())
            more = f" ({count} pairs in all)" if count > 1 else ""
            raise StructureError(
                f"{where} has overlapping atoms: {names[i]} and {names[j]} are "
                f"{distances[i, j]:.3f} Å apart (minimum {min_distance} Å){more}"
            )
    return atoms
