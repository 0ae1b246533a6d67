"""After a command-line load: bring focus_costs up to date for what the load changed.

Landing (`ingest.service.ingest_path`, `connectors.sync.sync_source`) only lands; this module
composes landing with the rebuild, so `ingest/` and `connectors/` never import `core.focus`.
The rebuild covers exactly the (source, billing period) pairs the load changed plus the pairs
an interrupted load left in `pending_rebuild` (core/focus.py `build_focus_pending`).

Two ways in, one rebuild:
- `finops ingest` (`refresh_in_job`, `sync_then_refresh`) lands, closes the warehouse and
  runs the Dagster job `build_derived` narrowed to focus_costs and to the pending pairs, one
  run per stretch of consecutive months (`month_runner.refresh_focus_range`): the asset graph
  is the only place that orders the build, and the run records the materializations.
- The library functions (`refresh_focus`, `ingest_and_refresh`, `sync_and_refresh`: the
  tests and benchmarks; no command) call the asset's own build, `build_focus_pending`, on the
  caller's open connection and in its transaction rules, without a Dagster run per load
  (a run costs seconds; the tests load hundreds of times). `finops demo` lands only and
  builds focus_costs in its build_derived run.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.connectors.staging import Progress, no_progress
from finops_pipeline.connectors.sync import SyncReport, sync_source
from finops_pipeline.core.focus import rebuild_changed
from finops_pipeline.ingest.outcomes import FileOutcome
from finops_pipeline.ingest.pending import pending_pairs
from finops_pipeline.ingest.service import IngestReport, ingest_path
from finops_pipeline.settings import Settings, SourceSettings
from finops_pipeline.tagging.policy import TagPolicy
from finops_pipeline.warehouse import connect, warehouse_path

Pair = tuple[str, date]


def refresh_focus(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    settings: Settings | None = None,
    *,
    policy: TagPolicy | None = None,
) -> IngestReport:
    """Rebuild focus_costs for the pairs `report` changed plus those pending.

    Sets `report.focus_rows_written` (rows written) and `report.recovered` (pending pairs of
    an earlier, interrupted load this refresh finished). `policy` overrides the tag policy of
    `settings`; with neither, tags are normalised without a policy.
    """
    chosen = policy if policy is not None else (settings.tag_policy if settings else None)
    written, report.recovered = rebuild_changed(con, report.changed_periods, chosen)
    report.focus_rows_written = written
    return report


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


def refresh_in_job(settings: Settings, report: IngestReport) -> IngestReport:
    """After a load into `settings`' warehouse (closed in this process): rebuild the pending
    pairs through the focus_costs asset (`month_runner.refresh_focus_range`; RefreshFailed
    names the months it could not rebuild, which stay pending with their earlier rows).

    Sets `report.recovered` (pending pairs of an earlier, interrupted load) and
    `report.focus_rows_written` (the focus_costs rows of the pairs rebuilt)."""
    from finops_pipeline.orchestration.month_runner import refresh_focus_range

    warehouse = warehouse_path(settings.warehouse)
    with closing(connect(warehouse)) as con:
        pairs = pending_pairs(con)
    report.recovered = pairs - report.changed_periods
    if not pairs:
        return report
    refresh_focus_range(settings, warehouse, {period for _, period in pairs})
    with closing(connect(warehouse)) as con:
        report.focus_rows_written = _rows_of(con, pairs)
    return report


def _rows_of(con: duckdb.DuckDBPyConnection, pairs: set[Pair]) -> int:
    """focus_costs rows of `pairs` (a rebuild replaces exactly them: the rows it wrote)."""
    row = con.execute(
        "select count(*) from focus_costs f join (select unnest(?::struct(s varchar, p date)[]) "
        "as pair) on f.x_SourceName = pair.s and cast(f.BillingPeriodStart as date) = pair.p",
        [[{"s": source, "p": period} for source, period in sorted(pairs)]],
    ).fetchone()
    return int(row[0]) if row else 0


def sync_then_refresh(
    source: SourceSettings,
    settings: Settings,
    *,
    on_file: Callable[[FileOutcome], None] | None = None,
    progress: Progress = no_progress,
) -> SyncReport:
    """Sync a cloud source, close the warehouse, then `refresh_in_job`: `finops ingest
    <location>`. As `sync_and_refresh`, deliveries landed before a failure are refreshed
    before the error propagates."""
    con = connect(settings.warehouse)
    try:
        report = sync_source(con, source, on_file=on_file, progress=progress)
    except BaseException:
        con.close()
        refresh_in_job(settings, IngestReport(source.name))
        raise
    con.close()
    refresh_in_job(settings, report.ingest)
    return report
