"""The import directions issue 17 set: landing never builds, fetchers never import their driver.

Read from the source with `ast` (lazy imports inside functions count; `TYPE_CHECKING` blocks
do not), so a cycle that only shows at run time is caught here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "finops_pipeline"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every finops_pipeline module or name `path` imports, outside TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("finops_pipeline"):
            found.add(node.module or "")
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("finops_pipeline"))
    return found


def graph(folder: str) -> dict[str, set[str]]:
    files = sorted((PACKAGE / folder).rglob("*.py"))
    names = {module_name(p) for p in files}
    return {module_name(p): imports(p) & names for p in files}


@pytest.mark.parametrize("forbidden", ["finops_pipeline.core.focus", "finops_pipeline.refresh"])
def test_landing_does_not_import_what_builds_from_it(forbidden: str) -> None:
    for folder in ("ingest", "connectors"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            assert forbidden not in imports(path), f"{module_name(path)} imports {forbidden}"


def test_connectors_have_no_import_cycle() -> None:
    edges = graph("connectors")
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            current = todo.pop()
            assert current != start, f"{start} imports itself through {sorted(seen)}"
            if current not in seen:
                seen.add(current)
                todo.extend(edges.get(current, ()))


def test_fetchers_import_the_shared_types_not_the_sync() -> None:
    for name, targets in graph("connectors").items():
        if name.endswith((".sync", ".base")):
            continue
        assert "finops_pipeline.connectors.sync" not in targets, name
