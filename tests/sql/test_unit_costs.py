"""unit_costs and the per-day allocation from tiny focus_costs tables, exactly."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from finops_pipeline.errors import FinopsError
from finops_pipeline.showback import ShowbackSection, build_showback
from finops_pipeline.sql_checks import failing_rows
from finops_pipeline.unit_costs import build_daily_allocation, build_unit_costs

D = Decimal
MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)
COLUMNS = {
    "BillingPeriodStart": "timestamp",
    "ChargePeriodStart": "timestamp",
    "ChargePeriodEnd": "timestamp",
    "BillingCurrency": "varchar",
    "BilledCost": "decimal(38, 12)",
    "EffectiveCost": "decimal(38, 12)",
    "ProviderName": "varchar",
    "SubAccountId": "varchar",
    "SubAccountName": "varchar",
    "ServiceName": "varchar",
    "ChargeCategory": "varchar",
    "x_Team": "varchar",
    "x_TagExempt": "boolean",
    "x_Tags": "map(varchar, varchar)",
}
SHARED = {"all": [{"column": "SubAccountName", "equals": "shared"}]}


def charge(day: date, cost: str, team: str | None, **kw: Any) -> list[Any]:
    start = datetime(day.year, day.month, day.day)
    return [
        datetime(day.year, day.month, 1),
        start,
        start + timedelta(days=1),
        kw.get("currency", "USD"),
        D(cost),
        D(cost),
        "AWS",
        "1",
        kw.get("account", "app"),
        "EC2",
        kw.get("category", "Usage"),
        team,
        False,
        None,
    ]


def load(con: duckdb.DuckDBPyConnection, rows: list[list[Any]]) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"create or replace table focus_costs ({columns})")
    con.executemany(f"insert into focus_costs values ({', '.join('?' for _ in COLUMNS)})", rows)


def metrics_file(tmp_path: Path, rows: list[tuple[date, str, str, int]]) -> Path:
    path = tmp_path / "metrics.csv"
    lines = ["date,dimension,metric,value"] + [f"{d},{t},{m},{v}" for d, t, m, v in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def settings(metrics: Path | None, pools: list | None = None) -> ShowbackSection:
    return ShowbackSection.model_validate(
        {
            "metrics": {"path": metrics} if metrics else None,
            "allocation": {"pools": pools or []},
        }
    )


def rows(con: duckdb.DuckDBPyConnection, where: str) -> list[dict]:
    cursor = con.execute(f"select * from unit_costs where {where} order by all")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


@pytest.fixture
def config(tmp_path: Path) -> ShowbackSection:
    metrics = metrics_file(
        tmp_path,
        [
            (date(2026, 5, 1), "payments", "orders", 100),
            (date(2026, 5, 2), "payments", "orders", 0),  # zero units that day
            (date(2026, 5, 1), "search", "orders", 50),
            (date(2026, 6, 1), "payments", "orders", 40),
            (date(2026, 6, 1), "search", "orders", 10),
            (date(2026, 6, 2), "search", "orders", 10),
            (date(2026, 6, 3), "search", "orders", 10),  # after the last charge day: not costed
        ],
    )
    return settings(metrics, [{"name": "shared", "match": SHARED, "split": "even"}])


@pytest.fixture
def built(
    warehouse: duckdb.DuckDBPyConnection, config: ShowbackSection
) -> duckdb.DuckDBPyConnection:
    load(
        warehouse,
        [
            charge(date(2026, 5, 1), "10.00", "payments"),
            charge(date(2026, 5, 2), "30.00", "payments"),
            charge(date(2026, 5, 1), "5.00", "search"),
            charge(date(2026, 5, 2), "7.001", None),  # unallocated: nobody owns it
            charge(date(2026, 5, 2), "9.99", "payments", account="shared"),  # pool, even
            charge(date(2026, 6, 1), "20.00", "payments"),
            charge(date(2026, 6, 1), "3.00", "search"),
            charge(date(2026, 6, 2), "-8.00", "search", category="Credit"),
        ],
    )
    build_showback(warehouse, config)
    build_unit_costs(warehouse, config)
    return warehouse


def test_month_grain_conserves_showback_per_team_to_the_cent(
    built: duckdb.DuckDBPyConnection,
) -> None:
    unit = dict(
        built.execute(
            "select billing_month || dimension_value, sum(allocated_effective_cost) "
            "from unit_costs where grain = 'month' group by all"
        ).fetchall()
    )
    showback = dict(
        built.execute(
            "select billing_month || team, sum(effective_cost_reporting) from showback_monthly "
            "group by all"
        ).fetchall()
    )
    assert unit == showback
    assert unit["2026-05-01payments"] == D("45")  # 10 + 30 + 5.00 of 9.99 split evenly to the cent
    days = dict(
        built.execute(
            "select billing_month || dimension_value, sum(allocated_effective_cost) "
            "from unit_costs where grain = 'day' group by all"
        ).fetchall()
    )
    assert days == unit


def test_no_or_zero_units_give_null_with_a_reason(built: duckdb.DuckDBPyConnection) -> None:
    [zero] = rows(
        built, "grain = 'day' and period_start = '2026-05-02' and dimension_value = 'payments'"
    )
    assert zero["units"] == 0 and zero["cost_per_unit"] is None
    assert zero["null_reason"].startswith("zero units")
    [none] = rows(
        built,
        "grain = 'month' and billing_month = '2026-05-01' and dimension_value = 'unallocated'",
    )
    assert none["units"] is None and none["cost_per_unit"] is None
    assert "no units" in none["null_reason"] and "orders" in none["null_reason"]
    assert none["allocated_effective_cost"] == D("7.001")
    assert failing_rows(built, "unit_costs", "null_has_reason", {"billing_month": MAY}) == []


def test_cost_per_unit_and_change_versus_the_previous_month(
    built: duckdb.DuckDBPyConnection,
) -> None:
    [may] = rows(
        built, "grain = 'month' and billing_month = '2026-05-01' and dimension_value = 'payments'"
    )
    [june] = rows(
        built, "grain = 'month' and billing_month = '2026-06-01' and dimension_value = 'payments'"
    )
    assert may["units"] == 100 and may["cost_per_unit"] == D("0.45")
    assert june["cost_per_unit"] == D("0.5") and june["previous_cost_per_unit"] == D("0.45")
    assert june["change_pct"] == pytest.approx((0.5 - 0.45) / 0.45 * 100)
    assert (may["dimension"], may["currency"], may["metric"]) == ("team", "USD", "orders")


def test_credit_may_make_a_unit_cost_negative_and_the_check_knows_it(
    built: duckdb.DuckDBPyConnection,
) -> None:
    [credit_day] = rows(
        built, "grain = 'day' and period_start = '2026-06-02' and dimension_value = 'search'"
    )
    assert credit_day["cost_per_unit"] == D("-0.8") and credit_day["credit_effective_cost"] == -8
    params = {"billing_month": JUNE}
    assert failing_rows(built, "unit_costs", "not_negative_without_credit", params) == []
    built.execute("update unit_costs set credit_effective_cost = 0 where cost_per_unit < 0")
    broken = failing_rows(built, "unit_costs", "not_negative_without_credit", params)
    assert {(r["grain"], r["dimension_value"]) for r in broken} == {
        ("day", "search"),
        ("month", "search"),  # 3 - 8 over 20 units
    }


def test_metric_days_after_the_last_charge_day_are_not_costed(
    built: duckdb.DuckDBPyConnection,
) -> None:
    assert rows(built, "period_start = '2026-06-03'") == []
    [june] = rows(
        built, "grain = 'month' and billing_month = '2026-06-01' and dimension_value = 'search'"
    )
    assert june["units"] == 20


def test_conservation_check_passes_and_catches_a_changed_row(
    built: duckdb.DuckDBPyConnection,
) -> None:
    params = {"billing_month": MAY}
    assert failing_rows(built, "unit_costs", "conserves_showback", params) == []
    built.execute(
        "update unit_costs set allocated_effective_cost = allocated_effective_cost + 0.01 "
        "where grain = 'day' and period_start = '2026-05-01' and dimension_value = 'search'"
    )
    assert len(failing_rows(built, "unit_costs", "conserves_showback", params)) == 1


def test_partition_rebuild_gives_the_same_rows(
    built: duckdb.DuckDBPyConnection, config: ShowbackSection
) -> None:
    before = built.execute("select * from unit_costs order by all").fetchall()
    result = build_unit_costs(built, config, JUNE)
    assert result.months == [JUNE] and result.rows == 5  # 2 teams x month, 3 team-days
    assert built.execute("select * from unit_costs order by all").fetchall() == before


def test_daily_allocation_residual_is_below_a_cent(
    built: duckdb.DuckDBPyConnection, config: ShowbackSection
) -> None:
    result = build_daily_allocation(built, config, [MAY, JUNE])
    assert abs(result.max_residual) < D("0.01")


def test_without_metrics_the_table_is_empty_and_says_why(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    load(warehouse, [charge(date(2026, 5, 1), "1.00", "payments")])
    build_showback(warehouse, settings(None))
    result = build_unit_costs(warehouse, settings(None))
    assert result.rows == 0 and "metrics" in result.note
    assert warehouse.execute("select count(*) from unit_costs").fetchone() == (0,)


def test_stale_showback_is_an_error_not_a_hidden_residual(
    built: duckdb.DuckDBPyConnection, config: ShowbackSection
) -> None:
    built.execute(
        "update focus_costs set EffectiveCost = EffectiveCost + 5 where x_Team = 'search'"
    )
    with pytest.raises(FinopsError, match=r"showback_monthly for 2026-0[56] differs .* 'search'"):
        build_unit_costs(built, config)


def test_currency_without_rate_gives_per_billing_currency_rows_then_reporting_rows(
    warehouse: duckdb.DuckDBPyConnection, config: ShowbackSection, tmp_path: Path
) -> None:
    """Issue 12: a team-month with a billing currency lacking a rate is costed per billing
    currency (amount_basis 'billing'), conserving showback per currency; with the rate it is
    one reporting-currency row again. The shared pool is split per currency (EUR and USD)."""
    load(
        warehouse,
        [
            charge(date(2026, 5, 1), "10.00", "payments"),
            charge(date(2026, 5, 2), "20.00", "payments", currency="EUR"),
            charge(date(2026, 5, 1), "5.00", "search", currency="EUR"),
            charge(date(2026, 5, 2), "9.99", "payments", account="shared", currency="EUR"),
        ],
    )
    build_showback(warehouse, config)
    build_unit_costs(warehouse, config)
    month = rows(warehouse, "grain = 'month' and dimension_value = 'payments'")
    assert [(r["currency"], r["amount_basis"], r["allocated_effective_cost"]) for r in month] == [
        ("EUR", "billing", D("25.00")),  # 20 + 5.00 of the evenly split 9.99 (larger remainder)
        ("USD", "billing", D("10.00")),
    ]
    assert [r["cost_per_unit"] for r in month] == [D("0.25"), D("0.1")]  # per 100 orders
    params = {"billing_month": MAY}
    for check in ("conserves_showback", "null_has_reason", "not_negative_without_credit"):
        assert failing_rows(warehouse, "unit_costs", check, params) == [], check
    day_sums = warehouse.execute(
        "select currency, sum(allocated_effective_cost) from unit_costs "
        "where grain = 'day' and dimension_value = 'search' group by all"
    ).fetchall()
    assert day_sums == [("EUR", D("9.99"))]  # its own 5.00 + 4.99 of the pool, days = month
    daily = build_daily_allocation(warehouse, config, [MAY])
    assert daily.max_residual < D("0.01")

    rates = tmp_path / "rates.csv"
    rates.write_text("month,from_currency,to_currency,rate\n2026-05,EUR,USD,1.1\n")
    with_rates = ShowbackSection.model_validate(
        {**config.model_dump(), "reporting": {"currency": "USD", "exchange_rates": rates}}
    )
    build_showback(warehouse, with_rates)
    build_unit_costs(warehouse, with_rates)
    [payments] = rows(warehouse, "grain = 'month' and dimension_value = 'payments'")
    assert (payments["currency"], payments["amount_basis"]) == ("USD", "reporting")
    assert payments["allocated_effective_cost"] == D("10.00") + D("25.00") * D("1.1")
    assert failing_rows(warehouse, "unit_costs", "conserves_showback", params) == []
