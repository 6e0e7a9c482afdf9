"""An exclusive lock on a report's output folder, so that two runs never write into it.

The lock is an OS-level ``flock`` on ``<output>/.symxai.lock``, a file that holds the
holder's pid, host and start time (for the message another run gets). The kernel
releases an ``flock`` when its holder dies, so a lock file left behind by a killed run
is simply taken over. A lock that is still held although the pid written in it is dead
on this host (a leftover child process keeps the file open) is stale: the file is
replaced and the new one locked.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import socket
from pathlib import Path
from typing import Any

from symxai.errors import SymxaiError

__all__ = ["FolderLock", "OutputLockedError"]

LOCK_NAME = ".symxai.lock"


class OutputLockedError(SymxaiError, RuntimeError):
    """Another run holds the output folder's lock."""


class FolderLock:
    """``with FolderLock(folder):`` holds the folder's lock (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._handle: Any = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`OutputLockedError` naming its holder."""
        for _ in range(3):
            handle = self.path.open("a+", encoding="utf-8")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(self.path)
                handle.close()
                if _stale(holder):
                    self.path.unlink(missing_ok=True)
                    continue
                raise OutputLockedError(
                    f"output folder {self.folder} is in use by another report "
                    f"({_describe(holder)}); wait for it to finish or choose another "
                    "output folder"
                ) from None
            if not _same_file(handle, self.path):
                handle.close()  # replaced while we waited: lock the new file instead
                continue
            handle.seek(0)
            handle.truncate()
            handle.write(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "since": _dt.datetime.now().isoformat(timespec="seconds"),
                    }
                )
            )
            handle.flush()
            self._handle = handle
            return
        raise OutputLockedError(f"could not lock output folder {self.folder}; try again")

    def release(self) -> None:
        """Give the lock back and remove the lock file."""
        if self._handle is None:
            return
        self.path.unlink(missing_ok=True)
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder(path: Path) -> dict[str, Any]:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _stale(holder: dict[str, Any]) -> bool:
    """Whether the holder is a process of this host that no longer exists."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "holder unknown"
    return (
        f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"since {holder.get('since', '?')}"
    )


def _same_file(handle: Any, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False
