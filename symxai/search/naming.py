"""Names for Boolean functions of groups: a formula with few literals for a truth table.

The formula with the fewest literals (then the shorter text) among the sum of products
and product of sums (``sympy.SOPform`` / ``POSform``, for three or more variables) and
the Shannon decompositions over each variable ``x`` with cofactors ``f_0 = f|x=0`` and
``f_1 = f|x=1``:

* ``x & f_1`` when ``f_0 = 0``, ``~x & f_0`` when ``f_1 = 0``,
* ``x | f_0`` when ``f_1 = 1``, ``~x | f_1`` when ``f_0 = 1``,
* ``x ^ f_0`` when ``f_1 = ~f_0``,

the cofactors named recursively (memoised), so ``(a ^ b) & c`` prints as
``c & (a ^ b)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy
from sympy.logic import boolalg

from symxai.query.ast import And, Atom, Constant, Not, Or, Query, Xor
from symxai.search.candidates import essential, simplicity

__all__ = ["FunctionNamer"]


class FunctionNamer:
    """A formula with few literals for a truth table over atoms (see the module doc)."""

    def __init__(self, atoms: Sequence[Atom]) -> None:
        self.atoms = atoms
        self.memo: dict[tuple[tuple[int, ...], bytes], Query] = {}

    def __call__(self, variables: Sequence[int], table: np.ndarray) -> Query:
        variables, table = essential(list(variables), np.asarray(table, dtype=bool))
        key = (variables, table.tobytes())
        if key not in self.memo:
            self.memo[key] = self._solve(variables, table)
        return self.memo[key]

    def _solve(self, variables: tuple[int, ...], table: np.ndarray) -> Query:
        if not variables:
            return Constant(bool(table[0]))
        if len(variables) == 1:
            atom = self.atoms[variables[0]]
            return atom if table[1] else Not(atom)
        options: list[Query] = []
        if len(variables) >= 3:
            options.extend(self._sympy_forms(variables, table))
        for t, variable in enumerate(variables):
            shaped = table.reshape(-1, 2, 1 << t)
            low = np.ascontiguousarray(shaped[:, 0]).reshape(-1)
            high = np.ascontiguousarray(shaped[:, 1]).reshape(-1)
            rest = variables[:t] + variables[t + 1 :]
            atom = self.atoms[variable]
            if not low.any():
                options.append(And.of(atom, self(rest, high)))
            if not high.any():
                options.append(And.of(Not(atom), self(rest, low)))
            if high.all():
                options.append(Or.of(atom, self(rest, low)))
            if low.all():
                options.append(Or.of(Not(atom), self(rest, high)))
            if np.array_equal(high, ~low):
                options.append(Xor(atom, self(rest, low)))
        return min(options, key=simplicity)

    def _sympy_forms(self, variables: tuple[int, ...], table: np.ndarray) -> list[Query]:
        symbols = [sympy.Symbol(f"x{v}") for v in variables]
        rows = np.flatnonzero(table)
        minterms = [[int(row >> t) & 1 for t in range(len(variables))] for row in rows]
        by_symbol = {s: self.atoms[v] for s, v in zip(symbols, variables, strict=True)}
        forms = [boolalg.SOPform(symbols, minterms), boolalg.POSform(symbols, minterms)]
        return [Query.from_sympy(form, by_symbol) for form in forms]
