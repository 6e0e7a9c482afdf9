"""Named queries and query files.

A query file holds one query per line, optionally named, with ``#`` comments::

    # nitroaromatics
    nitro: smarts"[N+](=O)[O-]"          # the nitro group
    nitro_ring: smarts"[N+](=O)[O-]" & smarts"c1ccccc1"
    N & O & ~#0..3

The line structure is defined by ``grammar/query_file.lark`` and every query by
``grammar/query.lark``; a malformed query raises :class:`QueryFileError`, which names the
file, the line and the column (with a caret under it). An unnamed query is named by its
canonical text. Lines of only spaces are blank, and a file may start with a UTF-8
byte-order mark.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import UnexpectedInput

from symxai.errors import QueryError, caret_block
from symxai.query.ast import Query
from symxai.query.parser import grammar_resource, parse_query
from symxai.report.textfile import read_text_file

__all__ = ["NamedQuery", "QueryFileError", "named_queries", "parse_query_lines", "read_query_file"]


@dataclass(frozen=True)
class NamedQuery:
    """A query with the name it has in reports (``nitro``), and where it was written:
    ``source`` (file), ``line`` (1-based), the line's ``text``, and ``offset``, the column
    at which the query text starts (an atom's ``span`` start plus ``offset`` is its
    column in the line)."""

    name: str
    query: Query
    source: str = ""
    line: int | None = None
    text: str = ""
    offset: int = 1

    @property
    def formula(self) -> str:
        """The canonical text of the query."""
        return str(self.query)


class QueryFileError(QueryError):
    """A query file (or a spec's query list) has a bad line.

    ``path`` and ``line`` (1-based; ``None`` for a query given on its own, such as a
    command-line argument) locate it; ``column`` is the column within the line.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str,
        line: int | None,
        text: str,
        column: int | None = None,
        width: int = 1,
        expected: Iterable[str] = (),
    ) -> None:
        self.path = path
        self.line = line
        self.text = text
        super().__init__(reason, query="", column=column, expected=tuple(expected), width=width)
        self.query = text
        self.args = (self._located(),)

    def _located(self) -> str:
        where = self.path + (f", line {self.line}" if self.line is not None else "")
        where += f", column {self.column}" if self.column is not None else ""
        message = f"{where}: {self.reason}"
        if self.expected:
            message += "; expected " + ", ".join(self.expected)
        if self.hint:
            message += "; " + self.hint
        return message + "\n" + caret_block(self.text, self.column, self.width)


@functools.cache
def _file_parser() -> Lark:
    return Lark(
        grammar_resource("query_file.lark").read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
    )


def _query_at(token: Token, text: str, path: str, numbered: bool) -> Query:
    """Parse the QUERY token of a line, moving errors to file coordinates."""
    try:
        return parse_query(str(token))
    except QueryError as error:
        column = None if error.column is None else error.column + int(token.column or 1) - 1
        raise QueryFileError(
            error.reason,
            path=path,
            line=int(token.line or 0) if numbered else None,
            text=text,
            column=column,
            width=error.width,
            expected=error.expected,
        ) from None


def parse_query_lines(
    text: str, path: str = "<queries>", *, numbered: bool = True
) -> list[NamedQuery]:
    """Named queries of query-file text (see the module docstring).

    ``numbered=False`` leaves line numbers out of error messages (one query given on its
    own, such as a command-line argument, which ``path`` then names). Raises
    :class:`QueryFileError` for a malformed line, a name without a query, a repeated
    name, or a file without any query.
    """
    lines = text.splitlines()
    try:
        tree = _file_parser().parse(text if text.endswith("\n") else text + "\n")
    except UnexpectedInput as error:
        line = int(getattr(error, "line", 1) or 1)
        raise QueryFileError(
            "cannot read this line",
            path=path,
            line=line,
            text=lines[line - 1] if 0 < line <= len(lines) else "",
            column=getattr(error, "column", None),
        ) from None
    out: list[NamedQuery] = []
    seen: dict[str, int] = {}
    for entry in tree.children:
        tokens = {token.type: token for token in entry.children}
        first = entry.children[0]
        line = int(first.line or 0)
        source = lines[line - 1]
        label = tokens.get("LABEL")
        name = str(label).rstrip()[:-1].rstrip() if label is not None else None
        body = tokens.get("QUERY")
        if label is None and body is not None and not str(body).strip():
            continue  # a line of only spaces (or spaces before a comment) is blank
        if body is None or not str(body).strip():
            raise QueryFileError(
                f"the name {name!r} has no query after it",
                path=path,
                line=line,
                text=source,
                column=len(source.rstrip()) + 1,
            )
        query = _query_at(body, source, path, numbered)
        name = name or str(query)
        if name in seen:
            raise QueryFileError(
                f"the name {name!r} is used twice (first on line {seen[name]})",
                path=path,
                line=line,
                text=source,
                column=int(first.column or 1),
                width=len(name),
            )
        seen[name] = line
        out.append(
            NamedQuery(name, query, path, line if numbered else None, source, int(body.column or 1))
        )
    if not out:
        raise QueryFileError("no queries found", path=path, line=1, text="")
    return out


def read_query_file(path: str | Path) -> list[NamedQuery]:
    """The named queries of a query file (UTF-8, a byte-order mark allowed).

    ``FileNotFoundError`` names a missing file; :class:`~symxai.errors.InputFileError`
    a directory, a device or a file that is not UTF-8 (see
    :func:`~symxai.report.textfile.read_text_file`).
    """
    return parse_query_lines(read_text_file(path, "query file"), str(path))


def named_queries(
    queries: str | Path | Iterable[str | Query | NamedQuery] | Mapping[str, str | Query],
    source: str = "<queries>",
) -> list[NamedQuery]:
    """Named queries from a query file path, a mapping ``name -> query``, or a list of
    query texts (each may be ``name: query``), :class:`Query` or :class:`NamedQuery`."""
    if isinstance(queries, (str, Path)):
        return read_query_file(queries)
    if isinstance(queries, Mapping):
        queries = [f"{name}: {query}" for name, query in queries.items()]
    items = list(queries)
    out: list[NamedQuery] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, NamedQuery):
            out.append(item)
            continue
        where = f"{source} {number}" if len(items) > 1 else source
        out += parse_query_lines(str(item), where, numbered=False)
    names = [query.name for query in out]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise QueryFileError(
            f"query names must be unique; repeated: {', '.join(repeated)}",
            path=source,
            line=None,
            text="",
        )
    return out
