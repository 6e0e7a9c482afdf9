"""Exceptions raised by symxai.

Every user-facing error derives from :class:`SymxaiError`. Errors about a query
string carry the query, the 1-based column of the offending character and what
was expected there, and render a caret under that column::

    symxai.errors.QueryError: unexpected '&' at column 5; expected an atom, '(' or 'not'
      a & & b
          ^
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["FeatureSpaceError", "QueryError", "SymxaiError", "UnknownAtomError"]


class SymxaiError(Exception):
    """Base class of all errors raised on purpose by symxai."""


class FeatureSpaceError(SymxaiError, ValueError):
    """A feature space, subset or mask is malformed (wrong length, unknown index)."""


def caret_block(query: str, column: int | None, width: int = 1) -> str:
    """Two indented lines: the query and ``^`` markers under ``column`` (1-based)."""
    if column is None:
        return f"  {query}"
    line = query.replace("\n", " ").replace("\t", " ")
    pad = " " * (column - 1)
    return f"  {line}\n  {pad}{'^' * max(1, width)}"


class QueryError(SymxaiError, ValueError):
    """A query string is malformed, or one of its atoms cannot be used.

    Attributes
    ----------
    query:
        The query text as given by the user.
    column:
        1-based column of the offending character, ``None`` when the whole query is at fault.
    expected:
        Human-readable descriptions of what would have been accepted at ``column``.
    reason:
        One-line description of the problem, without the caret block.
    """

    def __init__(
        self,
        reason: str,
        query: str = "",
        column: int | None = None,
        expected: Sequence[str] = (),
        width: int = 1,
    ) -> None:
        self.reason = reason
        self.hint = getattr(self, "hint", "")
        self.query = query
        self.column = column
        self.expected = tuple(expected)
        self.width = width
        super().__init__(self._render())

    def _render(self) -> str:
        message = self.reason
        if self.column is not None and "column" not in message:
            message += f" at column {self.column}"
        if self.expected:
            message += "; expected " + _human_join(self.expected)
        if self.hint:
            message += "; " + self.hint
        if self.query:
            message += "\n" + caret_block(self.query, self.column, self.width)
        return message


class UnknownAtomError(QueryError, LookupError):
    """An atom of a query matches no feature of the feature space.

    ``suggestions`` holds the closest feature, word or group names (difflib ratio).
    """

    def __init__(
        self,
        reason: str,
        query: str = "",
        column: int | None = None,
        suggestions: Sequence[str] = (),
        width: int = 1,
    ) -> None:
        self.suggestions = tuple(suggestions)
        if self.suggestions:
            self.hint = "did you mean " + _human_join([repr(s) for s in self.suggestions]) + "?"
        super().__init__(reason, query=query, column=column, width=width)


def _human_join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
