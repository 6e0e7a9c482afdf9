"""The immutable abstract syntax tree of a query.

A query is a Boolean formula over atoms. Every node is a frozen, hashable
dataclass, so queries can be dict keys and set members, and two queries compare
equal exactly when they have the same structure::

    Or((Atom("name", "a"), And((Atom("name", "b"), Atom("name", "c")))))   # a | b & c

``str(query)`` is the canonical text of the query: :func:`symxai.query.parse_query`
reads it back to an equal tree, and printing that tree gives the same text again.

Semantics: an atom is a Boolean variable; atoms are independent of each other
(``#3`` and ``#3..7`` are different variables even though a feature space would
resolve them to overlapping index sets). :meth:`Query.evaluate` computes the truth
value under an assignment, vectorised over numpy arrays; :meth:`Query.to_sympy`
and :meth:`Query.from_sympy` convert to and from sympy Boolean expressions.

n-ary operators (:class:`And`, :class:`Or`, :class:`Xor`) flatten nested
operands of the same class and need at least two operands after flattening
(``ValueError`` otherwise); ``And.of(*qs)`` also accepts zero or one operand and
returns the identity constant or the operand itself.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, ClassVar, Literal, cast

import numpy as np
import pandas as pd
import sympy
from sympy.logic import boolalg

__all__ = [
    "KEYWORDS",
    "And",
    "Atom",
    "AtomKind",
    "Constant",
    "Implies",
    "Not",
    "Or",
    "Query",
    "Xor",
    "is_bare_name",
]

AtomKind = Literal["text", "name", "qualified", "pattern", "index", "range"]
Truth = np.ndarray | bool

#: Reserved words of the language (matched case-insensitively, as whole words).
KEYWORDS: tuple[str, ...] = ("and", "or", "xor", "not", "implies", "true", "false")

# These mirror the NAME, NUMBER and keyword terminals of grammar/query.lark, with the
# same flags, so that printing decides bare-versus-quoted exactly as the lexer reads.
_BARE_NAME = re.compile(r"[^\W\d]\w*", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9]\w*")
_KEYWORD = re.compile(r"(?:" + "|".join(KEYWORDS) + r")(?!\w)", re.IGNORECASE)
_ATOM_KINDS: frozenset[str] = frozenset(("text", "name", "qualified", "pattern", "index", "range"))

# Above this many atoms, truth tables are not enumerated with numpy.
_MAX_TABLE_ATOMS = 20


def is_bare_name(text: str) -> bool:
    """Whether ``text`` can be written unquoted as a name: a letter or underscore,
    then letters, digits or underscores, and not a keyword in any letter case."""
    return _BARE_NAME.fullmatch(text) is not None and _KEYWORD.match(text) is None


def _quote(text: str) -> str:
    """``text`` in double quotes, with ``\\`` and ``"`` escaped by a backslash."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _as_index(value: Any, what: str) -> int:
    """``value`` as a non-negative Python int (bools are rejected)."""
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{what} must be an integer, got {value!r}")
    try:
        index = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {value!r}") from None
    if index < 0:
        raise ValueError(f"{what} must be non-negative, got {index}")
    return index


def _truth_columns(atoms: tuple[Atom, ...]) -> dict[Atom, np.ndarray]:
    """All ``2**k`` assignments of ``k`` atoms; row ``r`` gives atom ``i`` bit ``i`` of ``r``."""
    rows = np.arange(1 << len(atoms), dtype=np.int64)
    return {atom: ((rows >> i) & 1).astype(bool) for i, atom in enumerate(atoms)}


class Query:
    """A Boolean formula over atoms (abstract base of every AST node).

    Combine queries with ``&``, ``|``, ``^``, ``~`` and ``>>`` (implication); the
    operands must be queries (strings are not parsed implicitly).
    """

    #: Binding strength used by ``__str__`` to place parentheses (higher binds tighter).
    precedence: ClassVar[int]

    # -- structure -------------------------------------------------------------------

    @property
    def children(self) -> tuple[Query, ...]:
        """The direct sub-queries, left to right (empty for atoms and constants)."""
        return ()

    def atoms(self) -> tuple[Atom, ...]:
        """The distinct atoms of the query, in order of first occurrence from the left."""
        seen: dict[Atom, None] = {}
        stack: list[Query] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, Atom):
                seen.setdefault(node, None)
            else:
                stack.extend(reversed(node.children))
        return tuple(seen)

    # -- operators -------------------------------------------------------------------

    def __and__(self, other: Query) -> And:
        if not isinstance(other, Query):
            return NotImplemented
        return And(self, other)

    def __or__(self, other: Query) -> Or:
        if not isinstance(other, Query):
            return NotImplemented
        return Or(self, other)

    def __xor__(self, other: Query) -> Xor:
        if not isinstance(other, Query):
            return NotImplemented
        return Xor(self, other)

    def __rshift__(self, other: Query) -> Implies:
        """``a >> b`` is the implication ``a -> b``."""
        if not isinstance(other, Query):
            return NotImplemented
        return Implies(self, other)

    def __invert__(self) -> Not:
        return Not(self)

    # -- printing --------------------------------------------------------------------

    def __str__(self) -> str:
        """The canonical text: minimal parentheses, ``parse_query(str(q)) == q``."""
        return self._format()

    def _format(self) -> str:
        raise NotImplementedError

    def _wrap(self, child: Query, parenthesize: bool) -> str:
        text = child._format()
        return f"({text})" if parenthesize else text

    # -- semantics -------------------------------------------------------------------

    def evaluate(self, assignment: Mapping[Atom, Truth]) -> Truth:
        """Truth value of the query when each atom takes the value ``assignment[atom]``.

        Values are Python bools or bool arrays of one common shape (broadcasting
        applies); the result is a bool array of that shape when any atom of the query
        (or, for a query without atoms, any value of ``assignment``) is an array,
        else a Python bool. Raises ``KeyError`` naming the first atom without a value.
        """
        template: np.ndarray | None = None
        for atom in self.atoms():
            if atom not in assignment:
                raise KeyError(f"no truth value for atom {atom}")
            if template is None and isinstance(assignment[atom], np.ndarray):
                template = cast(np.ndarray, assignment[atom])
        if template is None:
            template = next((v for v in assignment.values() if isinstance(v, np.ndarray)), None)
        return self._evaluate(assignment, template)

    def _evaluate(self, assignment: Mapping[Atom, Truth], template: np.ndarray | None) -> Truth:
        raise NotImplementedError

    def truth_table(self) -> pd.DataFrame:
        """Every assignment of the query's atoms with the resulting truth value.

        One bool column per atom, named ``str(atom)``, in the order of :meth:`atoms`,
        then the result column ``"value"`` (if an atom is itself printed ``value``, the
        result column gets underscores around its name until it is unique). There are
        ``2**k`` rows for ``k`` atoms; in row ``r`` atom ``i`` is true iff bit ``i`` of
        ``r`` is set. Raises ``ValueError`` above 20 atoms.
        """
        atoms = self.atoms()
        if len(atoms) > _MAX_TABLE_ATOMS:
            raise ValueError(
                f"a truth table over {len(atoms)} atoms has 2^{len(atoms)} rows; "
                f"at most {_MAX_TABLE_ATOMS} atoms are supported"
            )
        columns = _truth_columns(atoms)
        rows = 1 << len(atoms)
        value = np.broadcast_to(np.asarray(self.evaluate(columns), dtype=bool), (rows,))
        data = {str(atom): column for atom, column in columns.items()}
        result_name = "value"
        while result_name in data:
            result_name = f"_{result_name}_"
        data[result_name] = np.array(value)
        return pd.DataFrame(data)

    def equivalent(self, other: Query) -> bool:
        """Whether both queries have the same truth value under every assignment of the
        union of their atoms (atoms are independent variables).

        Exact: compares numpy truth tables for up to 20 atoms, and asks sympy whether
        the exclusive or of both is satisfiable beyond that.
        """
        if not isinstance(other, Query):
            raise TypeError(f"can only compare with a Query, got {type(other).__name__}")
        atoms = tuple(dict.fromkeys(self.atoms() + other.atoms()))
        if len(atoms) > _MAX_TABLE_ATOMS:
            symbols = {atom: sympy.Symbol(f"x{i}") for i, atom in enumerate(atoms)}
            difference = boolalg.Xor(self.to_sympy(symbols), other.to_sympy(symbols))
            return sympy.satisfiable(difference) is False
        columns = _truth_columns(atoms)
        shape = (1 << len(atoms),)
        mine = np.broadcast_to(np.asarray(self.evaluate(columns), dtype=bool), shape)
        theirs = np.broadcast_to(np.asarray(other.evaluate(columns), dtype=bool), shape)
        return bool(np.array_equal(mine, theirs))

    # -- sympy -----------------------------------------------------------------------

    def to_sympy(self, symbols: Mapping[Atom, sympy.Symbol] | None = None) -> boolalg.Boolean:
        """The query as a sympy Boolean expression.

        Each atom becomes ``symbols[atom]``, by default ``sympy.Symbol(str(atom))``
        (distinct atoms print differently, so they get distinct symbols). Note that
        sympy's constructors simplify on the fly (``a & a`` becomes ``a``).
        """
        if symbols is None:
            symbols = {atom: sympy.Symbol(str(atom)) for atom in self.atoms()}
        return self._to_sympy(symbols)

    def _to_sympy(self, symbols: Mapping[Atom, sympy.Symbol]) -> boolalg.Boolean:
        raise NotImplementedError

    @classmethod
    def from_sympy(cls, expr: Any, atoms_by_symbol: Mapping[sympy.Symbol, Atom]) -> Query:
        """The query of a sympy Boolean expression, each symbol replaced by its atom.

        Understands symbols, ``true``/``false`` (and Python bools), ``Not``, ``And``,
        ``Or``, ``Xor``, ``Implies`` and, rewritten into those, ``Equivalent``,
        ``Xnor``, ``Nand``, ``Nor`` and ``ITE``. Raises ``KeyError`` for a symbol
        without an atom and ``TypeError`` for any other kind of expression.
        """

        def convert(node: Any) -> Query:
            if isinstance(node, bool | boolalg.BooleanTrue | boolalg.BooleanFalse):
                return Constant(bool(node))
            if isinstance(node, sympy.Symbol):
                if node not in atoms_by_symbol:
                    raise KeyError(f"no atom for sympy symbol {node}")
                return atoms_by_symbol[node]
            args = [convert(arg) for arg in getattr(node, "args", ())]
            if isinstance(node, boolalg.Not):
                return Not(args[0])
            if isinstance(node, boolalg.And):
                return And.of(*args)
            if isinstance(node, boolalg.Or):
                return Or.of(*args)
            if isinstance(node, boolalg.Xor):
                return Xor.of(*args)
            if isinstance(node, boolalg.Implies):
                return Implies(args[0], args[1])
            if isinstance(node, boolalg.Xnor):
                return Not(Xor.of(*args))
            if isinstance(node, boolalg.Nand):
                return Not(And.of(*args))
            if isinstance(node, boolalg.Nor):
                return Not(Or.of(*args))
            if isinstance(node, boolalg.Equivalent):
                if len(args) == 2:
                    return Not(Xor(args[0], args[1]))
                return Or(And.of(*args), And.of(*(Not(arg) for arg in args)))
            if isinstance(node, boolalg.ITE):
                condition, then, otherwise = args
                return Or(And(condition, then), And(Not(condition), otherwise))
            raise TypeError(f"cannot convert sympy expression {node!r} to a query")

        return convert(expr)

    def simplify(self) -> Query:
        """An equivalent, simpler query: ``sympy.simplify_logic`` of :meth:`to_sympy`,
        converted back (sympy settles for a cheaper form above 8 atoms)."""
        symbols = {atom: sympy.Symbol(str(atom)) for atom in self.atoms()}
        simplified = sympy.simplify_logic(self.to_sympy(symbols))
        return Query.from_sympy(simplified, {symbol: atom for atom, symbol in symbols.items()})


@dataclass(frozen=True)
class Atom(Query):
    """A Boolean variable of a query; a feature space resolves it to a set of features.

    ``kind`` and the text that produces it:

    - ``"text"``: ``"not"``, ``'good'``; ``value`` is the unescaped text.
    - ``"name"``: ``N``, ``O3``, ``Treg``; ``value`` is a bare name (not a keyword).
    - ``"qualified"``: ``element:O``, ``word:"good"``; ``qualifier`` is the part
      before the colon, ``value`` the (unquoted) text after it.
    - ``"pattern"``: ``smarts"c1ccccc1"``; ``qualifier`` is the prefix, ``value`` the
      unescaped text of the string.
    - ``"index"``: ``#3``; ``value`` is the int index.
    - ``"range"``: ``#3..7``; ``value`` is the inclusive ``(start, end)``, start <= end.

    Qualifiers are lower-cased, names and texts keep their case. Atoms compare and
    hash by ``(kind, value, qualifier)``; ``span`` is the ``[start, end)`` character
    offset of the atom in the parsed text (``None`` when built in code) and is
    ignored by comparisons. Invalid combinations raise ``ValueError``/``TypeError``.
    """

    precedence: ClassVar[int] = 6

    kind: AtomKind
    value: str | int | tuple[int, int]
    qualifier: str | None = None
    span: tuple[int, int] | None = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        kind, value, qualifier = self.kind, self.value, self.qualifier
        if kind not in _ATOM_KINDS:
            raise ValueError(f"unknown atom kind {kind!r}; expected one of {sorted(_ATOM_KINDS)}")
        if kind in ("qualified", "pattern"):
            if not isinstance(qualifier, str):
                raise TypeError(f"a {kind} atom needs a str qualifier, got {qualifier!r}")
            qualifier = qualifier.lower()
            if not is_bare_name(qualifier):
                raise ValueError(
                    f"qualifier {qualifier!r} is not a name (letters, digits, underscores; "
                    "not starting with a digit; not a keyword)"
                )
            object.__setattr__(self, "qualifier", qualifier)
        elif qualifier is not None:
            raise ValueError(f"a {kind} atom takes no qualifier, got {qualifier!r}")
        if kind in ("text", "name", "qualified", "pattern"):
            if not isinstance(value, str):
                raise TypeError(f"the value of a {kind} atom must be a str, got {value!r}")
            if kind == "name" and not is_bare_name(value):
                raise ValueError(
                    f"{value!r} is not a bare name (letters, digits, underscores; not starting "
                    f"with a digit; not a keyword); use Atom('qualified', {value!r}, 'name') "
                    "or a text atom"
                )
        elif kind == "index":
            object.__setattr__(self, "value", _as_index(value, "an index"))
        else:
            if not isinstance(value, tuple | list) or len(value) != 2:
                raise TypeError(f"the value of a range atom is (start, end), got {value!r}")
            start = _as_index(value[0], "a range start")
            end = _as_index(value[1], "a range end")
            if start > end:
                raise ValueError(f"range start {start} is greater than its end {end}")
            object.__setattr__(self, "value", (start, end))

    def _format(self) -> str:
        kind, value = self.kind, self.value
        if kind == "text":
            return _quote(cast(str, value))
        if kind == "name":
            return cast(str, value)
        if kind == "qualified":
            text = cast(str, value)
            bare = is_bare_name(text) or _NUMBER.fullmatch(text) is not None
            return f"{self.qualifier}:{text if bare else _quote(text)}"
        if kind == "pattern":
            return f"{self.qualifier}{_quote(cast(str, value))}"
        if kind == "index":
            return f"#{value}"
        start, end = cast(tuple[int, int], value)
        return f"#{start}..{end}"

    def _evaluate(self, assignment: Mapping[Atom, Truth], template: np.ndarray | None) -> Truth:
        value = assignment[self]
        if isinstance(value, np.ndarray):
            return np.asarray(value, dtype=bool)
        return bool(value)

    def _to_sympy(self, symbols: Mapping[Atom, sympy.Symbol]) -> boolalg.Boolean:
        if self not in symbols:
            raise KeyError(f"no sympy symbol for atom {self}")
        return symbols[self]


@dataclass(frozen=True)
class Constant(Query):
    """The constant ``true`` or ``false``."""

    precedence: ClassVar[int] = 6

    value: bool

    def __post_init__(self) -> None:
        if not isinstance(self.value, bool | np.bool_):
            raise TypeError(f"a Constant holds a bool, got {self.value!r}")
        object.__setattr__(self, "value", bool(self.value))

    def _format(self) -> str:
        return "true" if self.value else "false"

    def _evaluate(self, assignment: Mapping[Atom, Truth], template: np.ndarray | None) -> Truth:
        if template is None:
            return self.value
        return np.full(template.shape, self.value, dtype=bool)

    def _to_sympy(self, symbols: Mapping[Atom, sympy.Symbol]) -> boolalg.Boolean:
        return sympy.true if self.value else sympy.false


@dataclass(frozen=True)
class Not(Query):
    """Negation: true where ``operand`` is false."""

    precedence: ClassVar[int] = 5

    operand: Query

    def __post_init__(self) -> None:
        if not isinstance(self.operand, Query):
            raise TypeError(f"the operand of Not must be a Query, got {self.operand!r}")

    @property
    def children(self) -> tuple[Query, ...]:
        """``(operand,)``."""
        return (self.operand,)

    def _format(self) -> str:
        return "~" + self._wrap(self.operand, self.operand.precedence < self.precedence)

    def _evaluate(self, assignment: Mapping[Atom, Truth], template: np.ndarray | None) -> Truth:
        value = self.operand._evaluate(assignment, template)
        if isinstance(value, np.ndarray):
            return np.asarray(np.logical_not(value))
        return not value

    def _to_sympy(self, symbols: Mapping[Atom, sympy.Symbol]) -> boolalg.Boolean:
        return boolalg.Not(self.operand._to_sympy(symbols))


@dataclass(frozen=True, init=False)
class _Nary(Query):
    """An associative operator over two or more operands (base of And, Or, Xor).

    Construct with the operands as arguments or as one iterable: ``And(a, b, c)`` and
    ``And((a, b, c))`` are equal. Operands of the same class are flattened into the
    result; fewer than two operands after flattening raise ``ValueError``.
    """

    symbol: ClassVar[str]
    identity: ClassVar[bool]

    operands: tuple[Query, ...]

    def __init__(self, *operands: Query | Iterable[Query]) -> None:
        items: Iterable[Any] = operands
        if len(operands) == 1 and not isinstance(operands[0], Query):
            items = operands[0]
        flat: list[Query] = []
        for item in items:
            if not isinstance(item, Query):
                raise TypeError(f"operands of {type(self).__name__} must be queries, got {item!r}")
            if type(item) is type(self):
                flat.extend(cast(_Nary, item).operands)
            else:
                flat.append(item)
        if len(flat) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least two operands, got {len(flat)}; "
                f"{type(self).__name__}.of(...) also accepts fewer"
            )
        object.__setattr__(self, "operands", tuple(flat))

    @classmethod
    def of(cls, *operands: Query) -> Query:
        """The operator over ``operands``, or the operand itself if there is only one,
        or the operator's identity (``true`` for And, ``false`` for Or and Xor) if none."""
        if not operands:
            return Constant(cls.identity)
        if len(operands) == 1:
            return operands[0]
        return cls(*operands)

    @property
    def children(self) -> tuple[Query, ...]:
        """The operands."""
        return self.operands

    def _format(self) -> str:
        return f" {self.symbol} ".join(
            self._wrap(operand, operand.precedence <= self.precedence) for operand in self.operands
        )

    def _evaluate(self, assignment: Mapping[Atom, Truth], template: np.ndarray | None) -> Truth:
        values = [operand._evaluate(assignment, template) for operand in self.operands]
        return reduce(self._combine, values)

    @staticmethod
    def _combine(left: Truth, right: Truth) -> Truth:
        raise NotImplementedError


@dataclass(frozen=True, init=False)
class And(_Nary):
    """Conjunction: true where every operand is true."""

    precedence: ClassVar[int] = 4
    symbol: ClassVar[str] = "&"
    identity: ClassVar[bool] = True

    @staticmethod
    def _combine(left: Truth, right: Truth) -> Truth:
        if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
            return np.asarray(np.logical_and(left, right))
        return left and right

    def _to_sympy(self, symbols: Mapping[Atom, sympy.Symbol]) -> boolalg.Boolean:
        return boolalg.And(*(operand._to_sympy(symbols) for operand in self.operands))


@dataclass(frozen=True, init=False)
class Xor(_Nary):
    """Exclusive or: true where an odd number of operands is true."""

    precedence: ClassVar[int] = 3
    symbol: ClassVar[str] = "^"
    identity: ClassVar[bool] = False

    @staticmethod
    def _combine(left: Truth, right: Truth) -> Truth:
        if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
            return np.asarray(np.logical_xor(left, right))
        return left != right

    def _to_sympy(self, symbols: Mapping[Atom, sympy.Symbol]) -> boolalg.Boolean:
        return boolalg.Xor(*(operand._to_sympy(symbols) for operand in self.operands))


@dataclass(frozen=True, init=False)
class Or(_Nary):
    """Disjunction: true where at least one operand is true."""

    precedence: ClassVar[int] = 2
    symbol: ClassVar[str] = "|"
    identity: ClassVar[bool] = False

    @staticmethod
    def _combine(left: Truth, right: Truth) -> Truth:
        if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
            return np.asarray(np.logical_or(left, right))
        return left or right

    def _to_sympy(self, symbols: Mapping[Atom, sympy.Symbol]) -> boolalg.Boolean:
        return boolalg.Or(*(operand._to_sympy(symbols) for operand in self.operands))


@dataclass(frozen=True)
class Implies(Query):
    """Implication ``antecedent -> consequent``: false only where the antecedent is
    true and the consequent false. Right-associative: ``a -> b -> c`` is ``a -> (b -> c)``."""

    precedence: ClassVar[int] = 1

    antecedent: Query
    consequent: Query

    def __post_init__(self) -> None:
        for part in (self.antecedent, self.consequent):
            if not isinstance(part, Query):
                raise TypeError(f"both sides of Implies must be queries, got {part!r}")

    @property
    def children(self) -> tuple[Query, ...]:
        """``(antecedent, consequent)``."""
        return (self.antecedent, self.consequent)

    def _format(self) -> str:
        left = self._wrap(self.antecedent, self.antecedent.precedence <= self.precedence)
        right = self._wrap(self.consequent, self.consequent.precedence < self.precedence)
        return f"{left} -> {right}"

    def _evaluate(self, assignment: Mapping[Atom, Truth], template: np.ndarray | None) -> Truth:
        antecedent = self.antecedent._evaluate(assignment, template)
        consequent = self.consequent._evaluate(assignment, template)
        if isinstance(antecedent, np.ndarray) or isinstance(consequent, np.ndarray):
            return np.asarray(np.logical_or(np.logical_not(antecedent), consequent))
        return (not antecedent) or consequent

    def _to_sympy(self, symbols: Mapping[Atom, sympy.Symbol]) -> boolalg.Boolean:
        antecedent = self.antecedent._to_sympy(symbols)
        return boolalg.Implies(antecedent, self.consequent._to_sympy(symbols))
