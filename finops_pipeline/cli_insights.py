"""`finops waste` and `finops anomalies`: what to act on, read from the warehouse."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from typing import Annotated

import typer

from finops_pipeline import console as out
from finops_pipeline.cli_allocation import ConfigOpt, FormatOpt, WarehouseOpt, _check_format, _open


def waste(
    top: Annotated[int, typer.Option(help="How many findings to list")] = 20,
    month: Annotated[
        str | None, typer.Option(help="Billing month YYYY-MM [default: latest]")
    ] = None,
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Waste findings by estimated monthly savings, with the formula and the recommendation."""
    _check_format(format)
    with closing(_open(warehouse, "waste_findings", config=config)) as con:
        chosen = (
            f"{month}-01"
            if month
            else str(con.execute("select max(billing_month) from waste_findings").fetchone()[0])
        )
        out.print_query(
            con,
            "select check_name, provider, resource_id, billing_currency as currency, "
            "round(monthly_cost, 2) as monthly_cost, "
            "round(estimated_monthly_savings, 2) as savings, recommendation, assumptions "
            "from waste_findings where billing_month = ? "
            "order by estimated_monthly_savings desc limit ?",
            format,
            [chosen, top],
        )
        if format == "table":
            for check, n, savings in con.execute(
                "select check_name, count(*), sum(estimated_monthly_savings) from waste_findings "
                "where billing_month = ? group by 1 order by 3 desc",
                [chosen],
            ).fetchall():
                out.console.print(
                    f"{check}: {n} finding(s), {savings:,.2f} a month", soft_wrap=True
                )


def anomalies(
    since: Annotated[
        str | None, typer.Option(help="Only anomalies from this date (YYYY-MM-DD)")
    ] = None,
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Cost anomalies: what, when, expected vs actual, impact, and the top contributors."""
    _check_format(format)
    start = date.fromisoformat(since) if since else date(1970, 1, 1)
    with closing(_open(warehouse, "cost_anomalies", config=config)) as con:
        out.print_query(
            con,
            "select anomaly_id, level, key, provider, first_date, last_date, direction, "
            "round(expected_cost, 2) as expected, round(actual_cost, 2) as actual, "
            "round(impact, 2) as impact, severity, (select string_agg("
            "json_extract_string(m, '$.level') || ' ' || json_extract_string(m, '$.key'), '; ') "
            "from unnest(cast(also_seen_at as json[])) as t(m)) as also_seen_at, contributors "
            "from cost_anomalies "
            "where coalesce(last_date, first_date) >= ? order by abs(impact) desc",
            format,
            [start],
        )


def register(app: typer.Typer) -> None:
    app.command()(waste)
    app.command()(anomalies)
