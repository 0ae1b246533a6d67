"""One orchestrator (issue 17, item 4): the order of the derived tables is the asset graph's.

Each domain's `assets.py` wires one build function of its domain into Dagster; the job
`build_derived` (orchestration/month_runner.py) runs them in the graph's order. A function
anywhere else that calls two of those build functions in a row is a second, hand-ordered
copy of the graph (what `demo.build_derived` was): this test fails on it. Read from the
source with `ast`, as tests/unit/test_import_layers.py does.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "finops_pipeline"
# Where the graph itself lives: the runner and the factories (orchestration/), and the
# domains' assets.py, whose assets are the graph's nodes.
ORCHESTRATION = PACKAGE / "orchestration"
SCANNED = [PACKAGE, ROOT / "tests" / "fixtures"]


def asset_build_functions() -> set[str]:
    """The domain build functions the assets call: every `build_*` (or `rebuild_*`) name an
    `assets.py` imports from a domain module (not from another assets module or from
    orchestration/)."""
    names: set[str] = set()
    for path in PACKAGE.rglob("assets.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            module = node.module
            if not module.startswith("finops_pipeline.") or module.endswith(".assets"):
                continue
            if module.startswith("finops_pipeline.orchestration"):
                continue
            names.update(
                alias.name for alias in node.names if alias.name.startswith(("build_", "rebuild_"))
            )
    return names


def called(node: ast.AST, wanted: set[str]) -> list[str]:
    """The names in `wanted` that `node` calls (directly or as `module.name`), in order."""
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in wanted and name not in found:
                found.append(name)
    return found


def test_the_assets_call_the_domain_build_functions() -> None:
    # what the scan below looks for: if this shrinks, the test would pass by finding nothing
    assert {
        "build_focus_month",
        "build_tag_marts",
        "build_showback",
        "build_waste_findings",
        "build_cost_anomalies",
        "build_unit_costs",
        "build_cost_forecast",
        "build_budget_variance",
    } <= asset_build_functions()


def test_no_function_outside_orchestration_builds_two_domains_in_a_row() -> None:
    wanted = asset_build_functions()
    offenders = []
    for folder in SCANNED:
        for path in sorted(folder.rglob("*.py")):
            if ORCHESTRATION in path.parents or path.name == "assets.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    names = called(node, wanted)
                    if len(names) >= 2:
                        where = f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
                        offenders.append(f"{where} calls {', '.join(names)}")
    assert not offenders, (
        "a second orchestrator: run the Dagster job instead "
        "(finops_pipeline/orchestration/month_runner.py)\n" + "\n".join(offenders)
    )
