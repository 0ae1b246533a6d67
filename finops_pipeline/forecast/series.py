"""Daily effective cost series per forecast scope and key, and the currency they are in.

When every billing currency has its monthly rate to the reporting currency (`exchange_rates`,
the table showback builds), each series is in the reporting currency: total and provider from
focus_costs itself (each row's EffectiveCost x its month's rate), team from the per-day
allocation (unit_costs/daily.py), so a team's figures are its showback, not only its tagged
charges. When a rate is missing for any (month, billing currency), nothing is converted: every
series is per billing currency, in it (the same model, sql/int/int_forecast_daily.sql, with
$by_billing_currency), and the missing pairs are returned so the forecast can leave its
reporting-currency columns NULL and the `reporting_currency_missing` check can name them; the
run does not fail.
A row's day is the day its charge is posted (ChargePeriodStart), its month is its billing
period. Amounts stay Decimal here so the actuals are exact; the model gets floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd

from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.unit_costs.daily import build_daily_allocation
from finops_pipeline.warehouse import read_sql, table_exists

COLUMNS = ["scope", "key", "currency", "billing_month", "day", "is_one_off", "cost"]
RATES_DDL = (
    "create table if not exists exchange_rates "
    "(month date, from_currency varchar, to_currency varchar, rate decimal(38, 12))"
)
MISSING_SQL = """
select distinct cast(date_trunc('month', costs.BillingPeriodStart) as date) as month,
    coalesce(costs.BillingCurrency, '') as from_currency
from focus_costs as costs
where coalesce(costs.BillingCurrency, '') <> $currency
    and not exists (
        select 1 from exchange_rates as rates
        where rates.month = cast(date_trunc('month', costs.BillingPeriodStart) as date)
            and rates.from_currency = costs.BillingCurrency
            and rates.to_currency = $currency
    )
order by 1, 2
"""


@dataclass(frozen=True)
class DailySeries:
    frame: pd.DataFrame  # COLUMNS
    reporting_currency: str
    # (month, billing currency) without a rate to the reporting currency; empty: converted
    missing_rates: list[tuple[date, str]] = field(default_factory=list)
    rates: dict[tuple[date, str], Decimal] = field(default_factory=dict)

    @property
    def basis(self) -> str:
        """'reporting' (converted, one series per key) or 'billing' (per billing currency)."""
        return "billing" if self.missing_rates else "reporting"

    def rate(self, month: date, currency: str) -> Decimal | None:
        if currency == self.reporting_currency:
            return Decimal(1)
        return self.rates.get((month, currency))


def load_series(
    con: duckdb.DuckDBPyConnection,
    showback: ShowbackSection,
    forecast: ForecastSettings,
    through: date | None = None,
) -> DailySeries:
    """Every loaded month's daily series, converted when every rate is there. The team scope
    comes from the per-day allocation of the months up to `through` (None: every month), so
    building one month never depends on a later month's showback being current."""
    currency = showback.reporting.currency
    con.execute(RATES_DDL)
    missing = [(m, c) for m, c in con.execute(MISSING_SQL, {"currency": currency}).fetchall()]
    rates = {
        (m, f): r
        for m, f, r in con.execute(
            "select month, from_currency, rate from exchange_rates where to_currency = ?",
            [currency],
        ).fetchall()
    }
    one_offs = forecast.one_off_charge_categories
    months = None
    if through is not None and table_exists(con, "showback_monthly"):
        months = [
            m
            for (m,) in con.execute(
                "select distinct billing_month from showback_monthly where billing_month <= ?",
                [through.replace(day=1)],
            ).fetchall()
        ]
    build_daily_allocation(con, showback, months)  # the teams' days, per billing currency too
    params = {
        "currency": currency,
        "one_offs": one_offs,
        "by_billing_currency": bool(missing),
        "evidence_accounts": forecast.pool_min_series,
    }
    rows = con.execute(read_sql("int/int_forecast_daily.sql"), params).fetchall()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if not frame.empty:
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
        frame["billing_month"] = pd.to_datetime(frame["billing_month"]).dt.date
    return DailySeries(frame, currency, missing, rates)


def load_daily_series(
    con: duckdb.DuckDBPyConnection, showback: ShowbackSection, forecast: ForecastSettings
) -> tuple[pd.DataFrame, str]:
    """(frame with COLUMNS, reporting currency): `load_series` for callers that only need
    the frame (benchmarks)."""
    series = load_series(con, showback, forecast)
    return series.frame, series.reporting_currency
