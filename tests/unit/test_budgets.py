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
    ("0", "0", "0", "on track"),  # nothing to spend and nothing forecast
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


def forecast_rows(con: duckdb.DuckDBPyConnection, figures: dict[str, tuple[str, str]]) -> None:
    con.execute(_DDL)
    for team, (actual, forecast) in figures.items():
        f = D(forecast)
        con.execute(
            "insert into cost_forecast values (?, 'team', ?, 'USD', ?, ?, 0, ?, ?, ?, ?, ?, "
            "'ets(A,Ad,A,7)', 0, 10, 60, 0.8, 0.95)",
            [NOV, team, date(2026, 11, 20), D(actual), f, f - 10, f + 10, f - 20, f + 20],
        )
    con.execute(
        "insert into cost_forecast values (?, 'total', 'total', 'USD', ?, 0, 0, 0, 0, 0, 0, 0, "
        "'ets(A,Ad,A,7)', 0, 10, 60, 0.8, 0.95)",
        [NOV, date(2026, 11, 20)],
    )


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
        assert row[5] == status(D(budget), D(actual), D(forecast), at_risk, over)
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
