"""`finops report` (the monthly allocation report for finance) and `finops notebooks`."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import duckdb
import typer

from finops_pipeline import console as out
from finops_pipeline.cli_allocation import ConfigOpt, WarehouseOpt, _month
from finops_pipeline.errors import FinopsError
from finops_pipeline.package_files import data_dir
from finops_pipeline.settings import Settings, load_settings, resolve_warehouse
from finops_pipeline.warehouse import connect, table_exists, warehouse_path

if TYPE_CHECKING:
    from finops_pipeline.report.build import ReportResult

NOTEBOOKS_DIR = data_dir("notebooks")


def last_closed_month(con: duckdb.DuckDBPyConnection) -> date | None:
    """The month before the latest one loaded (the latest is still open), as the demo shows."""
    if not table_exists(con, "showback_monthly"):
        return None
    row = con.execute(
        "select max(billing_month) from showback_monthly where billing_month < "
        "(select max(billing_month) from showback_monthly)"
    ).fetchone()
    return row[0] if row else None


def report(
    month: Annotated[
        str | None,
        typer.Option(help="Billing month YYYY-MM [default: the last closed month]"),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the files [default: report.output_dir, else "
            "reports/ beside the warehouse]",
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Comma-separated: html,xlsx,csv,pdf [default: report.formats, else html,xlsx,csv]",
        ),
    ] = None,
    top: Annotated[int | None, typer.Option(help="Rows in each 'top' list")] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write the monthly allocation report (HTML, XLSX, CSV, PDF) and log what it showed."""
    from finops_pipeline.report.build import parse_formats, write_report

    try:
        settings = load_settings(config, warehouse)
        path = warehouse_path(settings.warehouse)
        if not path.exists():
            raise FinopsError(f"no warehouse at {path}; run `finops demo` or `finops ingest` first")
        formats = parse_formats(format) if format else settings.report.formats
        with closing(connect(path)) as con:
            out.print_stale_notice(con)
            chosen = date.fromisoformat(_month(month)) if month else last_closed_month(con)
            if chosen is None:
                raise FinopsError(
                    f"{path}: no closed month with showback yet; give --month YYYY-MM"
                )
            result = write_report(
                con,
                settings.showback,
                chosen,
                out_dir or settings.report.directory(path),
                formats,
                top=top or settings.report.top,
                warehouse=str(path),
            )
    except FinopsError as error:
        out.print_error(error)
        raise typer.Exit(2) from error
    _record(result, path.parent)
    why = "" if month else " (last closed month; --month for another)"
    out.console.print(
        f"report {result.report.month_label}{why} written in {result.seconds:.1f} s "
        f"(logged as {result.report_id} in report_log):",
        soft_wrap=True,
    )
    for paths in result.paths.values():
        for file in paths:
            out.console.print(f"  {file}", soft_wrap=True, markup=False)


def notebooks(
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """How to open the engineers' notebooks (notebooks/*.ipynb) on this warehouse."""
    try:
        path = resolve_warehouse(config, warehouse)
    except FinopsError as error:
        out.err_console.print(f"[bold red]error:[/] {error}", soft_wrap=True)
        raise typer.Exit(2) from error
    found = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    out.console.print(
        "notebooks (read the warehouse read-only through finops_pipeline.notebook_helpers):"
    )
    for notebook in found:
        out.console.print(
            f"  {notebook.name}: {_first_heading(notebook)}", soft_wrap=True, markup=False
        )
    out.console.print(
        "\nopen them:\n"
        "  .venv/bin/uv pip install --python .venv/bin/python -e '.[notebooks]'   (JupyterLab, once)\n"
        f"  FINOPS_WAREHOUSE={path} .venv/bin/jupyter lab {NOTEBOOKS_DIR}\n"
        "run one headless:\n"
        f"  FINOPS_WAREHOUSE={path} .venv/bin/jupyter execute {NOTEBOOKS_DIR}/01_explore_costs.ipynb",
        soft_wrap=True,
        markup=False,
    )


def _first_heading(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", []))
            return text.strip().splitlines()[0].lstrip("# ").strip()
    return ""


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(notebooks)


def demo_report(con: duckdb.DuckDBPyConnection, settings: Settings, warehouse: Path | None) -> bool:
    """`finops demo`'s last step: the report of the last closed month; prints its path."""
    from finops_pipeline.report.build import write_report

    path = warehouse_path(warehouse)
    month = last_closed_month(con)
    if month is None:
        out.console.print("report: no closed month to report on yet")
        return True
    report_settings = settings.report
    try:
        result = write_report(
            con,
            settings.showback,
            month,
            report_settings.directory(path),
            report_settings.formats,
            top=report_settings.top,
            warehouse=str(path),
        )
    except FinopsError as error:
        out.print_error(error, "report failed:")
        return False
    _record(result, path.parent)
    out.console.print(
        f"report {result.report.month_label} (last closed month) in {result.seconds:.1f} s: "
        f"[bold]{out.esc(result.html)}[/]  (finops report --month YYYY-MM for another)",
        soft_wrap=True,
    )
    return True


def _record(result: ReportResult, beside: Path) -> None:
    """The report's partition of asset finance_report, so the UI shows it was written."""
    from finops_pipeline.orchestration.materializations import record_report

    files = {f: [str(p) for p in paths] for f, paths in result.paths.items()}
    try:
        record_report(result.report.billing_month, str(result.html or ""), files, beside)
    except Exception as error:  # the files are written; the UI just will not list them
        out.err_console.print(
            f"warning: could not record the report in the Dagster instance: {error}",
            soft_wrap=True,
            markup=False,
        )
