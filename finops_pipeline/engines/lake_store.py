"""The raw rows of `engine: spark`, kept in the Parquet lake: `raw_<format>/lake_period=
YYYY-MM-DD/lake_source=NAME/*.parquet`, one folder per (billing period, source), the unit a
restatement replaces. The warehouse's raw tables become DuckDB views over those folders, so
the load log, the checks, `finops sql` and the notebooks read them by the same names, and
Spark reads the folders directly (spark_engine `_provide`): no line item crosses to Spark
through the driver.

Landing itself is DuckDB's (ingest/landing.py with this store): the same readers, mappings,
validation, rejection and duplicate rules as `engine: duckdb`, one code path for both
engines. A delivery's rows go to a temporary `landing_<raw table>`, are staged as Parquet
under `_staging/<load id>/` inside the landing's transaction, and after its commit each
(period, source) folder is swapped for the staged one by a rename (a folder the delivery has
no rows for is removed, as `engine: duckdb` deletes those rows).

The lake must be a local (or mounted) folder here: landing into an object store needs a
Hadoop/fsspec writer and its credentials, which this store does not have yet.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import quote

import duckdb

from finops_pipeline.engines.lake import PERIOD, SOURCE
from finops_pipeline.errors import ConfigError
from finops_pipeline.ingest.raw_tables import raw_columns, raw_table_ddl, raw_tables
from finops_pipeline.warehouse import quote_identifier, transaction, view_exists

STAGING = "_staging"  # `_` folders are skipped by Spark's and DuckDB's Parquet readers


def local_lake(lake: str) -> Path:
    """The lake's folder; a URI other than file:// is refused in one line."""
    if lake.startswith("file://"):
        return Path(lake.removeprefix("file://"))
    if "://" in lake:
        raise ConfigError(
            f"lake: {lake}: landing exports into a lake at a URI is not supported yet; "
            "use a local or mounted folder (e.g. a FUSE mount of the bucket)"
        )
    return Path(lake)


class LakeRawStore:
    """`ingest.raw_store.RawStore` over a local Parquet lake."""

    def __init__(self, lake: str) -> None:
        self.lake = local_lake(lake)
        self._staged: tuple[Path, str, set[date]] | None = None

    # -- RawStore ---------------------------------------------------------------------
    def prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        adopt_raw_tables(con, self.lake)
        for table in raw_tables():
            con.execute(raw_table_ddl(table, self.landing_table(table), temporary=True))

    def landing_table(self, raw_table: str) -> str:
        return f"landing_{raw_table}"

    def stage(
        self, con: duckdb.DuckDBPyConnection, source: str, load_id: str, periods: set[date]
    ) -> None:
        staging = self.lake / STAGING / load_id
        shutil.rmtree(staging, ignore_errors=True)  # an earlier attempt of the same load
        for table in raw_tables():
            landing = self.landing_table(table)
            for period in sorted(periods):
                rows = f"select * from {landing} where x_load_id = ? and x_billing_period = ?"
                found = con.execute(f"select count(*) from ({rows})", [load_id, period]).fetchone()
                if not found or not found[0]:
                    continue  # no rows: publishing removes the slice
                folder = staging / _slice(table, period, source)
                folder.mkdir(parents=True)
                target = folder / f"part-{uuid.uuid4().hex}.parquet"
                con.execute(f"copy ({rows}) to '{target}' (format parquet)", [load_id, period])
        self._staged = (staging, source, set(periods))

    def publish(self, con: duckdb.DuckDBPyConnection) -> None:
        if self._staged is None:
            return
        staging, source, periods = self._staged
        retired = self.lake / STAGING / f"retired-{uuid.uuid4().hex}"
        for table in raw_tables():
            for period in periods:
                part = _slice(table, period, source)
                current, new = self.lake / part, staging / part
                if current.exists():
                    (retired / part).parent.mkdir(parents=True, exist_ok=True)
                    current.rename(retired / part)
                if new.exists():
                    current.parent.mkdir(parents=True, exist_ok=True)
                    new.rename(current)
            view_over_lake(con, self.lake, table)
        shutil.rmtree(retired, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
        self._staged = None

    def clear(self, con: duckdb.DuckDBPyConnection) -> None:
        for table in raw_tables():
            con.execute(f"delete from {self.landing_table(table)}")
        if self._staged is not None:  # staged, never published: the load was rolled back
            shutil.rmtree(self._staged[0], ignore_errors=True)
            self._staged = None


def adopt_raw_tables(con: duckdb.DuckDBPyConnection, lake: Path) -> None:
    """Move the rows of raw tables that are still warehouse tables (a warehouse landed with
    `engine: duckdb`, or a fresh one) into the lake, and make each a view over it. Each
    table's rows are written first, then the table is swapped for the view in one
    transaction, so an interruption leaves the table (and writing it again is harmless)."""
    tables = {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where not temporary"
        ).fetchall()
    }
    for table in raw_tables():
        if table not in tables:
            if not view_exists(con, table):
                view_over_lake(con, lake, table)
            continue
        keys = con.execute(
            f"select distinct x_billing_period, x_source_name from {table} order by all"
        ).fetchall()
        for period, source in keys:
            folder = lake / _slice(table, period, source)
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            con.execute(
                f"copy (select * from {table} where x_billing_period = ? and x_source_name = ?) "
                f"to '{folder / f'part-{uuid.uuid4().hex}.parquet'}' (format parquet)",
                [period, source],
            )
        with transaction(con):
            con.execute(f"drop table {table}")
            view_over_lake(con, lake, table)


def view_over_lake(con: duckdb.DuckDBPyConnection, lake: Path, table: str) -> None:
    """`table` as a view over its lake folder; with no rows there yet, an empty select of
    the raw table's columns and types."""
    folder = lake / table
    if any(folder.rglob("*.parquet")) if folder.is_dir() else False:
        pattern = str(folder / "**" / "*.parquet")
        con.execute(
            f"create or replace view {table} as select * exclude ({PERIOD}, {SOURCE}) "
            f"from read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"
        )
        return
    columns = ", ".join(
        f"cast(null as {kind}) as {quote_identifier(name)}"
        for name, kind in raw_columns(table).items()
    )
    con.execute(f"create or replace view {table} as select {columns} where false")


def _slice(table: str, period: date, source: str) -> Path:
    """The folder of one (billing period, source) of a raw table, relative to the lake."""
    return Path(table, f"{PERIOD}={period:%Y-%m-%d}", f"{SOURCE}={quote(source, safe='')}")
