"""Reading a user's text file (a query file, a report spec) with errors that name it.

:func:`read_text_file` accepts UTF-8 with or without a byte-order mark (editors on
Windows write one) and tells apart the ways a path can fail to be a readable text
file: it does not exist, it is a directory, it is a device or pipe (``/dev/null``,
``/dev/stdin``), it cannot be read, or its bytes are not UTF-8 (the message gives the
line and column of the first bad byte).
"""

from __future__ import annotations

import stat
from pathlib import Path

from symxai.errors import InputFileError

__all__ = ["read_text_file"]


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_text_file(path: str | Path, what: str) -> str:
    """The text of ``path`` decoded as UTF-8 (a leading byte-order mark is dropped).

    ``what`` names the file's role in messages (``"query file"``). Raises
    :class:`FileNotFoundError` for a missing path and :class:`InputFileError` for a
    directory, a device, a pipe, an unreadable file or bytes that are not UTF-8.
    """
    path = Path(path)
    shown = repr(str(path))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{what} {shown} does not exist") from None
    except OSError as error:
        raise InputFileError(f"cannot read {what} {shown}: {error.strerror}") from None
    if stat.S_ISDIR(mode):
        raise InputFileError(f"{what} {shown} is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise InputFileError(f"{what} {shown} is {_kind(mode)}, not a file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read {what} {shown}: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8-sig")) + 1
        raise InputFileError(
            f"{what} {shown} is not UTF-8 text: byte 0x{data[error.start]:02x} at line {line}, "
            f"column {column}; save it as UTF-8"
        ) from None
