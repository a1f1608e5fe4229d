"""The package's layers, read from every module's imports (those inside functions included).

A module may import its own folder and the folders before it in LAYERS; only
``tui/`` and ``web/`` import Textual; and no chain of tempcheck imports leads
back to where it started. ``cli/`` is the entry point: it starts the dashboard
and the browser server, so it comes last.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tempcheck"

LAYERS = ["domain", "store", "services", "exchange", "report", "tui", "web", "cli"]
TEXTUAL = {"textual", "textual_serve", "textual_plotext"}
TEXTUAL_ALLOWED = {"tui", "web"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module this file imports, anywhere in it, as absolute dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            # "from tempcheck.store import sample" imports the module tempcheck.store.sample
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for _, target in imports_of(path):
            if target in known and target != name:
                edges[name].add(target)
    return edges


def test_the_reader_sees_imports_inside_functions() -> None:
    source = PACKAGE / "cli" / "main.py"
    targets = {target for _, target in imports_of(source)}
    assert "tempcheck.tui.app" in targets  # imported inside main(), only when the dashboard opens
    assert len(modules()) > 60


def test_every_module_belongs_to_a_layer() -> None:
    outside = [
        name
        for name in modules()
        if layer_of(name) is None and name not in ("tempcheck", "tempcheck.__main__")
    ]
    assert outside == []


def test_each_layer_imports_only_the_layers_before_it() -> None:
    wrong = []
    for name, path in modules().items():
        mine = layer_of(name)
        if mine is None:
            continue
        for line, target in imports_of(path):
            theirs = layer_of(target)
            if theirs is not None and LAYERS.index(theirs) > LAYERS.index(mine):
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({mine}) imports {target}")
    assert wrong == []


def test_only_the_tui_and_the_web_server_import_textual() -> None:
    wrong = []
    for name, path in modules().items():
        if layer_of(name) in TEXTUAL_ALLOWED:
            continue
        for line, target in imports_of(path):
            if target.split(".")[0] in TEXTUAL:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {target}")
    assert wrong == []


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles() -> None:
    edges = graph()
    # A package's __init__ re-exporting its own modules is not a cycle back into it.
    for name in list(edges):
        edges[name] = {t for t in edges[name] if not name.startswith(t + ".")}
    assert find_cycle(edges) is None


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ],
)
def test_the_cycle_finder_finds_cycles(edges: dict[str, set[str]], expected: list | None) -> None:
    assert find_cycle(edges) == expected
