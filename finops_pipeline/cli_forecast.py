"""`finops forecast` and `finops unit-costs`: read cost_forecast, budget_variance, unit_costs.

Read-only like `finops waste`: `finops run` (or `finops demo`) builds the tables.
`finops forecast --as-of DAY` computes instead: the forecast as it would have been made with
the charges up to that day only (forecast/as_of.py, the backtest's code path), nothing stored.
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from finops_pipeline import console as out
from finops_pipeline.cli_allocation import ConfigOpt, FormatOpt, WarehouseOpt, _check_format, _open
from finops_pipeline.cli_months import finance_month, open_month
from finops_pipeline.errors import FinopsError
from finops_pipeline.warehouse import connect, table_exists

SCOPES = ("total", "provider", "team", "all")


def forecast(
    month: Annotated[
        str | None, typer.Option(help="Billing month YYYY-MM [default: the open month]")
    ] = None,
    scope: Annotated[str, typer.Option(help="total, provider, team or all")] = "all",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="YYYY-MM-DD: the forecast of that day's month made with only the charges up "
            "to that day (computed, not stored)",
        ),
    ] = None,
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Month-end forecast with 80% and 95% intervals, then each team's budget variance."""
    _check_format(format)
    if scope not in SCOPES:
        raise typer.BadParameter(f"--scope must be one of {', '.join(SCOPES)}")
    if as_of is not None:
        if month is not None:
            raise typer.BadParameter("give --as-of or --month, not both (--as-of sets the month)")
        _forecast_as_of(_day(as_of), scope, format, warehouse, config)
        return
    with closing(_open(warehouse, "cost_forecast", config=config)) as con:
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


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"--as-of {value!r} is not a date YYYY-MM-DD") from exc


AS_OF_TABLE = ("scope", "key", "currency", "actual", "forecast", "80%", "95%", "model")


def _forecast_as_of(
    day: date, scope: str, format: str, warehouse: Path | None, config: Path | None
) -> None:
    from finops_pipeline.forecast.as_of import as_of_records, forecast_as_of
    from finops_pipeline.forecast.build import last_complete_day
    from finops_pipeline.forecast.series import load_series
    from finops_pipeline.settings import load_settings

    try:
        settings = load_settings(config, warehouse)
        path = settings.warehouse
        if not path.exists():
            raise FinopsError(f"no warehouse at {path}; run `finops demo` first")
        fs = settings.forecast
        with closing(connect(path)) as con:
            if not table_exists(con, "focus_costs"):
                raise FinopsError(f"{path}: focus_costs not built yet; run `finops ingest` first")
            last = last_complete_day(con, fs.incomplete_days)
            if day > last:
                raise FinopsError(
                    f"--as-of {day} is after the last complete day loaded ({last}); give a "
                    "day up to it"
                )
            series = load_series(con, settings.showback, fs)
        scopes = SCOPES[:-1] if scope == "all" else (scope,)
        records = as_of_records(forecast_as_of(series.frame, day, fs, scopes), day.replace(day=1))
    except FinopsError as error:
        out.err_console.print(f"[red]error:[/] {error}", soft_wrap=True)
        raise typer.Exit(2) from error
    if series.missing_rates:
        pairs = ", ".join(
            f"{m:%Y-%m} {c}->{series.reporting_currency}" for m, c in series.missing_rates
        )
        out.err_console.print(
            f"warning: reporting_currency_missing: no exchange rate for {pairs}; "
            "forecast per billing currency",
            soft_wrap=True,
        )
    order = {"total": 0, "provider": 1, "team": 2}
    records.sort(key=lambda r: (order[str(r["scope"])], str(r["key"]), str(r["currency"])))
    if format == "json":
        print(json.dumps(records, indent=2))
        return
    if format == "csv":
        import csv
        import sys

        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["month"])
        writer.writeheader()
        writer.writerows(records)
        return
    from finops_pipeline.console_tables import cell, write_rows

    def interval(r: dict[str, object], level: str) -> str:
        lower, upper = (cell(r[f"{side}_{level}"], "money") for side in ("lower", "upper"))
        return f"{lower}..{upper}"

    rows = [
        (
            r["scope"],
            r["key"],
            r["currency"],
            Decimal(str(r["actual_to_date"])),
            Decimal(str(r["forecast"])),
            interval(r, "80"),
            interval(r, "95"),
            r["model"],
        )
        for r in records
    ]
    # the shared table writer: money never cut (a terminal too narrow gets one block per
    # row), where a plain rich table squeezed "54342.…" into 80 columns
    write_rows(
        out.console,
        list(AS_OF_TABLE),
        rows,
        "table",
        title=f"forecast of {day:%Y-%m} as of {day}",
        kinds={"80%": "text", "95%": "text"},
    )


def unit_costs(
    month: Annotated[
        str | None, typer.Option(help="Billing month YYYY-MM [default: the last closed month]")
    ] = None,
    grain: Annotated[str, typer.Option(help="month or day")] = "month",
    metric: Annotated[str | None, typer.Option(help="Only this metric")] = None,
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Cost per unit of each business metric by team, and its change; NULL with the reason."""
    _check_format(format)
    if grain not in ("month", "day"):
        raise typer.BadParameter("--grain must be month or day")
    with closing(_open(warehouse, "unit_costs", config=config)) as con:
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
            f"forecast {row[0]:%Y-%m}: {out.esc(row[1])} {row[2]:,.2f} at month end "
            f"(80%: {row[3]:,.0f}..{row[4]:,.0f}, {row[5]}) (finops forecast)",
            soft_wrap=True,
        )
    statuses = con.execute(
        "select status, count(*) from budget_variance where billing_month = "
        "(select max(billing_month) from budget_variance) group by 1 order by 1"
    ).fetchall()
    if statuses:
        out.console.print("budgets: " + ", ".join(f"{n} {s}" for s, n in statuses), soft_wrap=True)
