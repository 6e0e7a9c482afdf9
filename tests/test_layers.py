"""The package is layered: imports point down only, there is no import circle, and
``import symxai`` / ``import symxai.cli`` load none of the domain libraries.

The import graph is read statically (``ast``) from every module under ``symxai/``,
imports inside functions included: a lazy import that points up is still an upward
dependency. Layers, top to bottom (a module may import its own layer and any below)::

    cli, demo, __main__
    report, evaluation
    domains
    training
    data, models
    api (and the ``symxai`` package, which re-exports it)
    integrations (PyG ExplainerAlgorithm, shapiq Game: the public layer only)
    explanation
    query, decomposition, connected_dividends, relevance, search, features, walks,
    population
    backends
    errors, progress, cache, _compat, setfunction        (usable by all)

``setfunction`` sits at the bottom because it is the contract a backend produces (a
batched, cached ``v``) and imports only ``errors`` and ``progress``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "symxai"

LAYERS: list[tuple[str, ...]] = [
    ("symxai.errors", "symxai.progress", "symxai.cache", "symxai._compat", "symxai.setfunction"),
    ("symxai.backends",),
    (
        "symxai.query",
        "symxai.decomposition",
        "symxai.connected_dividends",
        "symxai.relevance",
        "symxai.search",
        "symxai.features",
        "symxai.walks",
        "symxai.population",
    ),
    ("symxai.explanation",),
    ("symxai.api", "symxai"),
    ("symxai.integrations",),
    ("symxai.data", "symxai.models"),
    ("symxai.training",),
    ("symxai.domains",),
    ("symxai.report", "symxai.evaluation"),
    ("symxai.cli", "symxai.demo", "symxai.__main__"),
]
"""Layers from the bottom up; a module belongs to the longest prefix listed."""

DOMAIN_LIBRARIES = ("rdkit", "transformers", "schnetpack", "torch_geometric", "dask", "matplotlib")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Every module of ``symxai`` -> the ``symxai`` modules it imports anywhere in its
    body (``from a import b`` counts as ``a.b`` when that is a module, else ``a``)."""
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                for alias in node.names:
                    child = f"{source}.{alias.name}"
                    targets.add(child if child in files else source)
        graph[module] = {
            target
            for target in targets
            if (target == "symxai" or target.startswith("symxai.")) and target != module
        }
    return graph


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` of the longest listed prefix of ``module``."""
    best, best_length = None, -1
    for index, members in enumerate(LAYERS):
        for prefix in members:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    if best is None:
        raise AssertionError(f"module {module} belongs to no layer; add it to LAYERS")
    return best


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a list of modules (first = last), or ``None``."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)) is not None:
            return found
    return None


def _within_one_package(module: str, target: str) -> bool:
    """A package's ``__init__`` importing its own submodules (re-exports), or a module
    reading a name from a package that contains it."""
    return target.startswith(module + ".") or module.startswith(target + ".")


def test_the_import_graph_has_no_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_find_cycle_reports_the_modules_of_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_points_up_the_layers() -> None:
    upward = []
    for module, targets in sorted(import_graph().items()):
        for target in sorted(targets):
            if _within_one_package(module, target):
                continue
            if layer_of(target) <= layer_of(module):
                continue
            upward.append(f"{module} -> {target}")
    assert upward == [], "imports that point up the layers:\n" + "\n".join(upward)


def test_backends_import_no_models_data_domains_or_training() -> None:
    forbidden = ("symxai.models", "symxai.data", "symxai.domains", "symxai.training")
    offenders = [
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        if module.startswith("symxai.backends")
        for target in targets
        if target.startswith(forbidden)
    ]
    assert offenders == []


def test_every_module_has_a_layer() -> None:
    for module in import_graph():
        layer_of(module)


@pytest.mark.parametrize("statement", ["import symxai", "import symxai.cli"])
def test_import_loads_no_domain_library(statement: str) -> None:
    script = (
        f"{statement}; import sys; "
        f"print(' '.join(m for m in {DOMAIN_LIBRARIES!r} if m in sys.modules))"
    )
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert process.stdout.split() == []
