"""A billing currency without an exchange rate: the forecast and budgets are still built, per
billing currency, with NULL reporting-currency amounts and a `reporting_currency_missing`
warning that names the months and currency pairs (real DuckDB, real showback)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_pipeline.forecast.budgets import build_budget_variance
from finops_pipeline.forecast.build import build_cost_forecast
from finops_pipeline.settings import Settings
from finops_pipeline.showback.allocate import build_showback
from finops_pipeline.sql_checks import failing_rows
from tests.sql.test_unit_costs import charge, load

START, LAST = date(2026, 4, 1), date(2026, 6, 20)
JUNE, MAY = date(2026, 6, 1), date(2026, 5, 1)


def rows() -> list[list]:
    out, day = [], START
    while day <= LAST:
        weekend = day.weekday() >= 5
        out.append(charge(day, "60" if weekend else "100", "payments"))
        out.append(charge(day, "40", "search", currency="EUR", account="eu"))
        out.append(charge(day, "10", "payments", currency="EUR", account="eu"))
        day += timedelta(days=1)
    return out


def settings(tmp_path: Path, rates: str) -> Settings:
    path = tmp_path / "rates.csv"
    path.write_text("month,from_currency,to_currency,rate\n" + rates, encoding="utf-8")
    return Settings.model_validate(
        {
            "reporting": {"currency": "USD", "exchange_rates": path},
            "forecast": {
                "budgets": [
                    {"team": "payments", "amount": 5000},
                    {"team": "search", "amount": 2000},
                ]
            },
        }
    )


def test_missing_rate_forecasts_per_billing_currency_with_a_warning(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    load(warehouse, rows())
    # showback needs every rate today (its own helper owns that): build it with them, then
    # lose June's rate, as a warehouse whose rates stop before the open month would
    complete = "2026-04,EUR,USD,1.10\n2026-05,EUR,USD,1.12\n2026-06,EUR,USD,1.15\n"
    build_showback(warehouse, settings(tmp_path, complete))
    warehouse.execute("delete from exchange_rates where month = ?", [JUNE])
    chosen = settings(tmp_path, complete)
    assert build_cost_forecast(warehouse, chosen.showback, chosen.forecast, None, as_of=LAST) > 0

    got = {
        (m, scope, key, cur): (basis, actual, forecast, reporting)
        for m, scope, key, cur, basis, actual, forecast, reporting in warehouse.execute(
            "select billing_month, scope, key, currency, currency_basis, actual_to_date, "
            "forecast_month_end, forecast_month_end_reporting from cost_forecast"
        ).fetchall()
    }
    june_total_eur = got[(JUNE, "total", "total", "EUR")]
    assert june_total_eur[0] == "billing" and june_total_eur[3] is None  # no June rate
    assert june_total_eur[1] == Decimal(50 * 20)  # EUR charges of 1..20 June, in EUR
    june_usd = got[(JUNE, "total", "total", "USD")]
    assert june_usd[3] == june_usd[2]  # USD is the reporting currency
    may_eur = got[(MAY, "team", "search", "EUR")]  # a closed month with its rate
    assert may_eur[1] == Decimal(40 * 31) and may_eur[3] == Decimal(40 * 31) * Decimal("1.12")
    assert {k[3] for k in got if k[1] == "team" and k[2] == "payments"} == {"USD", "EUR"}

    params = {"billing_month": JUNE}
    missing = failing_rows(warehouse, "cost_forecast", "reporting_currency_missing", params)
    assert missing == [{"month": JUNE, "from_currency": "EUR", "to_currency": "USD"}]
    for month in (date(2026, 4, 1), MAY, JUNE):
        month_params = {"billing_month": month}
        assert failing_rows(warehouse, "cost_forecast", "intervals_ordered", month_params) == []
        assert (
            failing_rows(warehouse, "cost_forecast", "team_actuals_match_showback", month_params)
            == []
        )

    assert build_budget_variance(warehouse, chosen.forecast, None) == 6
    status = dict(
        warehouse.execute(
            "select team || ' ' || strftime(billing_month, '%Y-%m'), status from budget_variance"
        ).fetchall()
    )
    assert status["payments 2026-06"] == status["search 2026-06"] == "no exchange rate"
    assert status["search 2026-05"] == "under budget"  # 1240 EUR x 1.12 < 2000
    june = warehouse.execute(
        "select actual_to_date, variance from budget_variance where billing_month = ?", [JUNE]
    ).fetchall()
    assert june == [(None, None), (None, None)]


def test_all_rates_present_is_one_series_per_key_in_the_reporting_currency(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    load(warehouse, rows())
    rates = "2026-04,EUR,USD,1.10\n2026-05,EUR,USD,1.12\n2026-06,EUR,USD,1.15\n"
    chosen = settings(tmp_path, rates)
    build_showback(warehouse, chosen)
    build_cost_forecast(warehouse, chosen.showback, chosen.forecast, None, as_of=LAST)
    keys = warehouse.execute(
        "select distinct currency, currency_basis from cost_forecast"
    ).fetchall()
    assert keys == [("USD", "reporting")]
    assert (
        failing_rows(
            warehouse, "cost_forecast", "reporting_currency_missing", {"billing_month": JUNE}
        )
        == []
    )
    may = warehouse.execute(
        "select actual_to_date from cost_forecast where billing_month = ? and scope = 'total'",
        [MAY],
    ).fetchone()[0]
    weekdays = sum(1 for d in range(1, 32) if date(2026, 5, d).weekday() < 5)
    assert may == Decimal(100 * weekdays + 60 * (31 - weekdays)) + Decimal(50 * 31) * Decimal(
        "1.12"
    )
