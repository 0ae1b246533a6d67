"""`finops demo` builds unit_costs, cost_forecast and budget_variance; `finops forecast` and
`finops unit-costs` read them, as a user would run them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.warehouse import connect

pytestmark = pytest.mark.e2e

runner = CliRunner()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("forecast_demo")
    path = root / "w.duckdb"
    args = ["demo", "--out", str(root / "data"), "--warehouse", str(path), "--months", "4"]
    result = runner.invoke(app, [*args, "--end-month", "2026-06"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "forecast 2026-06: USD" in text and "budgets: 6 on track" in text
    return str(path)


def test_demo_builds_the_three_tables(warehouse: str) -> None:
    con = connect(warehouse)
    counts = {
        t: con.execute(f"select count(*) from {t}").fetchone()[0]
        for t in ("unit_costs", "cost_forecast", "budget_variance")
    }
    assert all(counts.values()), counts
    open_month = con.execute(
        "select count(*), min(model) from cost_forecast where billing_month = '2026-06-01' "
        "and scope = 'total'"
    ).fetchone()
    assert open_month == (1, "local_level_ensemble")
    con.close()


def test_forecast_command_lists_every_scope_with_intervals(warehouse: str) -> None:
    result = runner.invoke(app, ["forecast", "--format", "json", "-w", warehouse])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["scope"] for r in rows} == {"total", "provider", "team"}
    assert {r["key"] for r in rows if r["scope"] == "provider"} == {
        "AWS",
        "Google Cloud",
        "Microsoft",
    }
    for r in rows:
        lo95, lo80, f, hi80, hi95 = (
            Decimal(r[k])
            for k in ("lower_95", "lower_80", "forecast_month_end", "upper_80", "upper_95")
        )
        assert lo95 <= lo80 <= f <= hi80 <= hi95
        assert Decimal(r["actual_to_date"]) <= f or Decimal(r["one_off_to_date"]) < 0
    table = runner.invoke(app, ["forecast", "--scope", "team", "-w", warehouse])
    assert table.exit_code == 0, table.output
    assert "budget variance 2026-06 (open month" in table.output and "track" in table.output


def test_forecast_of_a_closed_month_is_its_actual(warehouse: str) -> None:
    result = runner.invoke(
        app, ["forecast", "--month", "2026-04", "--scope", "total", "-f", "json", "-w", warehouse]
    )
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["model"] == "actual (month closed)"
    assert row["forecast_month_end"] == row["actual_to_date"] == row["upper_95"]


def test_unit_costs_command_month_and_day(warehouse: str) -> None:
    monthly = runner.invoke(
        app, ["unit-costs", "--month", "2026-05", "--format", "json", "-w", warehouse]
    )
    assert monthly.exit_code == 0, monthly.output
    rows = {r["dimension_value"]: r for r in json.loads(monthly.output)}
    assert (
        rows["payments"]["metric"] == "requests" and Decimal(rows["payments"]["cost_per_unit"]) > 0
    )
    assert rows["unallocated"]["cost_per_unit"] is None and rows["unallocated"]["null_reason"]
    daily = runner.invoke(
        app, ["unit-costs", "--grain", "day", "--metric", "requests", "-f", "json", "-w", warehouse]
    )
    assert daily.exit_code == 0, daily.output
    days = json.loads(daily.output)
    assert {r["grain"] for r in days} == {"day"} and {r["metric"] for r in days} == {"requests"}
    # the default month of every finance view: the last closed one (2026-06 is still open)
    assert {r["period_start"][:7] for r in days} == {"2026-05"}
    table = runner.invoke(app, ["unit-costs", "-w", warehouse])
    assert table.exit_code == 0 and "row(s)" in table.output


def test_commands_explain_bad_input(warehouse: str, tmp_path: Path) -> None:
    bad_scope = runner.invoke(app, ["forecast", "--scope", "teams", "-w", warehouse])
    assert bad_scope.exit_code == 2 and "--scope must be one of" in bad_scope.output
    bad_grain = runner.invoke(app, ["unit-costs", "--grain", "week", "-w", warehouse])
    assert bad_grain.exit_code == 2 and "--grain must be month or day" in bad_grain.output
    missing = runner.invoke(app, ["forecast", "-w", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "run `finops demo` first" in " ".join(missing.output.split())


AS_OF_FIELDS = {
    "month", "as_of", "scope", "key", "currency", "actual_to_date", "forecast",
    "lower_80", "upper_80", "lower_95", "upper_95", "model",
}  # fmt: skip


def test_forecast_as_of_sees_only_the_days_up_to_it(warehouse: str) -> None:
    result = runner.invoke(
        app, ["forecast", "--as-of", "2026-06-10", "--format", "json", "-w", warehouse]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["scope"] for r in rows} == {"total", "provider", "team"}
    for r in rows:
        assert set(r) >= AS_OF_FIELDS, r
        assert (r["month"], r["as_of"], r["currency"]) == ("2026-06", "2026-06-10", "USD")
        lo95, lo80, f, hi80, hi95 = (
            Decimal(r[k]) for k in ("lower_95", "lower_80", "forecast", "upper_80", "upper_95")
        )
        assert lo95 <= lo80 <= f <= hi80 <= hi95
    [total] = [r for r in rows if r["scope"] == "total"]
    con = connect(warehouse)
    # the actual to date: June's charges posted 1..10 June only, in the reporting currency
    expected = con.execute(
        "select sum(EffectiveCost * case when BillingCurrency = 'USD' then 1 else rate end) "
        "from focus_costs left join exchange_rates on month = date '2026-06-01' "
        "and from_currency = BillingCurrency and to_currency = 'USD' "
        "where BillingPeriodStart = date '2026-06-01' "
        "and cast(ChargePeriodStart as date) <= date '2026-06-10'"
    ).fetchone()[0]
    later = con.execute(
        "select count(*) from focus_costs where cast(ChargePeriodStart as date) > '2026-06-10'"
    ).fetchone()[0]
    con.close()
    assert later > 0  # there was data after the as-of day, and it was not used
    assert Decimal(total["actual_to_date"]) == expected.quantize(Decimal("0.01"))
    assert Decimal(total["forecast"]) > Decimal(total["actual_to_date"])
    # the same day asked twice gives the same answer (seeded), and a table prints it
    again = runner.invoke(app, ["forecast", "--as-of", "2026-06-10", "-f", "json", "-w", warehouse])
    assert json.loads(again.output) == rows
    table = runner.invoke(
        app, ["forecast", "--as-of", "2026-06-10", "--scope", "total", "-w", warehouse]
    )
    assert table.exit_code == 0 and "as of 2026-06-10" in table.output
    # the table never cuts money: the 80-column console of a pipe gets one block per row,
    # each amount whole ("54342.…" was what a squeezed rich table printed)
    for field in ("forecast", "lower_80", "upper_95"):
        amount = Decimal(total[field]).quantize(Decimal("0.01"))
        assert f"{amount:,.2f}" in table.output
    assert "…" not in table.output


def test_forecast_as_of_rejects_a_day_not_loaded_yet(warehouse: str) -> None:
    result = runner.invoke(app, ["forecast", "--as-of", "2026-07-15", "-w", warehouse])
    assert result.exit_code == 2
    assert "after the last complete day loaded" in " ".join(result.output.split())
    bad = runner.invoke(app, ["forecast", "--as-of", "10/06/2026", "-w", warehouse])
    assert bad.exit_code == 2 and "is not a date YYYY-MM-DD" in bad.output
