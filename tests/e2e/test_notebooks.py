"""Every notebook runs top to bottom, headless, on a demo warehouse, in the venv's kernel;
their outputs are stripped in git."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

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
    return sum(
        1
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if any("vega" in key for key in output.get("data", {}))
        or "vegaEmbed" in output.get("data", {}).get("text/html", "")
    )


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
