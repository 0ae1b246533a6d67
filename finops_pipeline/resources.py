"""Dagster resources and partitions shared by every domain's assets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import dagster as dg
import duckdb
from pydantic import Field

from finops_pipeline.engines.settings import EngineSection, SparkSettings
from finops_pipeline.orchestration.preview import allow_partitioned_checks
from finops_pipeline.warehouse import RUN_MEMORY_LIMIT_MB, connect, warehouse_path

allow_partitioned_checks()


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file, and the engine that builds the tables (finops.yaml's
    `engine:`, `lake:` and `spark:`). One writer at a time: runs use the in-process executor.

    With `engine: spark` a table's build runs on Spark and writes the lake (`building()`);
    the warehouse file still holds the load log, lineage and run state, and DuckDB views
    over the lake, so checks and `finops sql` read the same names on either engine."""

    path: str
    engine: str = "duckdb"
    lake: str | None = None
    spark_master: str = "local[2]"
    spark_conf: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def for_settings(cls, path: str, section: EngineSection) -> WarehouseResource:
        return cls(
            path=path,
            engine=section.engine,
            lake=section.lake,
            spark_master=section.spark.master,
            spark_conf=dict(section.spark.conf),
        )

    def section(self) -> EngineSection:
        """The engine settings, validated: a known engine, a lake for spark."""
        return EngineSection(
            engine=self.engine,  # type: ignore[arg-type]
            spark=SparkSettings(master=self.spark_master, conf=self.spark_conf),
            lake=self.lake,
        )

    @contextmanager
    def landing(self) -> Iterator[None]:
        """Inside the block landing keeps the raw rows where the engine reads them: the
        warehouse's raw tables for DuckDB, the lake for Spark (engines/lake_store.py)."""
        section = self.section()
        if section.engine == "duckdb" or section.lake is None:
            yield
            return
        from finops_pipeline.engines.lake_store import LakeRawStore
        from finops_pipeline.ingest.raw_store import use_raw_store

        with use_raw_store(LakeRawStore(section.lake)):
            yield

    @contextmanager
    def building(self) -> Iterator[None]:
        """Inside the block every table is built by the configured engine (the build
        runner's `use_engine`); DuckDB needs nothing. The Spark session is one per process
        (getOrCreate), started on the first build that needs it."""
        section = self.section()
        if section.engine == "duckdb" or section.lake is None:
            yield
            return
        from finops_pipeline.build_runner import use_engine
        from finops_pipeline.engines.spark_engine import SparkEngine
        from finops_pipeline.engines.spark_session import spark_session

        with use_engine(SparkEngine(spark_session(section.spark), section.lake)):
            yield

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


def billing_months(
    start: str = "2020-01-01", end_offset: int = 1
) -> dg.MonthlyPartitionsDefinition:
    """Billing-month partitions up to and including the current, still open month, and
    `end_offset - 1` months after it (orchestration/partitions.py: a month loaded ahead)."""
    return dg.MonthlyPartitionsDefinition(start_date=start, end_offset=end_offset)


def partition_month(key: str) -> date:
    """'2024-05-01' (a partition key) -> date(2024, 5, 1)."""
    return datetime.strptime(key[:10], "%Y-%m-%d").date()


def default_warehouse() -> str:
    return str(warehouse_path())
