"""Dagster resources and partitions shared by every domain's assets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import dagster as dg
import duckdb

from finops_pipeline.orchestration.preview import allow_partitioned_checks
from finops_pipeline.warehouse import RUN_MEMORY_LIMIT_MB, connect, warehouse_path

allow_partitioned_checks()


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: runs use the in-process executor."""

    path: str

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A run's steps get DuckDB's smaller run default (warehouse.RUN_MEMORY_LIMIT_MB): the
        process also holds Dagster and great-expectations, so the run stays under 1 GB."""
        return connect(self.path, default_limit_mb=RUN_MEMORY_LIMIT_MB)

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """`with warehouse.connection() as con:` the file's one write lock is released when
        the block ends, raised or not, so the next step of the run (or another process) can
        open it."""
        con = self.connect()
        try:
            yield con
        finally:
            con.close()


def billing_months(start: str = "2020-01-01") -> dg.MonthlyPartitionsDefinition:
    """Billing-month partitions up to and including the current, still open month."""
    return dg.MonthlyPartitionsDefinition(start_date=start, end_offset=1)


def partition_month(key: str) -> date:
    """'2024-05-01' (a partition key) -> date(2024, 5, 1)."""
    return datetime.strptime(key[:10], "%Y-%m-%d").date()


def month_partition_key(month: str) -> str:
    """'2024-05' (as users type it) -> '2024-05-01' (the partition key)."""
    try:
        return datetime.strptime(month, "%Y-%m").strftime("%Y-%m-01")
    except ValueError as exc:
        raise ValueError(f"month {month!r} is not YYYY-MM") from exc


def default_warehouse() -> str:
    return str(warehouse_path())
