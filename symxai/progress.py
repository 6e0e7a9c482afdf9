"""Progress of long value computations: the count up front, a bar on stderr.

The closed form of a query with ``k`` atoms costs ``2^k`` value calls, an exact
decomposition ``2^n``; on a 126-atom molecule ``k = 16`` means minutes. Below
:data:`PROGRESS_THRESHOLD` coalitions symxai is silent. From there on,
:func:`progress` says how many coalitions will be evaluated, before the first one is,
through the ``symxai`` logger at level WARNING (shown on stderr by Python's default
handler when the application configures no logging; silence it with
``logging.getLogger("symxai").setLevel(logging.ERROR)``), and, when stderr is a
terminal, draws a transient ``rich`` progress bar there.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["PROGRESS_THRESHOLD", "logger", "progress", "progress_bar"]

PROGRESS_THRESHOLD = 4096
"""Smallest number of coalitions (value calls) announced with a message and a bar."""

logger = logging.getLogger("symxai")


@contextmanager
def progress(total: int, message: str) -> Iterator[Callable[[int], None]]:
    """Announce ``message`` (the work up front) and yield ``advance(count)`` for a bar of
    ``total`` steps on stderr (a no-op when stderr is not a terminal)."""
    logger.warning("%s", message)
    if not sys.stderr.isatty():
        yield lambda count: None
        return
    with progress_bar(transient=True) as bar:
        task = bar.add_task("coalitions", total=total)
        yield lambda count: bar.advance(task, count)


def progress_bar(*fields: str, transient: bool = False) -> Any:
    """A ``rich`` progress bar on stderr: description, bar, ``done/total``, the extra
    text columns ``fields`` (rich format strings such as ``"loss {task.fields[loss]:.3f}"``),
    time elapsed and remaining. Used by long runs: reports, training, many coalitions."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    columns += [TextColumn(field) for field in fields]
    columns += [TimeElapsedColumn(), TimeRemainingColumn()]
    return Progress(*columns, console=Console(stderr=True), transient=transient)
