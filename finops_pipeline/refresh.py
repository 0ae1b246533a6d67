"""After a command-line load: bring focus_costs up to date through the Dagster asset graph.

Landing (`ingest.service.ingest_path`, `connectors.sync.sync_source`) only lands. What is
built from the landed rows, and in which order, is known by the asset graph alone, so a load
refreshes focus_costs by materializing that asset (from the same `build_derived` job
`finops run` executes, on the same instance, so `finops ui` shows the runs) for every month
the load changed and every month an interrupted load left in `pending_rebuild`.
The asset checks are left to `finops run`, as before: a load never fails on a check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.connectors.staging import Progress, no_progress
from finops_pipeline.connectors.sync import SyncReport, sync_source
from finops_pipeline.core.pending import pending_pairs
from finops_pipeline.errors import FinopsError
from finops_pipeline.ingest.outcomes import FileOutcome
from finops_pipeline.ingest.service import IngestReport, ingest_path
from finops_pipeline.settings import Settings, SourceSettings, load_settings
from finops_pipeline.tagging.policy import TagPolicy

Pair = tuple[str, date]
FOCUS_ASSET = "focus_costs"


def refresh_focus(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    settings: Settings | None = None,
    *,
    policy: TagPolicy | None = None,
) -> IngestReport:
    """Rebuild focus_costs for the months `report` changed plus those pending, via Dagster.

    Sets `report.focus_rows_written` (focus_costs rows of the refreshed pairs) and
    `report.recovered` (pending pairs of an earlier, interrupted load this refresh finished).
    `settings` default to the warehouse's configuration; `policy` overrides its tag policy.
    """
    changed = report.changed_periods
    report.recovered = pending_pairs(con) - changed
    pairs = changed | report.recovered
    if not pairs:
        return report
    run_focus_months(con, sorted({period for _, period in pairs}), settings, policy)
    report.focus_rows_written = focus_rows(con, pairs)
    return report


def run_focus_months(
    con: duckdb.DuckDBPyConnection,
    months: list[date],
    settings: Settings | None = None,
    policy: TagPolicy | None = None,
) -> None:
    """Materialize the focus_costs partition of each month (one Dagster run per month)."""
    from finops_pipeline.dagster_run import quiet_dagster_warnings, run_partitions, step_failures
    from finops_pipeline.definitions import build_definitions

    quiet_dagster_warnings()
    path = warehouse_file(con)
    chosen = settings or load_settings(None, path)
    update: dict[str, object] = {"partitions_start": partitions_start(chosen, months[0])}
    if policy is not None:
        update["tag_policy"] = policy
    defs = build_definitions(chosen.model_copy(update=update), str(path))
    results = run_partitions(
        defs,
        "build_derived",
        [f"{month:%Y-%m-01}" for month in months],
        home_beside=path.parent,
        assets=[FOCUS_ASSET],
    )
    for result in results:
        if not result.success:
            failures = step_failures(result)
            reason = failures[0].reason if failures else "the run failed"
            raise FinopsError(f"rebuilding focus_costs failed: {reason}")


def partitions_start(settings: Settings, first: date) -> str:
    """The configured first partition, moved back to `first` when the load is older (the
    code location's own default reads the warehouse, which this process holds open)."""
    wanted = f"{first:%Y-%m-01}"
    configured = settings.partitions_start
    return min(configured, wanted) if configured else wanted


def focus_rows(con: duckdb.DuckDBPyConnection, pairs: Iterable[Pair]) -> int:
    chosen = sorted(set(pairs))
    row = con.execute(
        "select count(*) from focus_costs where (x_SourceName, BillingPeriodStart) in "
        "(select unnest(p, recursive := true) from (select unnest(?::struct(s varchar, "
        "p date)[]) as p))",
        [[{"s": source, "p": period} for source, period in chosen]],
    ).fetchone()
    return int(row[0]) if row else 0


def warehouse_file(con: duckdb.DuckDBPyConnection) -> Path:
    """The file `con` is on: the Dagster run opens its own connection to it."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    if not row or not row[0]:
        raise FinopsError("focus_costs is refreshed through Dagster, which needs a warehouse file")
    return Path(row[0]).resolve()


def ingest_and_refresh(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: str,
    format_name: str = "auto",
    *,
    settings: Settings | None = None,
    policy: TagPolicy | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> IngestReport:
    """Land every delivery under `path` for `source`, then refresh focus_costs (see above):
    what `finops ingest PATH` does."""
    report = ingest_path(con, path, source, format_name, on_file=on_file)
    return refresh_focus(con, report, settings, policy=policy)


def sync_and_refresh(
    con: duckdb.DuckDBPyConnection,
    source: SourceSettings,
    *,
    settings: Settings | None = None,
    policy: TagPolicy | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    progress: Progress = no_progress,
) -> SyncReport:
    """Sync a cloud source, then refresh focus_costs: what `finops ingest <location>` does.

    Deliveries landed before a failure are committed and recorded as pending: their months
    are refreshed even when a later delivery fails, before the error propagates."""
    try:
        report = sync_source(con, source, on_file=on_file, progress=progress)
    except BaseException:
        refresh_focus(con, IngestReport(source.name), settings, policy=policy)
        raise
    refresh_focus(con, report.ingest, settings, policy=policy)
    return report
