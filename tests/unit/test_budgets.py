"""Budget status thresholds, budget file validation and overrides, on a real DuckDB."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.errors import ConfigError
from finops_pipeline.forecast import BudgetEntry, ForecastSettings
from finops_pipeline.forecast.budgets import (
    budgets_for,
    build_budget_variance,
    read_budget_csv,
    status,
)
from finops_pipeline.forecast.build import _DDL
from finops_pipeline.sql_checks import failing_rows

D = Decimal
NOV = date(2026, 11, 1)

# (budget, actual to date, forecast) -> status at the default thresholds (0.95, 1.00)
CASES = [
    ("1000", "500", "900", "on track"),
    ("1000", "500", "949.99", "on track"),
    ("1000", "500", "950", "at risk"),
    ("1000", "500", "1000", "at risk"),  # exactly on budget is not over it
    ("1000", "500", "1000.01", "over budget"),
    ("1000", "1000.01", "1000.01", "over budget"),  # already spent more than the budget
    ("0", "0", "0", "on track"),  # nothing to spend and nothing forecast (zero-width interval)
    ("0", "0", "0.01", "over budget"),
]


@pytest.mark.parametrize(("budget", "actual", "forecast", "expected"), CASES)
def test_status_at_default_thresholds(
    budget: str, actual: str, forecast: str, expected: str
) -> None:
    assert status(D(budget), D(actual), D(forecast)) == expected


def test_thresholds_are_configurable() -> None:
    assert status(D(1000), D(0), D(850), at_risk_at=D("0.8")) == "at risk"
    assert status(D(1000), D(0), D(1050), over_budget_at=D("1.1")) == "at risk"
    assert status(D(1000), D(0), D(1150), over_budget_at=D("1.1")) == "over budget"


FORECAST_INSERT = (
    "insert into cost_forecast values (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, "
    "'local_level_ensemble', 0, ?, 60, 0.8, 0.95, ?, 'USD', ?, ?, ?, ?, ?, ?)"
)


def forecast_row(
    con: duckdb.DuckDBPyConnection,
    team: str,
    actual: str,
    forecast: str,
    upper_80: str | None = None,
    *,
    scope: str = "team",
    currency: str = "USD",
    rate: Decimal | None = Decimal(1),
    horizon: int = 10,
) -> None:
    """One cost_forecast row: 95% interval 20 either side, 80% 10 below and `upper_80`
    (default forecast + 10) above; reporting amounts x `rate` (None: no rate)."""
    f, a = D(forecast), D(actual)
    upper = D(upper_80) if upper_80 is not None else f + 10
    amounts = [a, f, f - 10, upper, f - 20, max(f + 20, upper)]
    basis = "reporting" if currency == "USD" and rate == 1 else "billing"
    reporting = [None if rate is None else x * rate for x in amounts]
    con.execute(
        FORECAST_INSERT,
        [NOV, scope, team, currency, date(2026, 11, 20), *amounts, horizon, basis, *reporting],
    )


def forecast_rows(con: duckdb.DuckDBPyConnection, figures: dict[str, tuple[str, str]]) -> None:
    con.execute(_DDL)
    for team, (actual, forecast) in figures.items():
        forecast_row(con, team, actual, forecast)
    forecast_row(con, "total", "0", "0", scope="total")


@pytest.mark.parametrize("thresholds", [("0.95", "1.00"), ("0.80", "1.10")])
def test_budget_variance_sql_applies_the_same_rule(
    warehouse: duckdb.DuckDBPyConnection, thresholds: tuple[str, str]
) -> None:
    at_risk, over = (D(t) for t in thresholds)
    figures = {f"team{i}": (actual, forecast) for i, (_, actual, forecast, _) in enumerate(CASES)}
    budgets = [BudgetEntry(team=f"team{i}", amount=D(c[0])) for i, c in enumerate(CASES)]
    budgets.append(BudgetEntry(team="idle", amount=D(50)))  # budgeted, no cost at all
    forecast_rows(warehouse, figures)
    settings = ForecastSettings(budgets=budgets, at_risk_at=at_risk, over_budget_at=over)
    assert build_budget_variance(warehouse, settings, NOV) == len(CASES) + 1
    got = {
        team: (budget, actual, forecast, variance, pct, state)
        for team, budget, actual, forecast, variance, pct, state in warehouse.execute(
            "select team, budget, actual_to_date, forecast_month_end, variance, variance_pct, "
            "status from budget_variance"
        ).fetchall()
    }
    for i, (budget, actual, forecast, _) in enumerate(CASES):
        row = got[f"team{i}"]
        upper = D(forecast) + 10  # forecast_rows' 80% upper bound
        assert row[5] == status(D(budget), D(actual), D(forecast), at_risk, over, upper)
        assert row[3] == D(forecast) - D(budget)
        assert row[4] == (
            None
            if D(budget) == 0
            else pytest.approx(float((D(forecast) - D(budget)) / D(budget) * 100))
        )
    assert got["idle"][1:4] == (0, 0, -50) and got["idle"][5] == "on track"
    params = {"billing_month": NOV, "at_risk_at": at_risk, "over_budget_at": over}
    assert failing_rows(warehouse, "budget_variance", "status_follows_thresholds", params) == []
    warehouse.execute("update budget_variance set status = 'on track' where team = 'team5'")
    assert len(failing_rows(warehouse, "budget_variance", "status_follows_thresholds", params)) == 1


def test_month_specific_budget_overrides_the_standing_one(tmp_path: Path) -> None:
    path = tmp_path / "budgets.csv"
    path.write_text(
        "team,amount,month,currency\npayments,1000,,USD\npayments,1500,2026-11,USD\nsearch,700,,\n",
        encoding="utf-8",
    )
    settings = ForecastSettings(
        budgets_path=path, budgets=[BudgetEntry(team="search", amount=D(800), month="2026-10")]
    )
    got = budgets_for(settings, [date(2026, 10, 1), NOV], "USD")
    assert got == [
        [date(2026, 10, 1), "payments", D(1000)],
        [date(2026, 10, 1), "search", D(800)],
        [NOV, "payments", D(1500)],
        [NOV, "search", D(700)],
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("team,amount\npayments,12k\n", "data row 1, column 'amount': '12k' is not a number"),
        (
            "team,amount,currency\npayments,10,EUR\n",
            "column 'currency': 'EUR' is not the reporting",
        ),
        ("team,amount,month\npayments,10,2026-13\n", "data row 1: "),
        ("team,budget\npayments,10\n", "missing column(s) amount"),
    ],
)
def test_bad_budget_file_names_row_and_column(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "budgets.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_budget_csv(path, "USD")
    assert str(path) in str(error.value) and message in str(error.value)


def test_forecast_config_errors_name_the_key_and_line(tmp_path: Path) -> None:
    from finops_pipeline.settings import load_settings

    config = tmp_path / "finops.yaml"
    config.write_text("forecast:\n  at_risk_at: 0.9\n  over_budget: 1.1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"forecast\.over_budget \(line 3\): Extra inputs"):
        load_settings(config)
    config.write_text("forecast:\n  budgets_path: b.csv\n", encoding="utf-8")
    assert load_settings(config).forecast.budgets_path == tmp_path / "b.csv"


@pytest.mark.parametrize(
    ("upper_80", "expected"),
    [("999.99", "on track"), ("1000", "on track"), ("1000.01", "at risk"), ("1500", "at risk")],
)
def test_at_risk_when_the_80_percent_upper_bound_crosses_the_budget(
    warehouse: duckdb.DuckDBPyConnection, upper_80: str, expected: str
) -> None:
    warehouse.execute(_DDL)
    forecast_row(warehouse, "payments", "400", "900", upper_80)  # forecast 90 % of budget
    forecast_row(warehouse, "total", "0", "0", scope="total")
    settings = ForecastSettings(budgets=[BudgetEntry(team="payments", amount=D(1000))])
    build_budget_variance(warehouse, settings, NOV)
    got = warehouse.execute("select status, forecast_upper_80 from budget_variance").fetchone()
    assert got == (expected, D(upper_80))
    assert status(D(1000), D(400), D(900), upper_80=D(upper_80)) == expected
    params = {"billing_month": NOV, "at_risk_at": D("0.95"), "over_budget_at": D("1.00")}
    assert failing_rows(warehouse, "budget_variance", "status_follows_thresholds", params) == []


@pytest.mark.parametrize(("actual", "expected"), [("999", "under budget"), ("1001", "over budget")])
def test_closed_month_is_over_or_under_on_the_actual(
    warehouse: duckdb.DuckDBPyConnection, actual: str, expected: str
) -> None:
    warehouse.execute(_DDL)
    forecast_row(warehouse, "payments", actual, actual, actual, horizon=0)
    forecast_row(warehouse, "total", "0", "0", "0", scope="total", horizon=0)
    settings = ForecastSettings(budgets=[BudgetEntry(team="payments", amount=D(1000))])
    build_budget_variance(warehouse, settings, NOV)
    row = warehouse.execute("select status, month_closed from budget_variance").fetchone()
    assert row == (expected, True)
    assert status(D(1000), D(actual), D(actual), closed=True) == expected


def test_team_with_cost_in_a_currency_without_rate_has_no_reporting_figures(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    warehouse.execute(_DDL)
    forecast_row(warehouse, "payments", "300", "600", currency="USD")
    forecast_row(warehouse, "payments", "200", "400", currency="EUR", rate=None)
    forecast_row(warehouse, "search", "100", "200", currency="USD")
    forecast_row(warehouse, "search", "100", "200", currency="EUR", rate=D("1.1"))
    forecast_row(warehouse, "total", "0", "0", scope="total")
    settings = ForecastSettings(
        budgets=[
            BudgetEntry(team="payments", amount=D(2000)),
            BudgetEntry(team="search", amount=D(1000)),
        ]
    )
    assert build_budget_variance(warehouse, settings, NOV) == 2
    rows = {
        r[0]: r[1:]
        for r in warehouse.execute(
            "select team, status, actual_to_date, forecast_month_end, variance, currency "
            "from budget_variance"
        ).fetchall()
    }
    assert rows["payments"] == ("no exchange rate", None, None, None, "USD")
    # search: USD 200 + EUR 200 x 1.1, in the reporting currency
    assert rows["search"] == ("on track", D("210.0"), D("420.0"), D("-580.0"), "USD")
    params = {"billing_month": NOV, "at_risk_at": D("0.95"), "over_budget_at": D("1.00")}
    assert failing_rows(warehouse, "budget_variance", "status_follows_thresholds", params) == []
