"""RDKit's error messages, captured, and SMARTS patterns compiled with a clear error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from rdkit import Chem, rdBase

from symxai.errors import QueryError

__all__ = ["RDKitErrorLog", "captured_rdkit_errors", "compile_smarts"]

_LOG_PREFIX = re.compile(r"^\[\d\d:\d\d:\d\d\]\s*")
_PARSE_ERROR = re.compile(r"^(SMILES|SMARTS) Parse Error:\s*")
_POSITION = re.compile(r"around position (\d+)")


class RDKitErrorLog:
    """Holder of the RDKit error messages captured by :func:`captured_rdkit_errors`."""

    messages: str = ""

    def reason(self) -> str:
        """First error line without time stamp and prefix, with the position if given."""
        lines = [_LOG_PREFIX.sub("", line).strip() for line in self.messages.splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            return ""
        reason = " ".join(_PARSE_ERROR.sub("", lines[0]).split())
        for line in lines[1:]:
            found = _POSITION.search(line)
            if found and "position" not in reason:
                reason += f" (around position {found.group(1)})"
                break
        return reason


@contextmanager
def captured_rdkit_errors() -> Iterator[RDKitErrorLog]:
    """Silence RDKit's logs; collect its error messages where RDKit can capture them."""
    log = RDKitErrorLog()
    capture = getattr(rdBase, "CaptureErrorLog", None)
    with rdBase.BlockLogs():
        if capture is None:
            yield log
            return
        with capture() as captured:
            yield log
        log.messages = str(captured.messages)


@lru_cache(maxsize=1024)
def compile_smarts(pattern: str) -> Chem.Mol:
    """The RDKit query molecule of a SMARTS pattern (cached); :class:`~symxai.errors.QueryError`
    with RDKit's reason when the pattern is empty or invalid."""
    if not pattern.strip():
        raise QueryError("empty SMARTS pattern")
    with captured_rdkit_errors() as log:
        query = Chem.MolFromSmarts(pattern)
    if query is None:
        reason = log.reason()
        raise QueryError(f"invalid SMARTS pattern '{pattern}'" + (f": {reason}" if reason else ""))
    return query
