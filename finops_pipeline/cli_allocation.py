"""`finops showback`, `finops explain` and `finops tags`: the allocation read side.

They read the tables `finops run` (or `finops demo`) builds and never write, so a finance
partner can run them against a shared warehouse while it is being loaded elsewhere.
"""

from __future__ import annotations

from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from finops_pipeline import console as out
from finops_pipeline.errors import FinopsError
from finops_pipeline.settings import resolve_warehouse
from finops_pipeline.warehouse import connect, table_exists

WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        help="DuckDB file [env FINOPS_WAREHOUSE; else the config's warehouse; "
        "else ./finops.duckdb]",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="finops.yaml [env FINOPS_CONFIG; default ./finops.yaml if present]"
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json")]


def _month(value: str) -> str:
    try:
        return datetime.strptime(value, "%Y-%m").strftime("%Y-%m-01")
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not YYYY-MM") from exc


def _open(
    warehouse: Path | None, *tables: str, config: Path | None = None
) -> duckdb.DuckDBPyConnection:
    try:
        path = resolve_warehouse(config, warehouse)
    except FinopsError as error:
        out.err_console.print(f"[red]error:[/] {error}", soft_wrap=True)
        raise typer.Exit(2) from error
    if not path.exists():
        out.err_console.print(
            f"[red]error:[/] no warehouse at {out.esc(path)}; run `finops demo` first"
        )
        raise typer.Exit(2)
    try:
        con = connect(path, read_only=True)  # waits while a load holds the lock
    except FinopsError as error:
        out.print_error(error)
        raise typer.Exit(2) from None
    out.print_stale_notice(con)
    missing = [t for t in tables if not table_exists(con, t)]
    if missing:
        out.err_console.print(
            f"[red]error:[/] {', '.join(missing)} not built yet; run `finops run` to build it"
        )
        raise typer.Exit(2)
    return con


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("--format must be table, csv or json")


def showback(
    month: Annotated[str, typer.Option(help="Billing month YYYY-MM")],
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Teams' direct, shared and unallocated cost for a month, in billing and reporting currency."""
    _check_format(format)
    with closing(_open(warehouse, "showback_monthly", config=config)) as con:
        _print_showback(con, month, format)


def _print_showback(con: duckdb.DuckDBPyConnection, month: str, format: str) -> None:
    query = (
        "select team, kind, billing_currency, billed_cost, effective_cost, reporting_currency, "
        "billed_cost_reporting, effective_cost_reporting from showback_monthly "
        "where billing_month = ? order by team = 'unallocated', team, kind, billing_currency"
    )
    if format == "table":
        query = (
            "select team, kind, billing_currency as currency, round(billed_cost, 2) as billed, "
            "round(effective_cost, 2) as effective, reporting_currency as rep, "
            "round(effective_cost_reporting, 2) as effective_rep from showback_monthly "
            "where billing_month = ? order by team = 'unallocated', team, kind, currency"
        )
    out.print_query(con, query, format, [_month(month)])
    if format == "table":
        row = con.execute(
            "select sum(effective_cost_reporting) filter (where kind = 'unallocated'), "
            "sum(effective_cost_reporting), any_value(reporting_currency), "
            "count(*) filter (where effective_cost_reporting is null) from showback_monthly "
            "where billing_month = ?",
            [_month(month)],
        ).fetchone()
        if row and row[3]:
            _print_unallocated_per_currency(con, month)
        elif row and row[1]:
            share = (row[0] or 0) / row[1] * 100
            out.console.print(
                f"unallocated: {out.esc(row[2])} {row[0] or 0:,.2f} of {row[1]:,.2f} ({share:.1f}%)"
            )


def _print_unallocated_per_currency(con: duckdb.DuckDBPyConnection, month: str) -> None:
    """Some billing currency has no exchange rate this month: the share per billing currency."""
    for currency, unallocated, total, has_rate in con.execute(
        "select billing_currency, sum(effective_cost) filter (where kind = 'unallocated'), "
        "sum(effective_cost), bool_and(effective_cost_reporting is not null) "
        "from showback_monthly where billing_month = ? group by 1 order by 1",
        [_month(month)],
    ).fetchall():
        share = f" ({(unallocated or 0) / total * 100:.1f}%)" if total else ""
        note = "" if has_rate else " [yellow](no exchange rate: `finops rates import FILE`)[/]"
        out.console.print(
            f"unallocated: {currency} {unallocated or 0:,.2f} of {total or 0:,.2f}{share}{note}"
        )


def explain(
    team: Annotated[str, typer.Option(help="Team to explain")],
    month: Annotated[str, typer.Option(help="Billing month YYYY-MM")],
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The ledger lines that make up a team's showback number, with the rule and basis."""
    _check_format(format)
    with closing(_open(warehouse, "allocation_ledger", config=config)) as con:
        _print_explain(con, team, month, format)


def _print_explain(con: duckdb.DuckDBPyConnection, team: str, month: str, format: str) -> None:
    query = (
        "select kind, rule, coalesce(pool_name, from_key) as source, provider_name as provider, "
        "sub_account_name as sub_account, service_name as service, billing_currency as currency, "
        "billed_cost, effective_cost, basis from allocation_ledger "
        "where team = ? and billing_month = ? order by kind, effective_cost desc"
    )
    out.print_query(con, query, format, [team, _month(month)])
    if format == "table":
        for currency, billed, effective in con.execute(
            "select billing_currency, sum(billed_cost), sum(effective_cost) from allocation_ledger "
            "where team = ? and billing_month = ? group by 1 order by 1",
            [team, _month(month)],
        ).fetchall():
            out.console.print(
                f"{out.esc(team)} {out.esc(month)} {out.esc(currency)}: billed {billed:,.2f}, effective {effective:,.2f} "
                "(= showback_monthly for this team)"
            )


def tags(
    month: Annotated[
        str | None, typer.Option(help="Billing month YYYY-MM [default: latest]")
    ] = None,
    top: Annotated[int, typer.Option(help="How many violations to list")] = 15,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Tag compliance by provider and team, and the costliest violations with their fix."""
    with closing(_open(warehouse, "tag_compliance", "tag_violations", config=config)) as con:
        _print_tags(con, month, top)


def _print_tags(con: duckdb.DuckDBPyConnection, month: str | None, top: int) -> None:
    chosen = (
        _month(month)
        if month
        else str(con.execute("select max(billing_month) from tag_compliance").fetchone()[0])
    )
    out.console.print(f"tag compliance for {chosen[:7]} (share of effective cost compliant)")
    out.print_query(
        con,
        "select provider, team, billing_currency as currency, round(sum(compliant_effective_cost) "
        "/ nullif(sum(total_effective_cost), 0) * 100, 1) as pct_cost_compliant, "
        "sum(compliant_resources) as compliant, sum(resources) as resources, "
        "round(sum(total_effective_cost), 2) as cost from tag_compliance "
        "where billing_month = ? group by all order by cost desc",
        "table",
        [chosen],
    )
    out.console.print(f"top {top} violations by cost")
    out.print_query(
        con,
        "select violation, tag_key as key, provider, coalesce(resource_id, sub_account_id) as "
        "resource, raw_value, round(effective_cost, 2) as effective_cost, fix from tag_violations "
        "where billing_month = ? order by effective_cost desc limit ?",
        "table",
        [chosen, top],
    )


def register(app: typer.Typer) -> None:
    app.command()(showback)
    app.command()(explain)
    app.command()(tags)
