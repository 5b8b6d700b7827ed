"""The house: no import cycles in ``src/propcrm``, every layer imports only downwards,
and no module is longer than a few hundred lines.

Imports are read from the source with :mod:`ast`, so a function-level import or
one under ``if TYPE_CHECKING:`` counts exactly like a module-level one. The
layers are documented in ``docs/architecture.rst``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

#: The most lines a module may have: a few hundred, readable top to bottom.
MAX_LINES = 500

#: Modules exempt from :data:`MAX_LINES`: data tables, not code to read through.
LONG_DATA_TABLES = {"propcrm._policy_keys"}

#: Modules at the very bottom: they import nothing of propcrm but each other.
FOUNDATION = {
    "propcrm.errors",
    "propcrm._checks",
    "propcrm._time",
    "propcrm._validators",
    "propcrm._slices",
    "propcrm.explain",
    "propcrm.roles",
}

#: The layers above the engines, bottom up, with the modules (or packages) each holds.
UPPER_LAYERS = [
    (
        "policy",
        ("propcrm.policy", "propcrm._policy_keys", "propcrm._policy_file", "propcrm._policy_load"),
    ),
    ("storage", ("propcrm.storage",)),
    ("services", ("propcrm.services",)),
    ("testing", ("propcrm.testing",)),
    (
        "cli",
        (
            "propcrm.cli",
            "propcrm.__main__",
            "propcrm.demo",
            "propcrm.report",
            "propcrm._cli_whatif",
            "propcrm._cli_copy",
        ),
    ),
]


def module_name(path: Path, root: Path) -> str:
    """The dotted module name of a source file below ``root``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path, root: Path) -> set[tuple[str, str]]:
    """``(module, name)`` for every import in a source file, wherever the statement is.

    ``import a.b`` gives ``("a.b", "")``; ``from a import b`` gives ``("a", "b")``.
    """
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update((alias.name, "") for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.update((base, alias.name) for alias in node.names)
    return found


def import_graph(root: Path, top: str = "propcrm") -> dict[str, set[str]]:
    """Module -> the modules of ``top`` it imports.

    ``from propcrm import _toml`` imports the submodule ``propcrm._toml``, not
    the package face; ``from propcrm import Policy`` imports the package face.
    """
    files = {module_name(p, root): p for p in (root / top).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets = set()
        for base, attr in imported_names(path, root):
            submodule = f"{base}.{attr}"
            if attr and submodule in files:
                targets.add(submodule)
            elif base in files:
                targets.add(base)
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> int:
    """0 for the foundation, 1 for engines, then the upper layers in order.

    The package face ``propcrm`` re-exports every layer, so it sits with the CLI.
    """
    if module == "propcrm":
        return len(UPPER_LAYERS) + 1
    if module in FOUNDATION:
        return 0
    for rank, (_, prefixes) in enumerate(UPPER_LAYERS, start=2):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return 1


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports that point up (or sideways from the foundation), as readable lines."""
    bad = []
    for module, targets in sorted(graph.items()):
        if module == "propcrm":  # the package face re-exports every layer
            continue
        for target in sorted(targets):
            if layer_of(target) > layer_of(module):
                bad.append(f"{module} -> {target}")
    return bad


def long_modules(root: Path, top: str = "propcrm") -> list[str]:
    """Modules over :data:`MAX_LINES` lines (data tables aside), as ``name: lines``."""
    found = []
    for path in sorted((root / top).rglob("*.py")):
        name = module_name(path, root)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and name not in LONG_DATA_TABLES:
            found.append(f"{name}: {lines}")
    return found


def _write(root: Path, files: Iterable[tuple[str, str]]) -> None:
    for rel, text in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_no_import_cycles() -> None:
    """No two propcrm modules import each other, directly or through others."""
    assert cycles(import_graph(SRC)) == []


def test_layers_import_only_downwards() -> None:
    """Engines never import policy, storage, services, testing or the CLI; and so on up."""
    assert upward_imports(import_graph(SRC)) == []


def test_no_module_is_longer_than_a_few_hundred_lines() -> None:
    """Every module of src/propcrm but the policy-key table has at most 500 lines."""
    assert long_modules(SRC) == []


def test_a_module_of_501_lines_is_too_long(tmp_path: Path) -> None:
    """501 lines are too many; 500 are not; the policy-key table may be longer."""
    _write(
        tmp_path,
        [
            ("propcrm/__init__.py", ""),
            ("propcrm/fits.py", "x = 1\n" * 500),
            ("propcrm/sub/long.py", "x = 1\n" * 501),
            ("propcrm/_policy_keys.py", "x = 1\n" * 900),
        ],
    )
    assert long_modules(tmp_path) == ["propcrm.sub.long: 501"]


def test_a_function_level_import_counts_as_a_cycle(tmp_path: Path) -> None:
    """An import inside a function closes a cycle as surely as one at the top."""
    _write(
        tmp_path,
        [
            ("propcrm/__init__.py", ""),
            ("propcrm/a.py", "from propcrm import b\n"),
            ("propcrm/b.py", "def f():\n    from propcrm.a import x\n    return x\n"),
        ],
    )
    assert cycles(import_graph(tmp_path)) == [["propcrm.a", "propcrm.b"]]


def test_a_type_checking_import_counts_as_a_cycle(tmp_path: Path) -> None:
    """An import under ``if TYPE_CHECKING:`` closes a cycle too."""
    _write(
        tmp_path,
        [
            ("propcrm/__init__.py", ""),
            ("propcrm/a.py", "from propcrm.b import y\n"),
            (
                "propcrm/b.py",
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n",
            ),
        ],
    )
    assert cycles(import_graph(tmp_path)) == [["propcrm.a", "propcrm.b"]]


def test_an_engine_importing_the_policy_points_upwards(tmp_path: Path) -> None:
    """An engine that imports ``propcrm.policy`` breaks the layering."""
    _write(
        tmp_path,
        [
            ("propcrm/__init__.py", ""),
            ("propcrm/policy.py", ""),
            ("propcrm/vip.py", "def f():\n    from propcrm.policy import Policy\n"),
        ],
    )
    assert upward_imports(import_graph(tmp_path)) == ["propcrm.vip -> propcrm.policy"]


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("propcrm.errors", 0),
        ("propcrm.calendar", 1),
        ("propcrm.policy", 2),
        ("propcrm.storage.sqlite", 3),
        ("propcrm._calendar_setup", 1),
        ("propcrm.storage._engine", 3),
        ("propcrm.testing.strategies._calendar", 5),
        ("propcrm.testing.contract._versioned", 5),
        ("propcrm.cli", 6),
        ("propcrm", 6),
    ],
)
def test_layer_of(module: str, layer: int) -> None:
    """Modules fall in the documented layers."""
    assert layer_of(module) == layer
