"""Query atoms over chemical elements, shared by the domains whose features are atoms
(molecules, 3-D structures): a bare name is an element symbol (``N``: every nitrogen) or
an atom name (``C0``: the first carbon), ``element:X`` names an element."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from symxai.query.ast import Atom

__all__ = ["ELEMENT_OR_ATOM_NAME", "element_atom_problem"]

ELEMENT_OR_ATOM_NAME = re.compile(r"([A-Z][a-z]?)(\d+)?")
"""An element symbol, optionally followed by the atom's index among that element."""


def element_atom_problem(atom: Atom, elements: Sequence[str]) -> tuple[str, Sequence[str]] | None:
    """Why ``atom`` can match no atom of a model that knows ``elements`` (a name that is
    neither one of them nor an atom name such as ``C0``, or ``element:X`` for another
    element), with close matches; ``None`` for other atoms."""
    known = sorted(elements)
    value = str(atom.value)
    if atom.kind == "name":
        match = ELEMENT_OR_ATOM_NAME.fullmatch(value)
        if match is None or match[1] not in known:
            return (
                f"{atom} is not an element symbol or an atom name such as C0 "
                f"(elements: {', '.join(elements)})",
                difflib.get_close_matches(value, known, n=3),
            )
    elif atom.kind == "qualified" and atom.qualifier == "element" and value not in known:
        return f"{atom}: no such element", difflib.get_close_matches(value, known, n=3)
    return None
