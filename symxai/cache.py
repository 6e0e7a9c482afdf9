"""Where symxai keeps trained weights: ``$SYMXAI_CACHE``, else ``$XDG_CACHE_HOME/symxai``,
else ``~/.cache/symxai``. Weights are saved as state_dicts and loaded with
``weights_only=True``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir(*parts: str) -> Path:
    """The cache folder (created), optionally a sub-folder of it."""
    root = os.environ.get("SYMXAI_CACHE")
    if root is None:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = str(Path(base) / "symxai")
    path = Path(root, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
