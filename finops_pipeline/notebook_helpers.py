"""The one way the notebooks in notebooks/ read the warehouse.

Read-only (a notebook can stay open while `finops ingest` or Dagster writes), the warehouse
chosen as for the CLI (FINOPS_WAREHOUSE, else FINOPS_CONFIG's or ./finops.yaml's `warehouse:`,
else ./finops.duckdb), parameters always bound.
`query` takes one read-only query, checked as `finops sql` checks it (read_only_sql), on a
connection with file access off. Each call opens and closes its own connection: DuckDB's
read lock excludes writers, so a notebook left open must not hold it between cells; a call
made while a load writes waits for it (FINOPS_LOCK_TIMEOUT) instead of failing.
Frames come back as pandas for Altair: DuckDB turns DECIMAL into float64 there, which is fine
for charts and eyeballing; do sums that must be exact in SQL, where money stays DECIMAL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from finops_pipeline.read_only_sql import execute_read_only
from finops_pipeline.settings import resolve_warehouse
from finops_pipeline.warehouse import connect, quote_identifier


def warehouse_file() -> Path:
    """FINOPS_WAREHOUSE, else the warehouse of FINOPS_CONFIG / ./finops.yaml, else
    ./finops.duckdb: the same rules as every `finops` command."""
    return resolve_warehouse()


def connection() -> duckdb.DuckDBPyConnection:
    """A new read-only connection (no file access, settings locked); close it when done."""
    path = warehouse_file()
    if not path.exists():
        raise FileNotFoundError(
            f"no warehouse at {path}: run `finops demo` (or set FINOPS_WAREHOUSE to the "
            "DuckDB file the pipeline builds) before opening the notebooks"
        )
    return connect(path, read_only=True)


@contextmanager
def _reading() -> Iterator[duckdb.DuckDBPyConnection]:
    with closing(connection()) as con:
        yield con


def query(sql: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one read-only query; `params` are bound (`?` or `$name`), never formatted in."""
    with _reading() as con:
        return execute_read_only(con, sql, params).df()


def has_table(name: str) -> bool:
    with _reading() as con:
        row = con.execute(
            "select count(*) from information_schema.tables where table_name = ?", [name]
        ).fetchone()
    return bool(row and row[0])


def not_available(table: str, why: str = "") -> str:
    """The line a notebook prints instead of a chart when a table is absent or empty."""
    reason = why or f"the {table} table is not built in {warehouse_file()}"
    return f"{table}: not available: {reason}"


def last_closed_month() -> date:
    """The month before the latest loaded one (the latest is still open), as in the demo."""
    with _reading() as con:
        row = con.execute(
            "select max(billing_month) from showback_monthly where billing_month < "
            "(select max(billing_month) from showback_monthly)"
        ).fetchone()
    if not row or row[0] is None:
        raise LookupError("showback_monthly holds fewer than two months: run `finops demo`")
    return row[0]


def column(name: str) -> str:
    """Quote a column name that comes from data (e.g. an anomaly contributor's dimension)."""
    return quote_identifier(name)
