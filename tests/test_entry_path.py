"""One entry path: ``symxai.explain`` builds every explanation, the domain functions are
thin adapters over it, and the backends share a base instead of each other's privates."""

from __future__ import annotations

import ast
from pathlib import Path

import symxai

BACKENDS = Path(symxai.__file__).parent / "backends"


def _module_name(path: Path) -> str:
    parts = path.relative_to(BACKENDS.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_private_names(source: str, own: str, is_package: bool) -> list[str]:
    """``module:name`` for every ``from <another symxai.backends module> import _name`` in the
    source of module ``own`` (relative imports resolved as Python does)."""
    package = own if is_package else own.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            module = ".".join([*base, module] if module else base)
        if not module.startswith("symxai.backends") or module == own:
            continue
        found += [f"{module}:{alias.name}" for alias in node.names if alias.name.startswith("_")]
    return found


def test_no_backend_module_imports_another_backend_modules_private_names() -> None:
    files = sorted(BACKENDS.rglob("*.py"))
    assert len(files) >= 8  # the walk really reaches the backends and backends/lrp
    offending = {
        str(path.relative_to(BACKENDS)): _imported_private_names(
            path.read_text(), _module_name(path), path.name == "__init__.py"
        )
        for path in files
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_the_private_import_check_sees_absolute_and_relative_imports() -> None:
    """The checker itself flags both spellings of a sideways private import, and lets
    public names and a module's own names pass."""
    source = (
        "from symxai.backends.gnn_lrp import _ModelCall, GNNLRPBackend\n"
        "from ..base import _REGISTRY\n"
        "from .masking import MaskGradient\n"
        "from symxai._compat import import_schnetpack\n"
    )
    assert _imported_private_names(source, "symxai.backends.lrp.fake", False) == [
        "symxai.backends.gnn_lrp:_ModelCall",
        "symxai.backends.base:_REGISTRY",
    ]
    assert _imported_private_names("from . import _x", "symxai.backends", True) == []
