"""`finops showback`, `finops explain` and `finops tags`: the allocation read side.

They read the tables `finops run` (or `finops demo`) builds and never write, so a finance
partner can run them against a shared warehouse while it is being loaded elsewhere.
"""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from finops_pipeline import console as out
from finops_pipeline.cli_months import finance_month
from finops_pipeline.console_tables import plain
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
    warehouse: Path | None, *tables: str, config: Path | None = None, writes_files: bool = False
) -> duckdb.DuckDBPyConnection:
    """The warehouse read-only (waiting while a load holds the lock), with `tables` built."""
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
        con = connect(path, read_only=True, writes_files=writes_files)
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


MonthOpt = Annotated[
    str | None,
    typer.Option(help="Billing month YYYY-MM [default: the last closed month]"),
]
DetailsOpt = Annotated[
    bool, typer.Option("--details", help="Also show the long text columns (or use --format json)")
]


def _finance_month(con: duckdb.DuckDBPyConnection, table: str, month: str | None) -> tuple:
    chosen, label = finance_month(con, table, month)
    if chosen is None:
        out.err_console.print(f"[red]error:[/] {table} has no month yet; run `finops run`")
        raise typer.Exit(2)
    return chosen, label


def showback(
    month: MonthOpt = None,
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Teams' direct, shared and unallocated cost for a month, in billing and reporting currency."""
    _check_format(format)
    with closing(_open(warehouse, "showback_monthly", config=config)) as con:
        chosen, label = _finance_month(con, "showback_monthly", month)
        _print_showback(con, chosen, label, format)


def _print_showback(con: duckdb.DuckDBPyConnection, month: date, label: str, format: str) -> None:
    query = (
        "select team, kind, billing_currency, billed_cost, effective_cost, reporting_currency, "
        "billed_cost_reporting, effective_cost_reporting from showback_monthly "
        "where billing_month = ? order by team = 'unallocated', team, kind, billing_currency"
    )
    if format == "table":
        query = (
            "select team, kind, billing_currency as currency, billed_cost as billed, "
            "effective_cost as effective, reporting_currency as rep, "
            "effective_cost_reporting as effective_rep from showback_monthly "
            "where billing_month = ? order by team = 'unallocated', team, kind, currency"
        )
    out.print_query(con, query, format, [month], title=f"showback {label}")
    if format == "table":
        row = con.execute(
            "select sum(effective_cost_reporting) filter (where kind = 'unallocated'), "
            "sum(effective_cost_reporting), any_value(reporting_currency), "
            "count(*) filter (where effective_cost_reporting is null) from showback_monthly "
            "where billing_month = ?",
            [month],
        ).fetchone()
        if row and row[3]:
            _print_unallocated_per_currency(con, month)
        elif row and row[1]:
            share = (row[0] or 0) / row[1] * 100
            out.console.print(
                f"unallocated: {out.esc(row[2])} {out.money(row[0] or 0)} of {out.money(row[1])} "
                f"({share:.1f}%)",
                highlight=False,
            )


def _print_unallocated_per_currency(con: duckdb.DuckDBPyConnection, month: date) -> None:
    """Some billing currency has no exchange rate this month: the share per billing currency."""
    for currency, unallocated, total, has_rate in con.execute(
        "select billing_currency, sum(effective_cost) filter (where kind = 'unallocated'), "
        "sum(effective_cost), bool_and(effective_cost_reporting is not null) "
        "from showback_monthly where billing_month = ? group by 1 order by 1",
        [month],
    ).fetchall():
        share = f" ({(unallocated or 0) / total * 100:.1f}%)" if total else ""
        note = "" if has_rate else " [yellow](no exchange rate: `finops rates import FILE`)[/]"
        out.console.print(
            f"unallocated: {out.esc(currency)} {out.money(unallocated or 0)} of "
            f"{out.money(total or 0)}{share}{note}",
            highlight=False,
        )


def explain(
    team: Annotated[str, typer.Option(help="Team to explain")],
    month: MonthOpt = None,
    format: FormatOpt = "table",
    details: DetailsOpt = False,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The ledger lines that make up a team's showback number, with the rule and basis."""
    _check_format(format)
    with closing(_open(warehouse, "allocation_ledger", config=config)) as con:
        chosen, label = _finance_month(con, "allocation_ledger", month)
        _print_explain(con, team, chosen, label, format, details)


def _print_explain(
    con: duckdb.DuckDBPyConnection,
    team: str,
    month: date,
    label: str,
    format: str,
    details: bool = True,
) -> None:
    basis = ", basis" if details or format != "table" else ""
    query = (
        "select kind, rule, coalesce(pool_name, from_key) as source, provider_name as provider, "
        "sub_account_name as sub_account, service_name as service, billing_currency as currency, "
        f"billed_cost, effective_cost{basis} from allocation_ledger "
        "where team = ? and billing_month = ? order by kind, effective_cost desc"
    )
    title = f"{team} {label}: ledger lines (billing currency)"
    out.print_query(con, query, format, [team, month], title=title)
    if format == "table":
        for currency, billed, effective in con.execute(
            "select billing_currency, sum(billed_cost), sum(effective_cost) from allocation_ledger "
            "where team = ? and billing_month = ? group by 1 order by 1",
            [team, month],
        ).fetchall():
            out.console.print(
                f"{out.esc(team)} {month:%Y-%m} {out.esc(currency)}: billed {out.money(billed)}, effective "
                f"{out.money(effective)} (= showback_monthly for this team)",
                highlight=False,
                soft_wrap=True,
            )


def tags(
    month: MonthOpt = None,
    top: Annotated[int, typer.Option(help="How many violations to list")] = 15,
    violations: Annotated[
        bool, typer.Option("--violations", help="With --format csv: the violations, not the shares")
    ] = False,
    format: FormatOpt = "table",
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Tag compliance by provider and team, and the costliest violations with their fix."""
    _check_format(format)
    with closing(_open(warehouse, "tag_compliance", "tag_violations", config=config)) as con:
        chosen, label = _finance_month(con, "tag_compliance", month)
        _print_tags(con, chosen, label, top, format, violations)


COMPLIANCE_QUERY = (
    "select provider, team, billing_currency as currency, round(sum(compliant_effective_cost) "
    "/ nullif(sum(total_effective_cost), 0) * 100, 1) as pct_cost_compliant, "
    "sum(compliant_resources) as compliant, sum(resources) as resources, "
    "sum(total_effective_cost) as cost from tag_compliance "
    "where billing_month = ? group by all order by cost desc"
)
VIOLATIONS_QUERY = (
    "select violation, tag_key as key, provider, coalesce(resource_id, sub_account_id) as "
    "resource, raw_value, billing_currency as currency, effective_cost, fix from tag_violations "
    "where billing_month = ? order by effective_cost desc limit ?"
)


def _print_tags(
    con: duckdb.DuckDBPyConnection,
    month: date,
    label: str,
    top: int,
    format: str = "table",
    violations: bool = False,
) -> None:
    kinds = {"pct_cost_compliant": "pct"}
    if format == "json":
        import json

        def records(query: str, params: list) -> list[dict]:
            cursor = con.execute(query, params)
            names = [d[0] for d in cursor.description or []]
            return [{n: plain(v) for n, v in zip(names, r, strict=True)} for r in cursor.fetchall()]

        print(
            json.dumps(
                {
                    "billing_month": f"{month:%Y-%m}",
                    "compliance": records(COMPLIANCE_QUERY, [month]),
                    "violations": records(VIOLATIONS_QUERY, [month, top]),
                },
                indent=2,
                default=str,
            )
        )
        return
    if format == "csv":
        if violations:
            out.print_query(con, VIOLATIONS_QUERY, "csv", [month, top])
        else:
            out.print_query(con, COMPLIANCE_QUERY, "csv", [month])
        return
    out.print_query(
        con,
        COMPLIANCE_QUERY,
        "table",
        [month],
        title=f"tag compliance {label}: share of effective cost compliant",
        kinds=kinds,
    )
    out.print_query(
        con, VIOLATIONS_QUERY, "table", [month, top], title=f"top {top} violations by cost, {label}"
    )


def register(app: typer.Typer) -> None:
    app.command()(showback)
    app.command()(explain)
    app.command()(tags)
