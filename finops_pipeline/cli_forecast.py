"""`finops forecast` and `finops unit-costs`: read cost_forecast, budget_variance, unit_costs.

Read-only like `finops waste`: `finops run` (or `finops demo`) builds the tables.
"""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import duckdb
import typer

from finops_pipeline import console as out
from finops_pipeline.cli_allocation import FormatOpt, WarehouseOpt, _check_format, _open
from finops_pipeline.cli_months import finance_month, open_month
from finops_pipeline.warehouse import table_exists

SCOPES = ("total", "provider", "team", "all")


def forecast(
    month: Annotated[
        str | None, typer.Option(help="Billing month YYYY-MM [default: the open month]")
    ] = None,
    scope: Annotated[str, typer.Option(help="total, provider, team or all")] = "all",
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
) -> None:
    """Month-end forecast with 80% and 95% intervals, then each team's budget variance."""
    _check_format(format)
    if scope not in SCOPES:
        raise typer.BadParameter(f"--scope must be one of {', '.join(SCOPES)}")
    with closing(_open(warehouse, "cost_forecast")) as con:
        month_start, label = open_month(con, "cost_forecast", month)
        if month_start is None:
            out.console.print("cost_forecast is empty: run `finops run` on the open month")
            return
        chosen = str(month_start)
        columns = (
            "scope, key, currency, as_of_date, actual_to_date, one_off_to_date, "
            "forecast_month_end, lower_80, upper_80, lower_95, upper_95, model"
        )
        if format == "table":
            columns = (
                "scope, key, currency, as_of_date as as_of, actual_to_date as actual, "
                "forecast_month_end as forecast, lower_80 as low_80, upper_80 as high_80, "
                "lower_95 as low_95, upper_95 as high_95, model"
            )
        out.print_query(
            con,
            f"select {columns} from cost_forecast "
            "where billing_month = ? and (? = 'all' or scope = ?) "
            "order by case scope when 'total' then 0 when 'provider' then 1 else 2 end, key",
            format,
            [chosen, scope, scope],
            title=f"forecast {label}: month end with 80% and 95% intervals",
        )
        if format != "table" or not table_exists(con, "budget_variance"):
            return
        out.print_query(
            con,
            "select team, currency, budget, actual_to_date as actual, "
            "forecast_month_end as forecast, forecast_lower_80 as low_80, "
            "forecast_upper_80 as high_80, variance, variance_pct as pct, status "
            "from budget_variance "
            "where billing_month = ? order by variance_pct desc nulls last",
            "table",
            [chosen],
            title=f"budget variance {label}",
            kinds={"pct": "pct"},
        )


def unit_costs(
    month: Annotated[
        str | None, typer.Option(help="Billing month YYYY-MM [default: the last closed month]")
    ] = None,
    grain: Annotated[str, typer.Option(help="month or day")] = "month",
    metric: Annotated[str | None, typer.Option(help="Only this metric")] = None,
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
) -> None:
    """Cost per unit of each business metric by team, and its change; NULL with the reason."""
    _check_format(format)
    if grain not in ("month", "day"):
        raise typer.BadParameter("--grain must be month or day")
    with closing(_open(warehouse, "unit_costs")) as con:
        month_start, label = finance_month(con, "unit_costs", month)
        if month_start is None:
            out.console.print(
                "unit_costs is empty: configure business metrics (`metrics: {path: FILE}` in "
                "finops.yaml, columns date, dimension, metric, value) and run `finops run`"
            )
            return
        columns = (
            "grain, period_start, dimension, dimension_value, metric, currency, "
            "allocated_effective_cost, units, cost_per_unit, null_reason, "
            "previous_cost_per_unit, change_pct"
        )
        if format == "table":
            columns = (
                "period_start as period, dimension_value as team, metric, currency, "
                "allocated_effective_cost as cost, units, "
                "round(cost_per_unit, 6) as per_unit, change_pct, null_reason as why_null"
            )
        out.print_query(
            con,
            f"select {columns} from unit_costs "
            "where billing_month = ? and grain = ? and (? is null or metric = ?) "
            "order by period_start, metric, dimension_value",
            format,
            [str(month_start), grain, metric, metric],
            title=f"unit costs {label}, by {grain}",
            kinds={"units": "num", "per_unit": "rate", "change_pct": "pct"},
        )


def register(app: typer.Typer) -> None:
    app.command()(forecast)
    app.command("unit-costs")(unit_costs)


def print_forecast_summary(con: duckdb.DuckDBPyConnection) -> None:
    """Two lines for `finops demo`: the open month's forecast and the budget statuses."""
    row = con.execute(
        "select billing_month, currency, forecast_month_end, lower_80, upper_80, model "
        "from cost_forecast where scope = 'total' order by billing_month desc limit 1"
    ).fetchone()
    if row:
        out.console.print(
            f"forecast {row[0]:%Y-%m}: {row[1]} {row[2]:,.2f} at month end "
            f"(80%: {row[3]:,.0f}..{row[4]:,.0f}, {row[5]}) (finops forecast)",
            soft_wrap=True,
        )
    statuses = con.execute(
        "select status, count(*) from budget_variance where billing_month = "
        "(select max(billing_month) from budget_variance) group by 1 order by 1"
    ).fetchall()
    if statuses:
        out.console.print("budgets: " + ", ".join(f"{n} {s}" for s, n in statuses), soft_wrap=True)
