"""Every notebook runs top to bottom, headless, on a demo warehouse, in the venv's kernel;
their outputs are stripped in git; charts are embedded SVG (offline), currencies are never
added together, teams and showback kinds have their own colours, tables show money."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from finops_pipeline.notebook_helpers import KIND_COLOURS
from finops_pipeline.warehouse import REPO_ROOT, connect
from tests.fixtures.demo_warehouse import CLOSED_MONTH, build_demo_warehouse, copy_warehouse

pytestmark = pytest.mark.e2e

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
REQUIRED = {
    "01_explore_costs",
    "02_tag_compliance",
    "03_anomaly_triage",
    "04_unit_economics_and_forecast",
}


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_warehouse(tmp_path_factory.mktemp("notebooks"))[0]


def _run(path: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(warehouse))  # the kernel inherits it
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(REPO_ROOT)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    return notebook


def _texts(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


def _charts(notebook: nbformat.NotebookNode) -> int:
    return len(_svgs(notebook))


def _svgs(notebook: nbformat.NotebookNode) -> list[str]:
    return [
        str(output["data"]["image/svg+xml"])
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]


def _htmls(notebook: nbformat.NotebookNode) -> list[str]:
    return [
        str(output["data"]["text/html"])
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {})
    ]


def _check_offline_and_formatted(notebook: nbformat.NotebookNode, name: str) -> None:
    """Charts are embedded SVG (no JavaScript, no CDN), draw no NaN, months carry a year;
    tables show money to the cent, not 6-decimal floats."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert not any("vega" in key for key in data), (name, list(data))
            html = str(data.get("text/html", ""))
            assert "<script" not in html and "cdn." not in html, name
    for svg in _svgs(notebook):
        assert "NaN" not in svg, name
    if not name.startswith("03"):  # 03's only chart is daily
        assert any(re.search(r">(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d<", s)
                   for s in _svgs(notebook)), name  # fmt: skip
    if not name.startswith("04"):  # 04 shows cost per unit to six decimals on purpose
        for html in _htmls(notebook):
            assert not re.search(r">-?\d+\.\d{3,}<", html), (name, html[:500])


def test_the_required_notebooks_exist() -> None:
    assert {p.stem for p in NOTEBOOKS} >= REQUIRED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_are_stripped_in_git(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (path.name, cell.id)
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_the_python3_kernel_is_this_venv() -> None:
    command = KernelManager(kernel_name="python3").format_kernel_cmd(extra_arguments=[])
    assert Path(command[0]).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_on_the_demo_warehouse(
    path: Path, demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = _run(path, demo_warehouse, monkeypatch)
    text = _texts(notebook)
    assert f"month {CLOSED_MONTH}" in text
    assert _charts(notebook) >= 1
    _check_offline_and_formatted(notebook, path.stem)
    if path.stem.startswith("01"):
        svgs = _svgs(notebook)
        # the top services: one panel per billing currency, never stacked together
        assert any(">EUR<" in s and ">USD<" in s for s in svgs)
        showback = next(s for s in svgs if "Showback per team per month" in s)
        # kinds and teams have separate scales: the kinds' own colours, both legends
        assert KIND_COLOURS["direct"] in showback and ">kind<" in showback and ">team<" in showback
    if path.stem.startswith("03"):
        assert "(none)" not in "".join(_htmls(notebook))
        if "impact" in text:  # an anomaly was found: its window is drawn
            [chart] = _svgs(notebook)
            assert 'aria-roledescription="rect mark"' in chart and "label: anomaly" in chart
    if path.stem.startswith("04"):  # the demo builds the insight tables 04 reads
        assert "not available" not in text
        assert _charts(notebook) >= 3  # cost per unit, forecast, showback context
        assert "local_level_ensemble" in text  # the model the demo's cost_forecast used


def test_unit_economics_notebook_says_what_is_not_built(
    demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a warehouse built before the insight tables existed, 04 says so and still runs."""
    warehouse = copy_warehouse(demo_warehouse, tmp_path)
    con = connect(warehouse)
    for table in ("unit_costs", "cost_forecast", "budget_variance"):
        con.execute(f"drop table {table}")
    con.close()
    path = REPO_ROOT / "notebooks" / "04_unit_economics_and_forecast.ipynb"
    notebook = _run(path, warehouse, monkeypatch)
    text = _texts(notebook)
    for table in ("unit_costs", "cost_forecast", "budget_variance"):
        assert f"{table}: not available" in text
    assert _charts(notebook) >= 1
