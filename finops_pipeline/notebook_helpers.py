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


# --- charts and tables as the notebooks show them --------------------------------------
# Teams and showback kinds each get their own palette, so "ml" (a team) and "direct" (a
# kind) never share a colour; months read "Mar 2026", never a bare "March".
KIND_COLOURS = {"direct": "#2f4b7c", "shared": "#a05195", "unallocated": "#bdbdbd"}


def offline_charts() -> None:
    """Render Altair charts to SVG inside the notebook (vl-convert): no JavaScript, no CDN,
    so they show offline, in exported HTML and on any notebook viewer."""
    import altair as alt

    alt.renderers.enable("svg")


def team_colour(teams: Any) -> Any:
    """A colour scale for teams (one hue per team, stable across charts of a notebook)."""
    import altair as alt

    domain = sorted({str(t) for t in teams})
    return alt.Scale(domain=domain, scheme="tableau10")


def kind_colour() -> Any:
    import altair as alt

    return alt.Scale(domain=list(KIND_COLOURS), range=list(KIND_COLOURS.values()))


def month_x(field: str = "billing_month") -> Any:
    import altair as alt

    return alt.X(f"yearmonth({field}):T", title=None, axis=alt.Axis(format="%b %Y"))


def money_table(frame: pd.DataFrame, money: list[str], percent: tuple[str, ...] = ()) -> Any:
    """The frame with amounts as `1,234.56` and shares as `12.3%` (display only)."""
    formats = {c: "{:,.2f}" for c in money if c in frame}
    formats.update({c: "{:.1%}" for c in percent if c in frame})
    return frame.style.format(formats, na_rep="").hide(axis="index")
