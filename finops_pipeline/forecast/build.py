"""Build `cost_forecast` for one billing month (a Dagster partition) or every loaded month.

As of the last complete day (the latest charge day minus `incomplete_days`, or `as_of`):
closed months get their actual (zero-width intervals, model 'actual (month closed)'), the
month holding the next day gets a forecast, later months get no rows. Rows of the months
built are replaced in one transaction.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from finops_pipeline.errors import FinopsError
from finops_pipeline.forecast.monthly import forecast_month
from finops_pipeline.forecast.series import load_daily_series
from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.warehouse import transaction

TABLE = "cost_forecast"

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
    outer_level double not null
)
"""


def forecast_settings(settings: object) -> ForecastSettings:
    return getattr(settings, "forecast", None) or ForecastSettings()


def last_complete_day(con: duckdb.DuckDBPyConnection, incomplete_days: int) -> date:
    row = con.execute("select max(cast(ChargePeriodStart as date)) from focus_costs").fetchone()
    if not row or row[0] is None:
        raise FinopsError("focus_costs holds no charges yet: ingest billing exports first")
    return row[0] - timedelta(days=incomplete_days)


def build_cost_forecast(
    con: duckdb.DuckDBPyConnection,
    settings: object,
    period: date | None = None,
    as_of: date | None = None,
) -> int:
    """Replace the forecasts of billing month `period` (None: every loaded month); rows written."""
    fs = forecast_settings(settings)
    as_of = as_of or last_complete_day(con, fs.incomplete_days)
    daily, currency = load_daily_series(con, settings, fs)
    if period is not None:
        months = [period.replace(day=1)]
    else:
        months = sorted(set(daily["billing_month"])) if not daily.empty else []
    rows = []
    for month in months:
        for f in forecast_month(daily, month, as_of, fs):
            r = f.remaining
            rows.append(
                [
                    month,
                    f.scope,
                    f.key,
                    currency,
                    f.as_of_date,
                    f.actual_to_date,
                    f.one_off_to_date,
                    f.forecast_month_end,
                    f.total(r.inner[0]),
                    f.total(r.inner[1]),
                    f.total(r.outer[0]),
                    f.total(r.outer[1]),
                    r.model,
                    round(f.one_off_remaining, 4),
                    f.horizon_days,
                    f.history_days,
                    fs.inner_interval,
                    fs.outer_interval,
                ]
            )
    con.execute(_DDL)
    with transaction(con):
        if period is None:
            con.execute(f"delete from {TABLE}")
        else:
            con.execute(f"delete from {TABLE} where billing_month = ?", [months[0]])
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            con.executemany(f"insert into {TABLE} values ({marks})", rows)
    return len(rows)
