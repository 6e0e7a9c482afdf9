"""The options of query search, their checks and the sign transform of a score.

``by`` names the score (``"correlation"`` or ``"relevance"``), ``sign`` how it ranks:
the ranking key of a score ``s`` is

.. math::  \\operatorname{key}(s) = s \\ (\\text{positive}), \\quad -s \\
   (\\text{negative}), \\quad |s| \\ (\\text{abs}),

largest first; the reported score keeps its sign. ``distinct`` names the deduplication
(:mod:`symxai.search.dedupe`). Atoms are :class:`~symxai.query.ast.Atom` or their text;
a pattern is one ``uint64`` bitmask, so one search has at most 63 atoms.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Literal, get_args

import numpy as np

from symxai.errors import UnknownAtomError
from symxai.query.ast import Atom
from symxai.query.parser import parse_query

__all__ = [
    "DISTINCT",
    "FAMILIES",
    "MAX_GROUPS",
    "MAX_SEARCH_ATOMS",
    "SCORES",
    "SIGNS",
    "AtomSets",
    "SearchScore",
    "Sign",
    "as_atom",
    "check_atom_count",
    "check_distinct",
    "check_options",
    "group_indices",
    "signed",
]

FAMILIES: tuple[str, ...] = ("conjunction", "disjunction", "function")
SearchScore = Literal["correlation", "relevance"]
"""What search ranks by."""
Sign = Literal["positive", "negative", "abs"]
"""Which sign of the score search prefers (``abs``: magnitude)."""
SCORES: tuple[str, ...] = get_args(SearchScore)
SIGNS: tuple[str, ...] = get_args(Sign)
DISTINCT = ("data", "logic")
MAX_SEARCH_ATOMS = 63
"""Most atoms of one search: a pattern is one ``uint64`` bitmask."""
MAX_GROUPS = 4
"""Most groups of the Boolean-function family (``2^16 - 2`` functions)."""

AtomSets = Mapping[Atom | str, Sequence[int] | np.ndarray]


def as_atom(key: Atom | str) -> Atom:
    """``key`` as an :class:`Atom` (its text is parsed; anything but one atom is an error)."""
    if isinstance(key, Atom):
        return key
    if not isinstance(key, str):
        raise TypeError(f"an atom is an Atom or its text, got {type(key).__name__}")
    parsed = parse_query(key)
    if not isinstance(parsed, Atom):
        raise ValueError(f"search atoms must be single atoms; {key!r} is the query {parsed}")
    return parsed


def check_options(by: str, sign: str | None, max_literals: int, top: int) -> str:
    """Check ``by``, ``sign``, ``max_literals`` and ``top``; the sign (``None``: abs)."""
    if by not in SCORES:
        raise ValueError(f"by must be one of {SCORES}, got {by!r}")
    if sign is None:
        sign = "abs"
    if sign not in SIGNS:
        raise ValueError(f"sign must be one of {SIGNS}, got {sign!r}")
    if max_literals < 1:
        raise ValueError(f"max_literals must be at least 1, got {max_literals}")
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    return sign


def check_distinct(distinct: str) -> None:
    """``distinct`` is one of :data:`DISTINCT`."""
    if distinct not in DISTINCT:
        raise ValueError(f"distinct must be one of {DISTINCT}, got {distinct!r}")


def check_atom_count(m: int) -> None:
    """``m`` atoms fit one ``uint64`` pattern."""
    if m > MAX_SEARCH_ATOMS:
        raise ValueError(
            f"query search supports at most {MAX_SEARCH_ATOMS} atoms (one uint64 bitmask "
            f"per coalition), got {m}; pass fewer atoms"
        )


def group_indices(groups: Sequence[Atom | str], atoms: Sequence[Atom]) -> list[int]:
    """Positions of the ``groups`` among ``atoms`` (at most :data:`MAX_GROUPS`, distinct)."""
    if len(groups) > MAX_GROUPS:
        raise ValueError(
            f"at most {MAX_GROUPS} groups are supported (2^(2^g) - 2 Boolean functions: "
            f"65,534 for g = 4), got {len(groups)}"
        )
    position = {atom: j for j, atom in enumerate(atoms)}
    out: list[int] = []
    for group in groups:
        atom = as_atom(group)
        if atom not in position:
            names = [str(a) for a in atoms]
            raise UnknownAtomError(
                f"group {atom} is not one of the search atoms ({', '.join(names[:10])})",
                suggestions=difflib.get_close_matches(str(atom), names, n=3),
            )
        if position[atom] in out:
            raise ValueError(f"group {atom} is given twice")
        out.append(position[atom])
    return out


def signed(values: np.ndarray, sign: str) -> np.ndarray:
    """The ranking key of ``values`` for ``sign`` (module doc): larger ranks first."""
    if sign == "positive":
        return values
    if sign == "negative":
        return -values
    return np.abs(values)
