"""Sync a cloud source: list its deliveries, fetch the new or changed ones into the staging
mirror, land each with `ingest_path`, and record what landed in `connector_state`.
What is built from the landed rows is the asset graph's job (`finops_pipeline.refresh`).

The fetchers only fetch; landing (atomic replacement of a source x billing period, load log,
duplicate detection) stays in `finops_pipeline.ingest`. State is written after a delivery
landed, so a failed download or a rejected file is simply fetched again on the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.connectors.base import Candidate, Fetcher
from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.connectors.staging import (
    Progress,
    incoming_folder,
    install_delivery,
    no_progress,
    staging_root,
)
from finops_pipeline.connectors.state import ensure_state_table, is_unchanged, record
from finops_pipeline.ingest.outcomes import FileOutcome
from finops_pipeline.ingest.service import IngestReport, ingest_path


@dataclass
class SyncReport:
    ingest: IngestReport
    unchanged: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


def sync_source(
    con: duckdb.DuckDBPyConnection,
    source: SourceSettings,
    *,
    fetcher: Fetcher | None = None,
    period: date | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    progress: Progress = no_progress,
) -> SyncReport:
    """Fetch and land what changed at the source's location; `period` limits it to one month
    (a Dagster partition). Deliveries landed before a failure stay landed and in the report,
    which the caller refreshes (`finops_pipeline.refresh.sync_and_refresh`). Raises IngestError (naming the source, object and permission) when
    the provider refuses or the network fails after the client's retries."""
    from finops_pipeline.connectors.registry import make_fetcher

    ensure_state_table(con)
    fetcher = fetcher or make_fetcher(source)
    mirror = staging_root(con, source.name, source.staging_dir)
    report = SyncReport(IngestReport(source.name))
    for candidate in fetcher.candidates():
        if period is not None and candidate.period not in (None, period):
            continue
        _sync_one(con, source, fetcher, candidate, mirror, report, on_file, progress)
    return report


def _sync_one(
    con: duckdb.DuckDBPyConnection,
    source: SourceSettings,
    fetcher: Fetcher,
    candidate: Candidate,
    mirror: Path,
    report: SyncReport,
    on_file: Callable[[FileOutcome], None] | None,
    progress: Progress,
) -> None:
    """One delivery: skip it if unchanged; else fetch it whole, land it, then record it."""
    if is_unchanged(con, source.name, candidate.key, candidate.fingerprint, candidate.listing):
        report.unchanged.append(candidate.key)
        return
    with incoming_folder(mirror) as incoming:
        fetched = fetcher.fetch(candidate, incoming, progress)
        folder = install_delivery(incoming, mirror, candidate.folder)
    fmt = fetched.format or source.format
    landed = ingest_path(con, folder, source.name, fmt, on_file=on_file)
    _merge(report.ingest, landed)
    report.fetched.append(candidate.key)
    if not landed.rejected:
        record(con, source.name, candidate.key, fetched.objects, fetched.version, candidate.period)


def _merge(total: IngestReport, part: IngestReport) -> None:
    total.deliveries.extend(part.deliveries)
    total.superseded.extend(part.superseded)
    total.ignored.extend(part.ignored)
