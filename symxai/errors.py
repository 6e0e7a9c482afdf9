"""Exceptions raised by symxai.

Every user-facing error derives from :class:`SymxaiError`. Errors about a query
string carry the query, the 1-based column of the offending character and what
was expected there, and render a caret under that column::

    symxai.errors.QueryError: unexpected '&' at column 5; expected an atom, '(' or 'not'
      a & & b
          ^

A long query is echoed as a window around the caret, and long words in the message
are shortened, so that no line of a message grows with the query's length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "LINE_LIMIT",
    "BackendCapabilityError",
    "FeatureSpaceError",
    "InputFileError",
    "QueryError",
    "SymxaiError",
    "UnknownAtomError",
    "caret_block",
    "shorten_words",
]


class SymxaiError(Exception):
    """Base class of all errors raised on purpose by symxai."""


class FeatureSpaceError(SymxaiError, ValueError):
    """A feature space, subset or mask is malformed (wrong length, unknown index)."""


class BackendCapabilityError(SymxaiError, TypeError):
    """The backend does not offer what was asked (relevant walks, per-feature relevance)."""


class InputFileError(SymxaiError, ValueError):
    """A file given by the user (query file, report spec) is not a readable text file:
    a directory, a device, unreadable, or not UTF-8. The message names the file."""


LINE_LIMIT = 100
"""Longest line (indent included) of the query echoed under an error message."""

_CUT = "..."


def shorten_words(text: str, limit: int = 60) -> str:
    """``text`` with every run of more than ``limit`` non-space characters (an echoed
    atom or pattern) cut in the middle to ``limit`` characters, the cut marked ``...``."""
    head = (limit - len(_CUT)) * 2 // 3
    tail = limit - len(_CUT) - head
    return re.sub(
        rf"\S{{{limit + 1},}}",
        lambda match: match[0][:head] + _CUT + match[0][-tail:],
        text,
    )


def _window(length: int, start: int, room: int) -> tuple[int, int]:
    """``[left, right)`` of at most ``room`` characters of a text of ``length``
    characters, centred on position ``start``."""
    left = max(0, min(start - room // 2, length - room))
    return left, min(length, left + room)


def caret_block(query: str, column: int | None, width: int = 1) -> str:
    """Two indented lines: the query and ``^`` markers under ``column`` (1-based).

    A query longer than :data:`LINE_LIMIT` is cut to a window around the column (the
    start when there is no column), each cut marked by ``...``; the carets stay under
    the characters they point at, and no line exceeds :data:`LINE_LIMIT` characters.
    """
    line = query.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    start = 0 if column is None else max(0, column - 1)
    room = LINE_LIMIT - 2
    left, right = 0, len(line)
    if len(line) > room:
        left, right = _window(len(line), start, room - 2 * len(_CUT))
    prefix = _CUT if left > 0 else ""
    suffix = _CUT if right < len(line) else ""
    shown = f"  {prefix}{line[left:right]}{suffix}"
    if column is None:
        return shown
    carets = max(1, min(width, right - start) if suffix else width)
    return f"{shown}\n  {' ' * (len(prefix) + start - left)}{'^' * carets}"


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
        One-line description of the problem, without the caret block (an echoed word
        longer than 60 characters is cut in the middle, see :func:`shorten_words`).
    """

    def __init__(
        self,
        reason: str,
        query: str = "",
        column: int | None = None,
        expected: Sequence[str] = (),
        width: int = 1,
    ) -> None:
        self.reason = shorten_words(reason)
        self.hint = shorten_words(getattr(self, "hint", ""))
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
