"""Compatibility shims for third-party packages used as shipped.

schnetpack 2.1.1 (the newest release for Python 3.11) does
``from torch.utils.data.dataloader import T_co``; torch 2.13 renamed that type variable
``_T_co``. :func:`import_schnetpack` restores the old name (an alias, nothing else) before
schnetpack is imported for the first time. Import schnetpack through it everywhere.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_schnetpack"]


def import_schnetpack() -> ModuleType:
    """The ``schnetpack`` module, imported after aliasing
    ``torch.utils.data.dataloader.T_co`` to ``_T_co`` where torch lacks it (idempotent)."""
    import torch.utils.data.dataloader as dataloader

    if not hasattr(dataloader, "T_co") and hasattr(dataloader, "_T_co"):
        dataloader.T_co = dataloader._T_co  # type: ignore[attr-defined]
    try:
        return importlib.import_module("schnetpack")
    except ImportError as error:
        raise ImportError(
            "the quantum-chemistry domain needs schnetpack 2.1.1: "
            "pip install --no-deps schnetpack==2.1.1 (see docs/installation.md)"
        ) from error
