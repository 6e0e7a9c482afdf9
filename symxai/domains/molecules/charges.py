"""Formal charges of charge-less molecular graphs (the TU data sets give none).

With ``t`` the total bond order of an atom (sum over its bonds) and ``V`` the neutral
valences of its element (:data:`NEUTRAL_VALENCES`: N 3, O 2, S 2/4/6, P 3/5, I 1/3/5,
F/Cl/Br 1):

1. an atom without bonds that is a metal or a halogen is an ion
   (:data:`ION_CHARGES`: Na/K/Li +1, Ca +2, halide -1); other isolated atoms are neutral;
2. C and H are always neutral (an under-bonded carbon in Mutagenicity is a radical or a
   bond lost from the data set's truncated edge lists, not a carbanion); atoms with an
   aromatic bond are neutral (RDKit's aromaticity model decides);
3. otherwise the charge is 0 if ``t`` is in ``V``, +1 if ``t - 1`` is in ``V``
   (N with four bonds, O with three, P with four, S with three or five), and -1 if
   ``t + 1`` is in ``V`` (O with one bond, N with two, S with one), else 0;
4. without explicit hydrogens (MUTAG) an under-bonded atom is taken to carry implicit
   hydrogens, so rule 3's -1 only applies to a terminal atom single-bonded to a cation
   of rule 3, one per unit of positive charge (the O⁻ of a nitro group or N-oxide).

So the nitro groups of both data sets become ``[N+](=O)[O-]`` and azides
``N=[N+]=[N-]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ION_CHARGES", "NEUTRAL_VALENCES", "infer_formal_charges"]

NEUTRAL_VALENCES: dict[str, tuple[int, ...]] = {
    "H": (1,),
    "C": (4,),
    "N": (3,),
    "O": (2,),
    "F": (1,),
    "Cl": (1,),
    "Br": (1,),
    "I": (1, 3, 5),
    "S": (2, 4, 6),
    "P": (3, 5),
}
"""Total bond orders at which an atom of these elements is taken to be uncharged."""

ION_CHARGES: dict[str, int] = {
    "Na": 1,
    "K": 1,
    "Li": 1,
    "Ca": 2,
    "F": -1,
    "Cl": -1,
    "Br": -1,
    "I": -1,
}
"""Charge of an atom of these elements that has no bond (a counter-ion)."""

_NEVER_CHARGED = frozenset({"C", "H"})


def infer_formal_charges(
    elements: Sequence[str],
    edge_index: np.ndarray,
    bond_orders: np.ndarray,
    *,
    explicit_hydrogens: bool = True,
) -> np.ndarray:
    """Formal charge of every atom of a charge-less molecular graph (rules in the module docstring).

    ``bond_orders`` holds one order per directed edge (1.5 aromatic); every bond is
    listed in both directions. ``explicit_hydrogens`` says whether hydrogens are nodes
    (Mutagenicity) or implicit (MUTAG), which changes rule 4.
    """
    n = len(elements)
    edge_index = np.asarray(edge_index, dtype=np.int64)
    bond_orders = np.asarray(bond_orders, dtype=np.float64)
    source = edge_index[0]
    total = np.bincount(source, weights=bond_orders, minlength=n)
    degree = np.bincount(source, minlength=n)
    aromatic = np.zeros(n, dtype=bool)
    aromatic[source[bond_orders == 1.5]] = True
    charges = np.zeros(n, dtype=np.int64)
    anion_candidates = np.zeros(n, dtype=bool)
    for i, element in enumerate(elements):
        if degree[i] == 0:
            charges[i] = ION_CHARGES.get(element, 0)
            continue
        valences = NEUTRAL_VALENCES.get(element)
        if valences is None or element in _NEVER_CHARGED or aromatic[i]:
            continue
        bonds = round(float(total[i]))
        if bonds in valences:
            continue
        if bonds - 1 in valences:
            charges[i] = 1
        elif bonds + 1 in valences:
            if explicit_hydrogens:
                charges[i] = -1
            else:
                anion_candidates[i] = degree[i] == 1
    if not explicit_hydrogens and anion_candidates.any():
        _balance_cations(charges, anion_candidates, edge_index, bond_orders)
    return charges


def _balance_cations(
    charges: np.ndarray, candidates: np.ndarray, edge_index: np.ndarray, bond_orders: np.ndarray
) -> None:
    """Give each cation as many -1 charges as it has positive charge, to its terminal,
    single-bonded, under-bonded neighbours (rule 4), in edge order."""
    unbalanced = np.where(charges > 0, charges, 0)
    for (i, j), order in zip(edge_index.T.tolist(), bond_orders.tolist(), strict=True):
        if order == 1.0 and candidates[j] and charges[j] == 0 and unbalanced[i] > 0:
            charges[j] = -1
            unbalanced[i] -= 1
