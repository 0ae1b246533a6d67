"""The `finops` command: demo, ingest, run, sql, ui, sample-data.

Errors a user can act on are printed as one line and exit non-zero; tracebacks are for bugs.
"""

from __future__ import annotations

import os
import sys
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Callable

    import dagster as dg
    import duckdb

    from finops_pipeline.ingest.outcomes import FileOutcome
    from finops_pipeline.ingest.service import IngestReport
    from finops_pipeline.settings import Settings

from finops_pipeline import console as out
from finops_pipeline.cli_allocation import ConfigOpt, WarehouseOpt
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
from finops_pipeline.cli_rates import register as register_rates_commands
from finops_pipeline.cli_report import demo_report
from finops_pipeline.cli_report import register as register_report_commands
from finops_pipeline.connectors.locations import is_remote
from finops_pipeline.engines.select import ENGINES, with_engine
from finops_pipeline.errors import FinopsError
from finops_pipeline.orchestration.materializations import months_of, record_for_cli
from finops_pipeline.settings import DEMO_SOURCES, FORMATS, load_settings, resolve_warehouse
from finops_pipeline.warehouse import connect, table_exists, warehouse_path

app = typer.Typer(
    help="Cloud billing exports (AWS, GCP, Azure, FOCUS) -> one reconciled FOCUS table in DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine", help=f"Build with {' or '.join(ENGINES)} [default: finops.yaml's engine:]"
    ),
]


def _fail(error: Exception) -> typer.Exit:
    out.print_error(error)
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
    engine: EngineOpt = None,
) -> None:
    """Load exports (replacing restated billing periods atomically), then rebuild focus_costs."""
    if format not in FORMATS:
        raise _fail(ValueError(f"--format {format!r} is not one of {', '.join(FORMATS)}"))
    try:  # before anything lands: a bad engine setting refuses first
        with_engine(load_settings(config, warehouse), engine)
    except FinopsError as error:
        raise _fail(error) from error
    if is_remote(location):
        cloud = dict(endpoint_url=endpoint_url, profile=profile, region=region, project=project,
                     since=since)  # fmt: skip
        return ingest_remote(location, format, source, warehouse, config, cloud, engine)
    path = Path(location)
    name = source or (path.stem.split(".")[0] if path.is_file() else path.resolve().name)
    try:
        from finops_pipeline.refresh import refresh_in_job
        from finops_pipeline.resources import WarehouseResource

        settings = with_engine(load_settings(config, warehouse), engine)
        store = WarehouseResource.for_settings(
            str(warehouse_path(settings.warehouse)), settings.execution
        )
        with store.landing(), closing(connect(settings.warehouse)) as con:
            report = _ingest_with_progress(con, path, name, format)
        with out.console.status("rebuilding focus_costs..."):
            refresh_in_job(settings, report)  # the warehouse closed: the run opens it
    except FinopsError as error:
        raise _fail(error) from error
    out.print_ingest_summary(report)
    out.print_recovered(report)
    if report.focus_rows_written:  # the run recorded focus_costs; the raw landing is ours
        with closing(connect(settings.warehouse)) as con:
            record_for_cli(con, sources=[name], tables=(), months=months_of(con, name))
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
    land: Callable[..., IngestReport] | None = None,
) -> IngestReport:
    """Land `path` (with `land`, default `ingest_path`: no rebuild, see refresh.py) with a
    progress bar and one line per file."""
    from finops_pipeline.ingest.discover import discover
    from finops_pipeline.ingest.service import ingest_path

    land = land or ingest_path
    total = sum(len(d.files) for d in discover(path).deliveries) if path.exists() else 0
    with out.file_progress(total, f"ingesting {source}") as progress:

        def on_file(outcome: FileOutcome) -> None:
            progress.advance(progress.task_ids[0])
            out.print_file_outcome(outcome)

        return land(con, path, source, format_name, on_file=on_file)


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
    """Generate sample exports, ingest and reconcile them, build every table, write the report.

    Also writes the demo's settings as finops.yaml beside the warehouse: that file is what
    makes the demo's policy apply to later commands (never to anyone else's data)."""
    from finops_pipeline.core.reconcile import reconcile
    from finops_pipeline.dagster_run import quiet_dagster_warnings
    from finops_pipeline.demo import (
        check_ground_truth,
        land_demo,
        restatement_lines,
        write_business_metrics,
        write_demo_config,
    )
    from finops_pipeline.orchestration.month_runner import loaded_month_keys
    from finops_pipeline.settings import DEFAULT_CONFIG, demo_settings
    from finops_pipeline.showback.allocate import conservation

    quiet_dagster_warnings()
    out_dir = out_dir.expanduser().resolve()
    target = warehouse_path(warehouse)
    sample_data(out_dir, months=months, scale=scale, seed=seed, end_month=end_month)
    settings = demo_settings(out_dir)
    write_business_metrics(out_dir, out_dir / "ground_truth.json")
    config = target.parent / DEFAULT_CONFIG
    wrote_config = write_demo_config(config, out_dir, target)

    def say(line: str) -> None:
        out.console.print(line, soft_wrap=True, markup=False)

    try:
        with closing(connect(target)) as con:  # landing only lands, as in `finops ingest`
            first_exports = land_demo(con, out_dir, _ingest_with_progress, say)
            record_for_cli(con, sources=list(DEMO_SOURCES), tables=(),
                           description="landed by finops demo")  # fmt: skip
        # focus_costs and every derived table through the build_derived job, as `finops run`
        # builds them (no fingerprints: a later `finops run` rebuilds the months)
        failed = _build_range(settings, target, loaded_month_keys(target))
    except FinopsError as error:
        raise _fail(error) from error
    con = connect(target)
    if not table_exists(con, "focus_costs"):  # the run failed before it: said above
        con.close()
        raise typer.Exit(code=1)
    for line in restatement_lines(con, first_exports):
        say(line)
    out.print_focus_summary(con)
    reconciled = out.print_reconciliation(reconcile(con))
    mismatches = check_ground_truth(con, out_dir / "ground_truth.json")
    if mismatches:
        for line in mismatches:
            out.err_console.print(f"[red]ground truth mismatch[/] {out.esc(line)}")
    else:
        out.console.print(
            "[green]matches the generator's ground truth[/] (billed and effective cost)"
        )
    conserved = all(row.ok for row in conservation(con))
    out.print_showback_summary(con, conserved)
    out.print_insights_summary(con)
    print_forecast_summary(con)
    reported = demo_report(con, settings, target)
    con.close()
    out.console.print(
        f"\nwarehouse: [bold]{out.esc(target)}[/]\n"
        "showback:   finops showback --month YYYY-MM   (finops explain --team T --month M)\n"
        "tags:       finops tags\n"
        'query it:   finops sql "select ProviderName, sum(BilledCost) from focus_costs group by 1"\n'
        "Dagster UI: finops ui   (then open http://127.0.0.1:3000)",
        soft_wrap=True,
    )
    if wrote_config:
        out.console.print(
            f"config:     {config} (the demo's policy; every command in that folder, or given "
            "--warehouse with this warehouse, reads it)",
            soft_wrap=True,
            markup=False,
        )
    else:
        out.err_console.print(
            f"[yellow]warning:[/] kept your {config}: later commands there use it, not the "
            "demo's policy (give the demo another --warehouse folder to keep them apart)",
            soft_wrap=True,
        )
    if failed or not reconciled or mismatches or not conserved or not reported:
        raise typer.Exit(code=1)


@app.command()
def run(
    month: Annotated[
        str | None, typer.Option(help="Billing month YYYY-MM [default: every loaded month]")
    ] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Print Dagster's log and each failure's full trace"),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild months whose inputs did not change too")
    ] = False,
    engine: EngineOpt = None,
) -> None:
    """Build every derived table by materialising the Dagster assets in-process.

    One line per month; a failed step prints its name and the one-line reason (the full
    trace is in the Dagster run log, `finops ui`, and with --verbose)."""
    from finops_pipeline.core.focus import loaded_months
    from finops_pipeline.orchestration.fingerprints import skip_unchanged
    from finops_pipeline.orchestration.month_runner import month_partition_key, partition_keys

    try:
        settings = with_engine(load_settings(config, warehouse), engine)
        target = warehouse_path(settings.warehouse)
        keys = [month_partition_key(month)] if month else []
        prints: dict[str, str] = {}
        if target.exists():
            con = connect(target)  # waits for another writer here, failing in one line
            if not month:
                keys = partition_keys(loaded_months(con))
            prints, keys = skip_unchanged(con, keys, settings, force)
            con.close()
        if not keys and prints:
            return  # every month unchanged: skip_unchanged said so (no Dagster to load)
    except (FinopsError, ValueError) as error:
        raise _fail(error) from error
    if not keys:
        out.console.print(
            f"nothing loaded yet in {target}: run `finops ingest PATH` or `finops demo` first",
            soft_wrap=True,
            markup=False,
        )
        return
    try:
        problems = _build_months(settings, target, keys, prints, verbose)
    except (FinopsError, ValueError) as error:
        raise _fail(error) from error
    with closing(connect(target, read_only=True)) as con:
        out.print_stale_notice(con)  # months other than --month an interrupted load left
    if problems:
        raise typer.Exit(code=1)


def _build_months(
    settings: Settings, target: Path, keys: list[str], prints: dict[str, str], verbose: bool
) -> list[str]:
    """Build `keys` through the Dagster job (`orchestration.month_runner`), one line per
    month; records the fingerprint of each month in `prints` that built cleanly. The months
    that failed. `finops run` and `finops demo` both build their tables here."""
    from finops_pipeline.dagster_run import (
        quiet_dagster_warnings,
        split_failed_checks,
        step_failures,
    )
    from finops_pipeline.orchestration.fingerprints import record_built
    from finops_pipeline.orchestration.month_runner import build_months

    quiet_dagster_warnings()
    problems: list[str] = []

    def report(key: str, result: dg.ExecuteInProcessResult) -> None:
        failed, warned = split_failed_checks(result)
        state = "[green]ok[/]" if result.success and not failed else "[red]FAILED[/]"
        out.console.print(
            f"{key[:7]} {state}"
            + (f" checks failed: {', '.join(failed)}" if failed else "")
            + (f" [yellow]warnings:[/] {', '.join(warned)}" if warned else ""),
            soft_wrap=True,
        )
        for failure in step_failures(result):
            out.console.print(
                f"  {key[:7]} step {failure.step} failed: {failure.reason}",
                soft_wrap=True,
                markup=False,
            )
            if verbose:
                out.err_console.print(failure.trace, soft_wrap=True, markup=False)
        if not result.success:
            out.console.print(
                f"  (steps that need it were not run; full trace: run {result.run_id[:8]} in "
                "`finops ui`, or `finops run --verbose`)",
                soft_wrap=True,
                markup=False,
            )
        if not result.success or failed:
            problems.append(key)
        elif key in prints:
            with closing(connect(target)) as done:
                record_built(done, date.fromisoformat(key), prints[key])

    build_months(settings, target, keys, on_done=report, verbose=verbose)
    return problems


def _build_range(settings: Settings, target: Path, keys: list[str]) -> list[str]:
    """Build `keys` through the Dagster job in one run over their months
    (`month_runner.build_month_range`): one line per range, then what failed, each naming
    its month. `finops demo` builds here."""
    from finops_pipeline.dagster_run import split_failed_checks
    from finops_pipeline.orchestration.month_runner import build_month_range, range_failures

    with out.console.status("building the derived tables (Dagster job build_derived)..."):
        built = build_month_range(settings, target, keys)
    failed: list[str] = []
    for first, last, result in built:
        lines = range_failures(first, last, result)
        warned = list(dict.fromkeys(split_failed_checks(result)[1]))
        out.console.print(
            f"{first[:7]}..{last[:7]} "
            + ("[red]FAILED[/]" if lines else "[green]ok[/]")
            + (f" [yellow]warnings:[/] {', '.join(warned)}" if warned else ""),
            soft_wrap=True,
        )
        for line in lines:
            out.console.print(f"  {line}", soft_wrap=True, markup=False)
        if lines:
            out.console.print(
                f"  (full trace: run {result.run_id[:8]} in `finops ui`)", soft_wrap=True
            )
        failed += lines
    return failed


@app.command()
def init(
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write it [default: finops.yaml beside the warehouse]"),
    ] = None,
    top: Annotated[int, typer.Option(help="How many accounts to list as owner candidates")] = 10,
) -> None:
    """Write a commented starter finops.yaml from what is loaded: sources, tag keys and their
    spellings, currencies and missing rates, accounts with the most untagged cost.
    Never overwrites an existing file."""
    from finops_pipeline.init_config import starter_config

    try:
        settings = load_settings(config, warehouse)
        target = warehouse_path(settings.warehouse)
        if not target.exists():
            raise FinopsError(f"no warehouse at {target}; run `finops ingest PATH` first")
        destination = (out_file or target.parent / "finops.yaml").expanduser().resolve()
        if destination.exists():
            raise FinopsError(
                f"{destination} already exists and is never overwritten; give --out NEW.yaml "
                "or move it away"
            )
        con = connect(target, read_only=True)
        try:
            text = starter_config(con, settings, destination, top=top)
        finally:
            con.close()
        destination.parent.mkdir(parents=True, exist_ok=True)
        with destination.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except (FinopsError, FileExistsError) as error:
        raise _fail(error) from error
    out.console.print(
        f"wrote {destination}: review it, then `finops run` applies it", soft_wrap=True,
        markup=False,
    )  # fmt: skip


@app.command()
def sql(
    query: Annotated[
        str, typer.Argument(help="One read-only query (SELECT, DESCRIBE, SHOW, SUMMARIZE)")
    ],
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Run one read-only query on the warehouse (no file access, no writes, no settings)."""
    from contextlib import closing

    import duckdb

    from finops_pipeline.read_only_sql import check_read_only, execute_read_only, first_line

    if format not in ("table", "csv", "json"):
        raise _fail(ValueError("--format must be table, csv or json"))
    try:
        path = resolve_warehouse(config, warehouse)
    except FinopsError as error:
        raise _fail(error) from error
    if not path.exists():
        raise _fail(
            FileNotFoundError(f"no warehouse at {path}; run `finops demo` or `finops ingest` first")
        )
    try:
        check_read_only(query)  # before the lock is taken: a refusal never waits
        with closing(connect(path, read_only=True)) as con:
            out.print_stale_notice(con)
            out.print_cursor(execute_read_only(con, query), format)
    except FinopsError as error:
        raise _fail(error) from None
    except duckdb.Error as error:  # raised while fetching, e.g. a cast that fails on a row
        raise _fail(ValueError(first_line(error))) from None


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 3000,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Start the Dagster UI (dagster dev) on this configuration's warehouse."""
    from finops_pipeline.dagster_run import DAGSTER_WARNINGS_ENV, dagster_home
    from finops_pipeline.orchestration.ui_process import run_foreground

    try:
        settings = load_settings(config, warehouse)
    except FinopsError as error:
        raise _fail(error) from error
    target = warehouse_path(settings.warehouse)
    home = dagster_home(target.parent)
    env = dict(os.environ, DAGSTER_HOME=str(home), FINOPS_WAREHOUSE=str(target))
    if settings.config_file is not None:
        env["FINOPS_CONFIG"] = str(settings.config_file)
    warnings = [w for w in (os.environ.get("PYTHONWARNINGS"), DAGSTER_WARNINGS_ENV) if w]
    env["PYTHONWARNINGS"] = ",".join(warnings)
    workspace = home / "workspace.yaml"  # the package's code location, wherever it is installed
    workspace.write_text(WORKSPACE, encoding="utf-8")
    command = [sys.executable, "-m", "dagster", "dev", "-w", str(workspace), "-h", host,
               "-p", str(port)]  # fmt: skip
    out.console.print(
        f"Dagster UI on http://{host}:{port} (Ctrl+C or SIGTERM to stop), warehouse {target}",
        soft_wrap=True,
        markup=False,
    )
    code = run_foreground(command, env, cwd=target.parent)
    raise typer.Exit(code=0 if code in (128 + 2, 128 + 15) else code)


WORKSPACE = """\
# Written by `finops ui`: the finops_pipeline code location.
load_from:
  - python_module:
      module_name: finops_pipeline.definitions
      attribute: defs
      location_name: finops_pipeline
"""


register_allocation_commands(app)
register_insight_commands(app)
register_forecast_commands(app)
register_report_commands(app)
register_rates_commands(app)
register_export_commands(app)

if __name__ == "__main__":
    app()
