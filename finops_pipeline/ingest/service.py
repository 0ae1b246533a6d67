"""Ingest a path for a source: discover deliveries and land each.

This is the one landing entry point the CLI, the Dagster assets and the tests share. It only
lands: what is built from the landed rows (focus_costs first) is the asset graph's job, run by
`finops_pipeline.refresh` after a command-line load and by `finops run` (so `ingest` needs
nothing from `core`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.discover import Delivery, discover
from finops_pipeline.ingest.landing import DeliveryOutcome, FileOutcome, Lander


@dataclass
class IngestReport:
    source: str
    deliveries: list[DeliveryOutcome] = field(default_factory=list)
    superseded: list[Path] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    focus_rows_written: int = 0
    # Set by the refresh after landing (finops_pipeline.refresh): the focus_costs rows of the
    # refreshed pairs, and the (source, period) pairs an interrupted earlier run had landed but
    # not rebuilt, which that refresh finished.
    recovered: set[tuple[str, date]] = field(default_factory=set)

    @property
    def files(self) -> list[FileOutcome]:
        return [f for d in self.deliveries for f in d.files]

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def changed_periods(self) -> set[tuple[str, date]]:
        return {(self.source, p) for d in self.deliveries if d.loaded for p in d.periods}

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def ingest_path(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: str,
    format_name: str = "auto",
    *,
    period: date | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    on_delivery_start: Callable[[Delivery], None] | None = None,
) -> IngestReport:
    """Land every delivery under `path` for `source`. The landing records its (source, period)
    pairs in `pending_rebuild` until focus_costs is rebuilt for them (ingest/pending.py):
    `finops_pipeline.refresh.ingest_and_refresh` lands and refreshes in one call.

    `period` restricts the run to deliveries whose folder names that billing month (and to
    deliveries with no period in their folder name): that is a Dagster partition's slice.
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(
            path,
            "path does not exist",
            expected="a file or a folder of exports",
            action="check the path (or FINOPS_SAMPLE_DATA / the source's path)",
        )
    found = discover(path)
    report = IngestReport(source, superseded=found.superseded, ignored=found.ignored)
    lander = Lander(con, source, format_name, on_file=on_file)
    for delivery in found.deliveries:
        if period is not None and delivery.period not in (None, period):
            continue
        if on_delivery_start:
            on_delivery_start(delivery)
        report.deliveries.append(lander.land(delivery))
    return report
