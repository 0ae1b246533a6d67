"""After a command-line load: bring focus_costs up to date for what the load changed.

Landing (`ingest.service.ingest_path`, `connectors.sync.sync_source`) only lands; this module
composes landing with the rebuild, so `ingest/` and `connectors/` never import `core.focus`.
The rebuild covers exactly the (source, billing period) pairs the load changed plus the pairs
an interrupted load left in `pending_rebuild`, in one transaction (core/focus.py).

Why not a Dagster run per month (issue 17, item 4): `focus_costs`' partition is a whole month
of every source, so a load of N deliveries became N x months full-month rebuilds plus a run's
overhead each (the test suite went from ~10 to over 50 minutes, the demo's load from seconds
to minutes). The asset graph takes this over once the assets can build a range of partitions
in one run (a single-run backfill policy); until then the CLI records the materializations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.connectors.staging import Progress, no_progress
from finops_pipeline.connectors.sync import SyncReport, sync_source
from finops_pipeline.core.focus import rebuild_changed
from finops_pipeline.ingest.outcomes import FileOutcome
from finops_pipeline.ingest.service import IngestReport, ingest_path
from finops_pipeline.settings import Settings, SourceSettings
from finops_pipeline.tagging.policy import TagPolicy

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
