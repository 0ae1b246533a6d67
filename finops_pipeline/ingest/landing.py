"""Land deliveries in the raw tables: one transaction per delivery, logged file by file.

A delivery's rows go in under a new load id; then every earlier row of the same source and
billing periods (in any raw table, so a source that changed format is not doubled) is
deleted, and the load log is written, all before one commit. Any failure rolls back, so the
previous good data stays. Identical files already current for the source are skipped.

With a raw store (`ingest.raw_store`, the Spark lake) the rows are read and validated the
same way into the store's landing table, staged by the store inside the transaction and
published (the slices swapped) right after the commit: a crash between the two leaves the
load logged but its rows not current, so landing the same file again lands it again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_pipeline.errors import ConfigError, IngestError
from finops_pipeline.ingest.diagnose import LoadFailure, diagnose
from finops_pipeline.ingest.discover import Delivery
from finops_pipeline.ingest.load_log import (
    Hashes,
    all_current,
    could_be_duplicates,
    file_sha256,
    new_load_id,
    write_load_log,
)
from finops_pipeline.ingest.localized_values import localize_selection
from finops_pipeline.ingest.mapping import FormatMapping, get_mapping
from finops_pipeline.ingest.nul_bytes import find_nul, landed_nul_condition
from finops_pipeline.ingest.outcomes import DeliveryOutcome, FileOutcome
from finops_pipeline.ingest.pause import pause_point
from finops_pipeline.ingest.pending import ensure_pending_table, mark_pending
from finops_pipeline.ingest.raw_store import current_raw_store
from finops_pipeline.ingest.raw_tables import ensure_raw_tables, raw_tables
from finops_pipeline.ingest.reader import (
    FileKind,
    check_readable,
    file_kind,
    read_schema,
    relation_sql,
)
from finops_pipeline.ingest.select import Selection, build_selection, detect_format
from finops_pipeline.warehouse import checkpoint_written, quote_identifier, transaction

__all__ = ["DeliveryOutcome", "FileOutcome", "Lander", "ensure_raw_tables", "raw_tables"]


@dataclass
class _Prepared:
    path: Path
    kind: FileKind
    padded: bool
    mapping: FormatMapping
    selection: Selection
    detected: bool


class Lander:
    """Lands deliveries for one source into an open warehouse connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        source: str,
        format_name: str = "auto",
        on_file: Callable[[FileOutcome], None] | None = None,
    ) -> None:
        self.con = con
        self.source = source
        self.format_name = format_name
        self.on_file = on_file or (lambda outcome: None)
        self.store = current_raw_store()
        if self.store is None:
            _refuse_lake_views(con)
        ensure_raw_tables(con)
        if self.store is not None:
            self.store.prepare(con)
        ensure_pending_table(con)

    def _table(self, raw_table: str) -> str:
        """Where a delivery's rows of `raw_table` go first: the table, or the store's."""
        return self.store.landing_table(raw_table) if self.store else raw_table

    def land(self, delivery: Delivery) -> DeliveryOutcome:
        load_id = new_load_id()
        if could_be_duplicates(self.con, self.source, delivery.files):
            hashes = {path: file_sha256(path) for path in delivery.files}
            if all_current(self.con, self.source, hashes):
                outcomes = [
                    FileOutcome(
                        p, "skipped_duplicate", reason="identical to the file already loaded"
                    )
                    for p in delivery.files
                ]
                write_load_log(self.con, self.source, load_id, outcomes, hashes)
                return self._done(DeliveryOutcome(delivery, load_id, outcomes))
            return self._land(delivery, load_id, Hashes(known=hashes))
        # No current file of the same size: not a duplicate. Hash while DuckDB loads.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(lambda: {p: file_sha256(p) for p in delivery.files})
            return self._land(delivery, load_id, Hashes(pending=pending))

    def _land(self, delivery: Delivery, load_id: str, hashes: Hashes) -> DeliveryOutcome:
        try:
            return self._land_or_reject(delivery, load_id, hashes)
        finally:
            if self.store is not None:
                self.store.clear(self.con)

    def _land_or_reject(self, delivery: Delivery, load_id: str, hashes: Hashes) -> DeliveryOutcome:
        try:
            try:
                outcomes = self._land_new(delivery, load_id, hashes, careful=False)
            except LoadFailure as failure:
                if failure.unreadable:
                    raise  # the file's structure, not a value: the general parsers won't help
                # The fast casts refused something; the general parsers may still read it.
                outcomes = self._land_new(delivery, load_id, hashes, careful=True)
        except LoadFailure as failure:
            outcomes = self._rejected(delivery, diagnose(self.con, failure))
        except IngestError as error:
            outcomes = self._rejected(delivery, error)
        if any(o.status != "loaded" for o in outcomes):
            write_load_log(self.con, self.source, load_id, outcomes, hashes)
        return self._done(DeliveryOutcome(delivery, load_id, outcomes))

    def _land_new(
        self, delivery: Delivery, load_id: str, hashes: Hashes, careful: bool
    ) -> list[FileOutcome]:
        """Insert, replace the earlier rows of the same periods, log: one transaction."""
        prepared = [self._prepare(path, careful) for path in delivery.files]
        outcomes: list[FileOutcome] = []
        pause_point("landing:start")
        with transaction(self.con):
            for item in prepared:
                outcomes.append(self._insert_file(item, load_id, delivery.period))
            self._record_cost_basis(outcomes, load_id)
            pause_point("landing:inserted")
            periods = {p for o in outcomes for p in o.periods}
            deleted = self._replace_previous(load_id, periods)
            write_load_log(self.con, self.source, load_id, outcomes, hashes)
            # Committed with the rows, cleared by the focus_costs rebuild: a crash between
            # the two leaves this record, so the month is finished later, never left stale.
            mark_pending(self.con, self.source, periods, load_id)
            pause_point("landing:before_commit")
        pause_point("landing:after_commit")
        if self.store is not None and periods:
            self.store.publish(self.con)
        elif self.store is None:
            checkpoint_written(self.con, deleted=deleted > 0)
        return outcomes

    def _done(self, outcome: DeliveryOutcome) -> DeliveryOutcome:
        for file_outcome in outcome.files:
            self.on_file(file_outcome)
        return outcome

    def _mapping_for(self, path: Path, schema) -> tuple[FormatMapping, bool]:
        if self.format_name and self.format_name != "auto":
            return get_mapping(self.format_name), False
        return detect_format(schema, path).mapping, True

    def _prepare(self, path: Path, careful: bool) -> _Prepared:
        """Read the header and choose the mapping, before the transaction: a failed read
        inside a DuckDB transaction would abort it, and these failures need no rollback."""
        check_readable(path)
        kind = file_kind(path) or "csv"
        schema = read_schema(self.con, path, kind)
        mapping, detected = self._mapping_for(path, schema)
        selection = build_selection(mapping, schema, path, careful=careful)
        selection = localize_selection(self.con, selection, schema, path, kind)
        return _Prepared(path, kind, schema.padded, mapping, selection, detected)

    def _insert_file(
        self, prepared: _Prepared, load_id: str, folder_period: date | None
    ) -> FileOutcome:
        path, mapping, selection = prepared.path, prepared.mapping, prepared.selection
        relation, params = relation_sql(prepared.kind, path, prepared.padded)
        period_sql = self._period_sql(mapping)
        sql = (
            f"insert into {self._table(mapping.raw_table)} by name\n"
            f"select *, {period_sql} as x_billing_period from (\n"
            f"  select {selection.select_list()},\n"
            f"    ? as x_source_name, ? as x_source_format, ? as x_source_file,\n"
            f"    ? as x_load_id, ? as x_loaded_at\n"
            f"  from {relation}\n)"
        )
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        args = [self.source, mapping.format, str(path), load_id, loaded_at, *params]
        try:
            self.con.execute(sql, args)
        except duckdb.Error as exc:
            raise LoadFailure(path, prepared.kind, selection, exc, prepared.padded) from exc
        outcome = FileOutcome(path, "loaded", mapping.format, detected=prepared.detected)
        try:
            self._measure(outcome, mapping, load_id, folder_period)
            self._refuse_nul(prepared, load_id)
        except duckdb.Error as exc:  # e.g. a sum beyond DECIMAL(38, 12): the file's values
            raise LoadFailure(path, prepared.kind, selection, exc, prepared.padded) from exc
        return outcome

    def _refuse_nul(self, prepared: _Prepared, load_id: str) -> None:
        mapping = prepared.mapping
        found = self.con.execute(
            f"select 1 from {self._table(mapping.raw_table)} "
            "where x_load_id = ? and x_source_file = ? "
            f"and ({landed_nul_condition(mapping)}) limit 1",
            [load_id, str(prepared.path)],
        ).fetchall()
        if found:
            raise find_nul(
                self.con, prepared.path, prepared.kind, prepared.padded, prepared.selection
            )

    @staticmethod
    def _period_sql(mapping: FormatMapping) -> str:
        cols = ", ".join(quote_identifier(c) for c in mapping.billing_period_columns)
        expr = f"coalesce({cols})" if len(mapping.billing_period_columns) > 1 else cols
        return f"finops_month({expr})"

    def _measure(
        self, outcome: FileOutcome, mapping: FormatMapping, load_id: str, folder_period: date | None
    ) -> None:
        table, path = self._table(mapping.raw_table), str(outcome.path)
        scope = "x_load_id = ? and x_source_file = ?"
        totals = self.con.execute(
            f"select {mapping.currency_sql} as currency, sum({mapping.total_cost_sql}), count(*) "
            f"from {table} where {scope} group by all order by 1",
            [load_id, path],
        ).fetchall()
        outcome.totals = {str(cur): (total or Decimal(0)) for cur, total, _ in totals if cur}
        outcome.rows = sum(n for *_, n in totals)
        periods = self.con.execute(
            f"select distinct x_billing_period from {table} where {scope} order by 1",
            [load_id, path],
        ).fetchall()
        outcome.periods = [row[0] for row in periods if row[0] is not None]
        if any(row[0] is None for row in periods):
            raise IngestError(
                outcome.path,
                "some rows have no billing period",
                expected="a value in " + " or ".join(mapping.billing_period_columns),
                action="check the export's billing period columns",
            )
        if any(cur is None for cur, *_ in totals):
            raise IngestError(
                outcome.path,
                "some rows have no currency",
                expected=f"a currency code in {mapping.currency_sql}",
                action="check the export's currency column",
            )
        if folder_period and mapping.period_folder_check:
            wrong = [p for p in outcome.periods if p != folder_period]
            if wrong:
                raise IngestError(
                    outcome.path,
                    f"billing period {wrong[0]:%Y-%m} in the rows disagrees with the folder, "
                    f"which says {folder_period:%Y-%m}",
                    expected=f"rows of billing period {folder_period:%Y-%m} only",
                    action="move the file to the folder of its billing period, or re-export it",
                )

    def _record_cost_basis(self, outcomes: list[FileOutcome], load_id: str) -> None:
        """Asked once the whole delivery is in: a basis may depend on sibling files' rows."""
        for outcome in outcomes:
            mapping = get_mapping(outcome.format or "")
            table = self._table(mapping.raw_table)
            basis = re.sub(rf"\b{mapping.raw_table}\b", table, mapping.cost_basis_sql)
            rows = self.con.execute(
                f"select distinct {basis} from {table} where x_load_id = ? and x_source_file = ?",
                [load_id, str(outcome.path)],
            ).fetchall()
            outcome.cost_basis = ",".join(sorted(str(r[0]) for r in rows)) or None

    def _replace_previous(self, load_id: str, periods: set[date]) -> int:
        """Delete the earlier rows of the delivery's periods; how many were deleted."""
        if not periods:
            return 0
        if self.store is not None:  # staged now, published after the commit
            self.store.stage(self.con, self.source, load_id, periods)
            return 0
        deleted = 0
        for table in raw_tables():
            row = self.con.execute(
                f"delete from {table} where x_source_name = ? and x_load_id <> ? "
                f"and x_billing_period in (select unnest(?::date[]))",
                [self.source, load_id, sorted(periods)],
            ).fetchone()
            deleted += int(row[0]) if row else 0
        return deleted

    def _rejected(self, delivery: Delivery, error: IngestError) -> list[FileOutcome]:
        bad = Path(error.file)
        outcomes = []
        for path in delivery.files:
            if path == bad:
                outcomes.append(FileOutcome(path, "rejected", reason=error.one_line()))
            else:
                outcomes.append(
                    FileOutcome(
                        path,
                        "rejected",
                        reason=f"not loaded: {bad.name} in the same delivery was rejected, so the "
                        "delivery's billing periods were left as they were",
                    )
                )
        return outcomes


def _refuse_lake_views(con: duckdb.DuckDBPyConnection) -> None:
    """Landing into the warehouse when its raw tables are views over the Spark lake would
    fail deep inside an insert: say which setting is missing instead."""
    views = {row[0] for row in con.execute("select view_name from duckdb_views()").fetchall()}
    in_lake = sorted(views & set(raw_tables()))
    if in_lake:
        raise ConfigError(
            f"this warehouse keeps its raw tables ({', '.join(in_lake)}) in the Spark lake: "
            "land with the engine that built it (engine: spark and its lake: in finops.yaml, "
            "or --engine spark)"
        )
