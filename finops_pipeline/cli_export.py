"""`finops export`: hand focus_costs to other tools as a FOCUS dataset (Parquet or CSV)."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from finops_pipeline import console as out
from finops_pipeline.cli_allocation import ConfigOpt, WarehouseOpt, _open
from finops_pipeline.errors import FinopsError


def _month(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError as error:
        raise typer.BadParameter(
            f"--month {value!r} is not YYYY-MM (for example 2026-11)"
        ) from error


def export(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the dataset into")],
    month: Annotated[
        str | None, typer.Option(help="Only this billing month YYYY-MM [default: every month]")
    ] = None,
    focus_version: Annotated[
        str, typer.Option("--focus-version", help="1.2 or 1.3 (1.3 adds its new columns)")
    ] = "1.2",
    file_format: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    source: Annotated[
        str | None, typer.Option(help="Only this source (x_SourceName) [default: all]")
    ] = None,
    with_extensions: Annotated[
        bool, typer.Option("--with-extensions", help="Also write our x_ columns")
    ] = False,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write focus_costs as FOCUS: billing_period=YYYY-MM/ folders plus _focus_metadata.json.

    A period already in the folder is replaced whole (written aside, then renamed in)."""
    from finops_pipeline.export.writer import ExportRequest, export_focus

    request = ExportRequest(
        out=out_dir,
        focus_version=focus_version,
        file_format=file_format,
        month=_month(month),
        source=source,
        with_extensions=with_extensions,
    )
    with (
        closing(_open(warehouse, "focus_costs", config=config, writes_files=True)) as con,
        out.file_progress(0, "exporting billing periods") as progress,
    ):
        task = progress.task_ids[0]
        try:
            done = export_focus(
                con,
                request,
                on_start=lambda n: progress.update(task, total=n),
                on_period=lambda p: progress.advance(task),
            )
        except FinopsError as error:
            out.print_error(error)
            raise typer.Exit(2) from error
    for period in done:
        out.console.print(
            f"{period.period:%Y-%m}: {period.rows:,} rows, {len(period.columns)} columns "
            f"-> {period.folder}",
            soft_wrap=True,
            markup=False,
        )
    out.console.print(f"FOCUS {focus_version} dataset in {out_dir.resolve()}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(export)
