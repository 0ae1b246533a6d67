"""The `finops` command: demo, ingest, run, sql, ui, sample-data.

Errors a user can act on are printed as one line and exit non-zero; tracebacks are for bugs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import dagster as dg
    import duckdb

    from finops_pipeline.ingest.outcomes import FileOutcome
    from finops_pipeline.ingest.service import IngestReport
    from finops_pipeline.tagging.policy import TagPolicy

from finops_pipeline import console as out
from finops_pipeline.cli_allocation import register as register_allocation_commands
from finops_pipeline.cli_connectors import (
    EndpointOpt,
    ProfileOpt,
    ProjectOpt,
    RegionOpt,
    SinceOpt,
    ingest_remote,
)
from finops_pipeline.cli_export import register as register_export_commands
from finops_pipeline.cli_forecast import print_forecast_summary
from finops_pipeline.cli_forecast import register as register_forecast_commands
from finops_pipeline.cli_insights import register as register_insight_commands
from finops_pipeline.cli_report import demo_report
from finops_pipeline.cli_report import register as register_report_commands
from finops_pipeline.connectors.locations import is_remote
from finops_pipeline.errors import FinopsError
from finops_pipeline.settings import DEFAULT_SAMPLE_DIR, FORMATS, load_settings
from finops_pipeline.warehouse import connect, warehouse_path

app = typer.Typer(
    help="Cloud billing exports (AWS, GCP, Azure, FOCUS) -> one reconciled FOCUS table in DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse", "-w", help="DuckDB file [env FINOPS_WAREHOUSE; default ./finops.duckdb]"
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="finops.yaml [env FINOPS_CONFIG; default ./finops.yaml]"),
]


def _fail(error: Exception) -> typer.Exit:
    out.err_console.print(f"[bold red]error:[/] {error}")
    return typer.Exit(code=2)


def _current_month() -> str:
    return date.today().strftime("%Y-%m")


@app.command("sample-data")
def sample_data(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the sample exports into")],
    months: Annotated[
        int, typer.Option(help="How many billing months, ending with --end-month")
    ] = 13,
    scale: Annotated[int, typer.Option(help="Multiplies resources (rows grow linearly)")] = 1,
    seed: Annotated[
        int, typer.Option(help="Random seed; same seed and end month = same files")
    ] = 42,
    end_month: Annotated[
        str | None, typer.Option(help="Last (open) month YYYY-MM [default: this month]")
    ] = None,
) -> None:
    """Write realistic sample exports of every supported format, plus ground_truth.json."""
    from finops_pipeline.sample_data import generate

    with out.console.status("generating sample exports...") as status:
        truth = generate(
            outdir,
            end_month=end_month or _current_month(),
            months=months,
            scale=scale,
            seed=seed,
            progress=lambda msg: status.update(msg),
        )
    out.console.print(
        f"wrote {len(truth['sources'])} sources to {outdir.resolve()} "
        f"({truth['end_month']}, {months} months, scale {scale}, seed {seed})"
    )


@app.command()
def ingest(
    location: Annotated[
        str,
        typer.Argument(
            help="An export file, a folder searched recursively, or a cloud location: "
            "s3://bucket/prefix, gs://bucket/prefix, bigquery://project.dataset.table, "
            "azure://account/container/path, azure-exports:/subscriptions/<id>"
        ),
    ],
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}")
    ] = "auto",
    source: Annotated[
        str | None, typer.Option(help="Source name [default: the folder's or file's name]")
    ] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    endpoint_url: EndpointOpt = None,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    project: ProjectOpt = None,
    since: SinceOpt = None,
) -> None:
    """Load exports (replacing restated billing periods atomically), then rebuild focus_costs."""
    if format not in FORMATS:
        raise _fail(ValueError(f"--format {format!r} is not one of {', '.join(FORMATS)}"))
    if is_remote(location):
        cloud = dict(endpoint_url=endpoint_url, profile=profile, region=region, project=project,
                     since=since)  # fmt: skip
        return ingest_remote(location, format, source, warehouse, config, cloud)
    path = Path(location)
    name = source or (path.stem.split(".")[0] if path.is_file() else path.resolve().name)
    try:
        settings = load_settings(config)
        con = connect(warehouse)
        report = _ingest_with_progress(con, path, name, format, settings.tag_policy)
    except FinopsError as error:
        raise _fail(error) from error
    out.print_ingest_summary(report)
    con.close()
    if report.rejected:
        out.err_console.print(
            f"[bold red]{len(report.rejected)} file(s) rejected[/]; they are marked 'rejected' in "
            "load_log and the warehouse's earlier data for their periods is unchanged."
        )
        raise typer.Exit(code=1)


def _ingest_with_progress(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: str,
    format_name: str,
    policy: TagPolicy | None = None,
) -> IngestReport:
    from finops_pipeline.ingest.discover import discover
    from finops_pipeline.ingest.service import ingest_path

    total = sum(len(d.files) for d in discover(path).deliveries) if path.exists() else 0
    with out.file_progress(total, f"ingesting {source}") as progress:

        def on_file(outcome: FileOutcome) -> None:
            progress.advance(progress.task_ids[0])
            out.print_file_outcome(outcome)

        return ingest_path(con, path, source, format_name, policy=policy, on_file=on_file)


@app.command()
def demo(
    warehouse: WarehouseOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where the sample exports go")] = Path(
        "finops_sample_data"
    ),
    months: Annotated[int, typer.Option(help="Billing months to generate")] = 13,
    scale: Annotated[int, typer.Option(help="Row multiplier")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed")] = 42,
    end_month: Annotated[
        str | None, typer.Option(help="Last (open) month YYYY-MM [default: this month]")
    ] = None,
) -> None:
    """Generate sample exports, ingest and reconcile them, build every table, write the report."""
    from functools import partial

    from finops_pipeline.core.reconcile import reconcile
    from finops_pipeline.demo import (
        build_derived,
        check_ground_truth,
        ingest_demo,
        write_business_metrics,
    )
    from finops_pipeline.settings import demo_settings
    from finops_pipeline.showback.allocate import conservation

    sample_data(out_dir, months=months, scale=scale, seed=seed, end_month=end_month)
    settings = demo_settings(out_dir)
    write_business_metrics(out_dir, out_dir / "ground_truth.json")
    try:
        con = connect(warehouse)
        ingest = partial(_ingest_with_progress, policy=settings.tag_policy)
        for line in ingest_demo(con, out_dir, ingest):
            out.console.print(line, soft_wrap=True, markup=False)
        with out.console.status("building tag marts, allocation ledger and showback..."):
            build_derived(con, settings, rebuild_focus=False)
    except FinopsError as error:
        raise _fail(error) from error
    out.print_focus_summary(con)
    reconciled = out.print_reconciliation(reconcile(con))
    mismatches = check_ground_truth(con, out_dir / "ground_truth.json")
    if mismatches:
        for line in mismatches:
            out.err_console.print(f"[red]ground truth mismatch[/] {line}")
    else:
        out.console.print(
            "[green]matches the generator's ground truth[/] (billed and effective cost)"
        )
    conserved = all(row.ok for row in conservation(con))
    out.print_showback_summary(con, conserved)
    out.print_insights_summary(con)
    print_forecast_summary(con)
    reported = demo_report(con, settings, warehouse)
    con.close()
    out.console.print(
        f"\nwarehouse: [bold]{warehouse_path(warehouse)}[/]\n"
        "showback:   finops showback --month YYYY-MM   (finops explain --team T --month M)\n"
        "tags:       finops tags\n"
        'query it:   finops sql "select ProviderName, sum(BilledCost) from focus_costs group by 1"\n'
        "Dagster UI: finops ui   (then open http://127.0.0.1:3000)",
        soft_wrap=True,
    )
    if out_dir.resolve() != Path(DEFAULT_SAMPLE_DIR).resolve():
        out.console.print(
            f"(other commands read the demo data from ./{DEFAULT_SAMPLE_DIR}: "
            f"export FINOPS_SAMPLE_DATA={out_dir.resolve()} to use this one)",
            soft_wrap=True,
            markup=False,
        )
    if not reconciled or mismatches or not conserved or not reported:
        raise typer.Exit(code=1)


@app.command()
def run(
    month: Annotated[
        str | None, typer.Option(help="Billing month YYYY-MM [default: every loaded month]")
    ] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Build every derived table by materialising the Dagster assets in-process."""
    from finops_pipeline.core.focus import loaded_months
    from finops_pipeline.dagster_run import run_partitions, split_failed_checks
    from finops_pipeline.definitions import build_definitions
    from finops_pipeline.resources import month_partition_key

    try:
        settings = load_settings(config)
        target = str(warehouse_path(warehouse or settings.warehouse))
        if month:
            keys = [month_partition_key(month)]
        else:
            con = connect(target)
            keys = [f"{m:%Y-%m-01}" for m in loaded_months(con)]
            con.close()
        defs = build_definitions(settings, target)
    except (FinopsError, ValueError) as error:
        raise _fail(error) from error
    if not keys:
        out.console.print("nothing loaded yet: run `finops ingest PATH` or `finops demo` first")
        return
    problems: list[str] = []

    def report(key: str, result: dg.ExecuteInProcessResult) -> None:
        failed, warned = split_failed_checks(result)
        state = "[green]ok[/]" if result.success and not failed else "[red]FAILED[/]"
        out.console.print(
            f"{key[:7]} {state}"
            + (f" checks failed: {', '.join(failed)}" if failed else "")
            + (f" [yellow]warnings:[/] {', '.join(warned)}" if warned else "")
        )
        if not result.success or failed:
            problems.append(key)

    run_partitions(defs, "build_derived", keys, on_done=report)
    if problems:
        raise typer.Exit(code=1)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A read-only SQL query")],
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table",
    warehouse: WarehouseOpt = None,
) -> None:
    """Run a read-only query on the warehouse."""
    import duckdb

    if format not in ("table", "csv", "json"):
        raise _fail(ValueError("--format must be table, csv or json"))
    path = warehouse_path(warehouse)
    if not path.exists():
        raise _fail(
            FileNotFoundError(f"no warehouse at {path}; run `finops demo` or `finops ingest` first")
        )
    con = connect(path, read_only=True)
    try:
        out.print_query(con, query, format)
    except duckdb.Error as error:
        raise _fail(error) from error
    finally:
        con.close()


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 3000,
    warehouse: WarehouseOpt = None,
) -> None:
    """Start the Dagster UI (dagster dev) on workspace.yaml."""
    from finops_pipeline.dagster_run import dagster_home
    from finops_pipeline.warehouse import REPO_ROOT

    env = dict(os.environ, DAGSTER_HOME=str(dagster_home()))
    if warehouse:
        env["FINOPS_WAREHOUSE"] = str(warehouse_path(warehouse))
    workspace = REPO_ROOT / "workspace.yaml"
    command = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-w",
        str(workspace),
        "-h",
        host,
        "-p",
        str(port),
    ]
    out.console.print(f"Dagster UI on http://{host}:{port} (Ctrl+C to stop)")
    raise typer.Exit(code=subprocess.call(command, env=env))


register_allocation_commands(app)
register_insight_commands(app)
register_forecast_commands(app)
register_report_commands(app)
register_export_commands(app)

if __name__ == "__main__":
    app()
