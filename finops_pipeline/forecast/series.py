"""Daily effective cost series in the reporting currency, per forecast scope and key.

total and provider: focus_costs itself (each row's EffectiveCost x the month's exchange rate
from `exchange_rates`, the table showback builds); team: the per-day allocation
(unit_costs/daily.py), so a team's figures are its showback, not only its tagged charges.
A row's day is the day its charge is posted (ChargePeriodStart), its month is its billing
period. Amounts stay Decimal here so the actuals are exact; the model gets floats.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.showback.allocate import showback_section
from finops_pipeline.unit_costs.daily import build_daily_allocation
from finops_pipeline.warehouse import read_sql

COLUMNS = ["scope", "key", "billing_month", "day", "is_one_off", "cost"]


def load_daily_series(
    con: duckdb.DuckDBPyConnection, settings: object, forecast: ForecastSettings
) -> tuple[pd.DataFrame, str]:
    """(frame with COLUMNS, reporting currency) for every loaded month and scope."""
    currency = showback_section(settings).reporting.currency
    build_daily_allocation(con, settings, None)
    rows = con.execute(
        read_sql("int/int_forecast_daily.sql"),
        {"currency": currency, "one_offs": forecast.one_off_charge_categories},
    ).fetchall()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if not frame.empty:
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
        frame["billing_month"] = pd.to_datetime(frame["billing_month"]).dt.date
    return frame, currency
