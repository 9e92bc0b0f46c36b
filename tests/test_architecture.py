"""The package's shape: no import cycles among its modules, and the layers import downwards only.

Every ``import`` in every module counts, those inside functions too (an import
deferred to keep ``--help`` fast is still a dependency), but those under
``if TYPE_CHECKING:``, which only name types for annotations and never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "src" / "disruption_qa"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports (``from . import x`` names module ``x`` where it is one)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("disruption_qa"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("disruption_qa"):
                continue
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            found.update(submodules or {target})
    return {m for m in found if m in known and m != name}


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` but those under ``if TYPE_CHECKING:``."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                todo.extend(child.orelse)
                continue
            todo.append(child)


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return groups


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_relative_and_deferred_imports():
    edges = graph()
    assert "disruption_qa.results" in edges["disruption_qa.engine"]  # from .results import ...
    assert "disruption_qa.api" in edges["disruption_qa.cli"]  # from . import api, inside the commands


def test_no_import_cycles_among_the_package_modules():
    assert cycles(graph()) == []


def test_the_results_model_and_the_contract_depend_on_nothing_that_computes_or_renders():
    edges = graph()
    assert edges["disruption_qa.results"] <= {"disruption_qa.contract"}
    assert not {m for m in edges["disruption_qa.contract"] if m.startswith("disruption_qa.render")}


def test_the_command_line_only_calls_the_api_and_renders():
    """cli.py parses arguments, calls the library API and prints what render/ gives: it orchestrates nothing."""
    allowed_prefixes = ("disruption_qa.api", "disruption_qa.render", "disruption_qa.errors", "disruption_qa.runtime")
    allowed = {"disruption_qa.dates", "disruption_qa.catalogue", "disruption_qa.checks", "disruption_qa.config"}
    allowed |= {"disruption_qa.engine", "disruption_qa.history", "disruption_qa.sample"}  # reference lookups only
    allowed |= {"disruption_qa.format"}  # what it prints is shown as format.visible makes it
    allowed |= {"disruption_qa.prefetch"}  # starts reading its input files while the process starts
    used = graph()["disruption_qa.cli"]
    assert {m for m in used if not m.startswith(allowed_prefixes)} <= allowed
    text = (PACKAGE / "cli.py").read_text(encoding="utf-8")
    for orchestration in ("record_history", "run_checks", "write_check", "map_organisations", "os._exit"):
        assert orchestration not in text
