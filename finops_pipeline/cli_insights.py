"""`finops waste` and `finops anomalies`: what to act on, read from the warehouse."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from typing import Annotated

import typer

from finops_pipeline import console as out
from finops_pipeline.cli_allocation import (
    ConfigOpt,
    DetailsOpt,
    FormatOpt,
    MonthOpt,
    WarehouseOpt,
    _check_format,
    _finance_month,
    _open,
)
from finops_pipeline.cli_months import parse_month


def waste(
    top: Annotated[int, typer.Option(help="How many findings to list")] = 20,
    month: MonthOpt = None,
    format: FormatOpt = "table",
    details: DetailsOpt = False,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Waste findings by estimated monthly savings; --details adds the recommendation and the
    assumptions behind each estimate."""
    _check_format(format)
    with closing(_open(warehouse, "waste_findings", config=config)) as con:
        chosen, label = _finance_month(con, "waste_findings", month)
        long = ", recommendation, assumptions" if details or format != "table" else ""
        out.print_query(
            con,
            "select check_name, provider, resource_id, x_Team as team, "
            "billing_currency as currency, monthly_cost, "
            f"estimated_monthly_savings as savings{long} "
            "from waste_findings where billing_month = ? "
            "order by estimated_monthly_savings desc limit ?",
            format,
            [chosen, top],
            title=f"waste {label}: top {top} by estimated monthly savings (billing currency)",
        )
        if format == "table":
            for check, currency, n, savings in con.execute(
                "select check_name, billing_currency, count(*), sum(estimated_monthly_savings) "
                "from waste_findings where billing_month = ? group by 1, 2 order by 4 desc",
                [chosen],
            ).fetchall():
                out.console.print(
                    f"{check}: {n} finding(s), {currency} {out.money(savings)} a month",
                    soft_wrap=True,
                    highlight=False,
                )


def anomalies(
    month: Annotated[
        str | None,
        typer.Option(help="Anomalies active in billing month YYYY-MM [default: the open month]"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Instead of --month: every anomaly from this date (YYYY-MM-DD)"),
    ] = None,
    format: FormatOpt = "table",
    details: DetailsOpt = False,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Cost anomalies: what, when, expected vs actual, impact; --details adds where else it
    was seen and the top contributors."""
    _check_format(format)
    with closing(_open(warehouse, "cost_anomalies", config=config)) as con:
        if since:
            start, end = date.fromisoformat(since), date(9999, 12, 1)
            label = f"since {start}"
        else:
            latest = con.execute(
                "select max(coalesce(last_date, last_complete_date, first_date)) "
                "from cost_anomalies"
            ).fetchone()[0]
            start = parse_month(month) if month else (latest or date.today()).replace(day=1)
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            label = f"{start:%Y-%m}" + ("" if month else " (open month; --month for another)")
        long = ", also_seen_at, contributors" if details or format != "table" else ""
        cursor = con.execute(
            "select anomaly_id, level, key, provider, currency, first_date, "
            "coalesce(cast(last_date as varchar), 'ongoing') as last_date, direction, "
            "expected_cost as expected, actual_cost as actual, impact, severity, "
            "(select string_agg(json_extract_string(m, '$.level') || ' ' || "
            "json_extract_string(m, '$.key'), '; ') "
            "from unnest(cast(also_seen_at as json[])) as t(m)) as also_seen_at, "
            "cast(contributors as varchar) as contributors from cost_anomalies "
            "where first_date < ? and coalesce(last_date, last_complete_date, first_date) >= ? "
            "order by abs(impact) desc",
            [end, start],
        )
        names = [d[0] for d in cursor.description or []]
        rows = [list(r) for r in cursor.fetchall()]
        keep = [n for n in names if n not in ("also_seen_at", "contributors") or long]
        if format == "table":
            from finops_pipeline.report.sections_context import contributors_text  # altair

            at = names.index("contributors")
            for row in rows:
                row[at] = contributors_text(row[at])
        shown = [[r[names.index(n)] for n in keep] for r in rows]
        out.write_rows(keep, shown, format, title=f"anomalies active {label}, largest impact first")


def register(app: typer.Typer) -> None:
    app.command()(waste)
    app.command()(anomalies)
