"""Parse query text into the AST of :mod:`symxai.query.ast`.

The language is defined entirely by ``grammar/query.lark`` (LALR, contextual
lexer); a :class:`lark.Transformer` turns the parse tree into AST nodes. Every
malformed input raises :class:`symxai.errors.QueryError` with the 1-based column
of the offending character and what the grammar would have accepted there::

    >>> parse_query("a & & b")
    Traceback (most recent call last):
    symxai.errors.QueryError: unexpected '&' at column 5; expected an atom, '(' or 'not'
      a & & b
          ^
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterable
from importlib.resources.abc import Traversable
from pathlib import Path

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from symxai.errors import QueryError
from symxai.query.ast import And, Atom, AtomKind, Constant, Implies, Not, Or, Query, Xor

__all__ = ["MAX_NESTING", "grammar_resource", "parse_query"]

#: Deepest nesting of operators and parentheses accepted, so that every parsed query
#: can be printed, compared and evaluated without exhausting Python's stack.
MAX_NESTING = 100

_WHITESPACE = re.compile(r"\s*")
_ESCAPE = re.compile(r"\\([\s\S])")

# Human descriptions of the grammar's terminals, in the order they are listed in errors.
_ATOM = "an atom"
_VALUE = "a name, number or quoted string"
_DESCRIPTIONS: dict[str, str] = {
    "NAME": _ATOM,
    "STRING": _ATOM,
    "PATTERN_HEAD": _ATOM,
    "INDEX": _ATOM,
    "RANGE": _ATOM,
    "TRUE_KW": _ATOM,
    "FALSE_KW": _ATOM,
    "LPAR": "'('",
    "TILDE": "'not'",
    "BANG": "'not'",
    "NOT_KW": "'not'",
    "AMP": "'&'",
    "AND_KW": "'&'",
    "CARET": "'^'",
    "XOR_KW": "'^'",
    "BAR": "'|'",
    "OR_KW": "'|'",
    "ARROW": "'->'",
    "IMPLIES_KW": "'->'",
    "RPAR": "')'",
    "$END": "end of query",
}
_ORDER: tuple[str, ...] = (
    _ATOM,
    _VALUE,
    "'('",
    "'not'",
    "'&'",
    "'^'",
    "'|'",
    "'->'",
    "')'",
    "end of query",
)


def grammar_resource(name: str = "query.lark") -> Traversable:
    """Location of a grammar file (``query.lark``, ``query_file.lark``): inside the
    installed package (``symxai/grammar``, also in a zipped install), else in the
    ``grammar`` folder of a source checkout.

    Raises ``FileNotFoundError`` naming both places when neither has it.
    """
    packaged = importlib.resources.files("symxai") / "grammar" / name
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "grammar" / name
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(
        f"the symxai grammar {name} was not found (looked at {packaged} and "
        f"{checkout}); reinstall symxai or restore grammar/{name} in the source checkout"
    )


@functools.cache
def _lark() -> Lark:
    """The LALR parser of the query grammar, built on first use."""
    return Lark(
        grammar_resource().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def _unescape(token: Token) -> str:
    """The text of a STRING token without its quotes: ``\\"``, ``\\'`` and ``\\\\`` stand
    for the character after the backslash; any other backslash is kept as written."""
    return _ESCAPE.sub(
        lambda match: match[1] if match[1] in "\"'\\" else match[0], str(token)[1:-1]
    )


def _queries(children: Iterable[Query | Token]) -> list[Query]:
    """The sub-queries among a rule's children (operator tokens are dropped)."""
    return [child for child in children if isinstance(child, Query)]


class _ToAst(Transformer[Token, Query]):
    """Builds AST nodes bottom-up from the parse tree of one query text."""

    def __init__(self, text: str) -> None:
        super().__init__(visit_tokens=False)
        self._text = text

    def _atom(
        self,
        kind: AtomKind,
        value: str | int | tuple[int, int],
        first: Token,
        last: Token,
        qualifier: str | None = None,
    ) -> Atom:
        start, end = first.start_pos or 0, last.end_pos or 0
        try:
            return Atom(kind, value, qualifier, span=(start, end))
        except (TypeError, ValueError) as error:
            raise QueryError(
                str(error), query=self._text, column=start + 1, width=end - start
            ) from None

    def start(self, children: list[Query]) -> Query:
        return children[0]

    def implication(self, children: list[Query | Token]) -> Query:
        antecedent, consequent = _queries(children)
        return Implies(antecedent, consequent)

    def disjunction(self, children: list[Query | Token]) -> Query:
        return Or(_queries(children))

    def exclusive(self, children: list[Query | Token]) -> Query:
        return Xor(_queries(children))

    def conjunction(self, children: list[Query | Token]) -> Query:
        return And(_queries(children))

    def negation(self, children: list[Query | Token]) -> Query:
        (operand,) = _queries(children)
        return Not(operand)

    def name_atom(self, children: list[Token]) -> Query:
        (name,) = children
        return self._atom("name", str(name), name, name)

    def text_atom(self, children: list[Token]) -> Query:
        (text,) = children
        return self._atom("text", _unescape(text), text, text)

    def qualified_atom(self, children: list[Token]) -> Query:
        qualifier, value = children
        text = _unescape(value) if value.type == "STRING" else str(value)
        return self._atom("qualified", text, qualifier, value, qualifier=str(qualifier))

    def pattern_atom(self, children: list[Token]) -> Query:
        head, pattern = children
        return self._atom("pattern", _unescape(pattern), head, pattern, qualifier=str(head))

    def index_atom(self, children: list[Token]) -> Query:
        (index,) = children
        return self._atom("index", int(index[1:]), index, index)

    def range_atom(self, children: list[Token]) -> Query:
        (token,) = children
        start, end = (int(part) for part in token[1:].split(".."))
        if start > end:
            raise QueryError(
                f"empty range {token}: the start {start} is greater than the end {end}",
                query=self._text,
                column=(token.start_pos or 0) + 1,
                width=len(token),
            )
        return self._atom("range", (start, end), token, token)

    def true_atom(self, children: list[Token]) -> Query:
        return Constant(True)

    def false_atom(self, children: list[Token]) -> Query:
        return Constant(False)


def _describe(terminals: Iterable[str]) -> list[str]:
    """Human descriptions of a set of expected terminals, deduplicated and ordered."""
    names = set(terminals)
    if "NUMBER" in names:
        return [_VALUE]
    found = {_DESCRIPTIONS[name] for name in names if name in _DESCRIPTIONS}
    return [text for text in _ORDER if text in found]


def _show(token: Token) -> str:
    """A token as quoted in an error message: strings as written, other tokens in single
    quotes; Python's repr when it holds unprintable characters, shortened when long."""
    text = str(token)
    if len(text) > 40:
        text = text[:37] + "..."
    if not text.isprintable():
        return repr(text)
    return text if token.type == "STRING" else f"'{text}'"


def _accepted_after(prefix: str) -> set[str] | None:
    """Terminals the parser accepts after the (well-formed so far) text ``prefix``,
    simulating reductions; ``None`` if the prefix itself cannot be parsed."""
    try:
        parser = _lark().parse_interactive(prefix)
        parser.exhaust_lexer()
        return set(parser.accepts())
    except LarkError:
        return None


def _syntax_error(text: str, error: UnexpectedInput) -> QueryError:
    """The QueryError for a Lark parse or lex error on ``text``."""
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
        char = text[position]
        if char in "\"'":
            return QueryError(
                f"unterminated string: the quote {char} is never closed",
                query=text,
                column=position + 1,
                expected=[f"a closing {char}"],
            )
        accepted = _accepted_after(text[:position])
        return QueryError(
            f"unexpected character {char!r}",
            query=text,
            column=position + 1,
            expected=_describe(error.allowed or () if accepted is None else accepted),
        )
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        position = token.start_pos or 0
        accepted = _accepted_after(text[:position])
        return QueryError(
            f"unexpected {_show(token)}",
            query=text,
            column=position + 1,
            expected=_describe(error.expected if accepted is None else accepted),
            width=len(token),
        )
    accepted = _accepted_after(text)
    if accepted is None:
        accepted = error.expected if isinstance(error, UnexpectedToken | UnexpectedEOF) else set()
    return QueryError(
        "unexpected end of query", query=text, column=len(text) + 1, expected=_describe(accepted)
    )


def _too_deep(tree: Tree[Token]) -> Tree[Token] | None:
    """The first subtree nested deeper than MAX_NESTING levels, found without recursion."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return node
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return None


@functools.lru_cache(maxsize=4096)
def parse_query(text: str) -> Query:
    """The AST of the query ``text`` (results are cached; the AST is immutable).

    Raises :class:`~symxai.errors.QueryError` for every malformed text, including an
    empty one, and ``TypeError`` when ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"a query must be a str, got {type(text).__name__}")
    if _WHITESPACE.fullmatch(text):
        raise QueryError("empty query", query=text)
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    except LarkError as error:
        raise QueryError(f"cannot parse query: {error}", query=text) from None
    deep = _too_deep(tree)
    if deep is not None:
        column = deep.meta.start_pos + 1 if not deep.meta.empty else None
        raise QueryError(
            f"query nested too deeply (more than {MAX_NESTING} levels)", query=text, column=column
        )
    try:
        return _ToAst(text).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, QueryError):
            raise error.orig_exc from None
        raise
