"""Charges whose period spans more than a day are forecast with the calendar, not as a daily
rate (sql/macros.sql finops_spans_days, sql/int/int_forecast_daily.sql,
sql/int/int_daily_allocation.sql): the unused part of a reserved instance's monthly fee is
ChargeCategory Usage, posted on the 1st with the whole month as its charge period. Left in the
daily series, every rolling-origin window that crossed a 1st missed it and the interval pool
took that for the method's error (real DuckDB, real showback, the forecast's own code path).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_pipeline.forecast.as_of import forecast_as_of
from finops_pipeline.forecast.monthly import KeyForecast
from finops_pipeline.forecast.series import load_series
from finops_pipeline.settings import Settings
from finops_pipeline.showback.allocate import build_showback
from finops_pipeline.warehouse import connect
from tests.sql.test_unit_costs import charge, load

START, AS_OF = date(2026, 3, 1), date(2026, 6, 18)
FEE = Decimal("900")  # the month's unused reserved-instance fee: ~9 days of spend


def rows(fee_period_days: int | None) -> list[list]:
    """Daily usage of team `web` (weekday 100, weekend 60, +/-5 by a fixed pattern) and, on
    each month's 1st, a Usage fee whose charge period is `fee_period_days` long (None: the
    whole month; 0: no fee)."""
    out, day = [], START
    while day <= AS_OF:
        base = 60 if day.weekday() >= 5 else 100
        out.append(charge(day, str(base + (day.toordinal() * 7) % 11 - 5), "web"))
        if day.day == 1 and fee_period_days != 0:
            fee = charge(day, str(FEE), "web")
            start = datetime(day.year, day.month, 1)
            end = (start + timedelta(days=32)).replace(day=1)
            fee[2] = end if fee_period_days is None else start + timedelta(days=fee_period_days)
            out.append(fee)
        day += timedelta(days=1)
    return out


def forecasts(warehouse: duckdb.DuckDBPyConnection, data: list[list]) -> dict[str, KeyForecast]:
    load(warehouse, data)
    settings = Settings.model_validate({})
    build_showback(warehouse, settings.showback)
    frame = load_series(warehouse, settings.showback, settings.forecast).frame
    got = forecast_as_of(frame, AS_OF, settings.forecast, ("total", "team"))
    return {f"{f.scope}/{f.key}": f for f in got}


def forecasts_in(path: Path, data: list[list]) -> dict[str, KeyForecast]:
    con = connect(path)
    try:
        return forecasts(con, data)
    finally:
        con.close()


def test_a_month_long_usage_charge_is_not_part_of_the_daily_series(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    load(warehouse, rows(fee_period_days=None))
    settings = Settings.model_validate({})
    build_showback(warehouse, settings.showback)
    frame = load_series(warehouse, settings.showback, settings.forecast).frame
    for scope, key in (("total", "total"), ("team", "web")):
        series = frame[(frame["scope"] == scope) & (frame["key"] == key)]
        firsts = series[[d.day == 1 for d in series["day"]]]
        # each 1st: the fee on the calendar track, that day's usage in the daily series
        assert sorted(firsts.loc[firsts["is_one_off"], "cost"]) == [FEE] * 4
        daily = firsts.loc[~firsts["is_one_off"], "cost"]
        assert len(daily) == 4 and max(daily) <= 105


def test_the_forecast_of_a_month_with_a_month_long_fee_is_the_usage_forecast_plus_the_fee(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    without = forecasts(warehouse, rows(fee_period_days=0))
    monthly = forecasts_in(tmp_path / "monthly_fee.duckdb", rows(fee_period_days=None))
    one_day = forecasts_in(tmp_path / "one_day_fee.duckdb", rows(fee_period_days=1))
    for key in ("total/total", "team/web"):
        a, b = without[key], monthly[key]
        assert b.actual_to_date == a.actual_to_date + FEE
        # the fee of June is posted; nothing of it is left to come, and the usage's forecast
        # and interval are those of the same usage without any fee
        assert b.remaining == a.remaining
        assert b.forecast_month_end == a.forecast_month_end + FEE
        # the same fee with a one-day charge period is a day's cost in the daily series: the
        # windows that crossed a 1st missed it, and the 95 % interval is wider for it
        c = one_day[key]
        width = c.remaining.outer[1] - c.remaining.outer[0]
        assert width > 1.5 * (b.remaining.outer[1] - b.remaining.outer[0])
