"""Build `cost_forecast` for one billing month (a Dagster partition) or every loaded month.

As of the last complete day (the latest charge day minus `incomplete_days`, or `as_of`):
closed months get their actual (zero-width intervals, model 'actual (month closed)'), the
month holding the next day gets a forecast, later months get no rows. Rows of the months
built are replaced in one transaction.

Currency (forecast/series.py): with every rate present, one row per scope x key in the
reporting currency (`currency_basis` 'reporting'); with a rate missing, one row per scope x
key x billing currency in it ('billing'), whose `*_reporting` columns hold the amounts at the
month's rate when that month has one and are NULL otherwise.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from finops_pipeline.build_runner import build_partition
from finops_pipeline.errors import FinopsError
from finops_pipeline.forecast.monthly import forecast_month
from finops_pipeline.forecast.series import load_series
from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.warehouse import table_exists

TABLE = "cost_forecast"
_ROWS = "tmp_cost_forecast_rows"

_DDL = f"""
create table if not exists {TABLE} (
    billing_month date not null,
    scope varchar not null,
    key varchar not null,
    currency varchar not null,
    as_of_date date not null,
    actual_to_date decimal(38, 12) not null,
    one_off_to_date decimal(38, 12) not null,
    forecast_month_end decimal(38, 12) not null,
    lower_80 decimal(38, 12) not null,
    upper_80 decimal(38, 12) not null,
    lower_95 decimal(38, 12) not null,
    upper_95 decimal(38, 12) not null,
    model varchar not null,
    one_off_remaining decimal(38, 12) not null,
    horizon_days integer not null,
    history_days integer not null,
    inner_level double not null,
    outer_level double not null,
    currency_basis varchar not null,
    reporting_currency varchar not null,
    actual_to_date_reporting decimal(38, 12),
    forecast_month_end_reporting decimal(38, 12),
    lower_80_reporting decimal(38, 12),
    upper_80_reporting decimal(38, 12),
    lower_95_reporting decimal(38, 12),
    upper_95_reporting decimal(38, 12)
)
"""


def last_complete_day(con: duckdb.DuckDBPyConnection, incomplete_days: int) -> date:
    row = con.execute("select max(cast(ChargePeriodStart as date)) from focus_costs").fetchone()
    if not row or row[0] is None:
        raise FinopsError("focus_costs holds no charges yet: ingest billing exports first")
    return row[0] - timedelta(days=incomplete_days)


def build_cost_forecast(
    con: duckdb.DuckDBPyConnection,
    showback: ShowbackSection,
    forecast: ForecastSettings,
    period: date | None = None,
    as_of: date | None = None,
) -> int:
    """Replace the forecasts of billing month `period` (None: every loaded month); rows written."""
    as_of = as_of or last_complete_day(con, forecast.incomplete_days)
    series = load_series(con, showback, forecast, through=period)
    daily = series.frame
    if table_exists(con, TABLE) and not _schema_is_current(con):
        con.execute(f"drop table {TABLE}")  # an older layout: rebuild every month
        period = None
    if period is not None:
        months = [period.replace(day=1)]
    else:
        months = sorted(set(daily["billing_month"])) if not daily.empty else []
    rows = []
    for month in months:
        for f in forecast_month(daily, month, as_of, forecast):
            r = f.remaining
            amounts = [
                f.actual_to_date,
                f.forecast_month_end,
                f.total(r.inner[0]),
                f.total(r.inner[1]),
                f.total(r.outer[0]),
                f.total(r.outer[1]),
            ]
            rate = series.rate(month, f.currency)
            rows.append(
                [
                    month,
                    f.scope,
                    f.key,
                    f.currency,
                    f.as_of_date,
                    f.actual_to_date,
                    f.one_off_to_date,
                    *amounts[1:],
                    r.model,
                    round(f.one_off_remaining, 4),
                    f.horizon_days,
                    f.history_days,
                    forecast.inner_interval,
                    forecast.outer_interval,
                    series.basis,
                    series.reporting_currency,
                    *(None if rate is None else amount * rate for amount in amounts),
                ]
            )
    # The rows go through a scratch table of the same layout, so their decimals are cast
    # exactly as an insert into cost_forecast casts them.
    con.execute(
        _DDL.replace(f"create table if not exists {TABLE}", f"create or replace temp table {_ROWS}")
    )
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into {_ROWS} values ({marks})", rows)
    try:
        return build_partition(
            con,
            table=TABLE,
            model=_ROWS,
            period=months[0] if period else None,
            ddl=_DDL,
            on_change="drop",  # the rows are computed for `period` alone
        )
    finally:
        con.execute(f"drop table if exists {_ROWS}")


def _schema_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    have = [r[0] for r in con.execute(f"describe {TABLE}").fetchall()]
    layout = _DDL.replace(
        f"create table if not exists {TABLE}", "create or replace temp table tmp_layout"
    )
    con.execute(layout)
    want = [r[0] for r in con.execute("describe tmp_layout").fetchall()]
    return have == want
