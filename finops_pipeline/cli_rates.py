"""`finops rates import FILE` and `finops rates show`: exchange rates kept in the warehouse.

Showback converts each billing currency to the reporting currency with monthly rates. Finance
may keep them in `reporting.exchange_rates`; anyone else can import the ECB's published
reference rates (eurofxref-hist.csv) or their own monthly CSV once, and every later `finops
run` derives the pairs it needs from them (showback/rate_resolve.py).
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from finops_pipeline import console as out
from finops_pipeline.errors import FinopsError
from finops_pipeline.settings import load_settings
from finops_pipeline.showback.rules import ReportingSettings
from finops_pipeline.warehouse import connect, table_exists, warehouse_path

rates_app = typer.Typer(
    help="Exchange rates for the reporting currency: import the ECB's reference rates or a "
    "month,from_currency,to_currency,rate CSV.",
    no_args_is_help=True,
)

WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse", "-w", help="DuckDB file [env FINOPS_WAREHOUSE; default ./finops.duckdb]"
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="finops.yaml [env FINOPS_CONFIG; default ./finops.yaml]"),
]


@rates_app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="eurofxref-hist.csv / eurofxref.csv (or the .zip) from the ECB, or a CSV with "
            "columns month,from_currency,to_currency,rate (month YYYY-MM)"
        ),
    ],
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Store the file's rates in the warehouse (re-importing is harmless); `finops run` uses
    them for every billing currency the configured rates file lacks."""
    from finops_pipeline.showback.rate_store import import_rates

    try:
        settings = load_settings(config)
        target = warehouse_path(warehouse or settings.warehouse)
        with closing(connect(target)) as con:
            done = import_rates(con, file)
            missing = _still_missing(con, settings.reporting)
    except (FinopsError, ValueError) as error:
        out.err_console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(code=2) from error
    what = "ECB reference rates (per EUR, daily)" if done.kind == "ecb" else "monthly rates"
    span = f"{done.first_month}..{done.last_month}" if done.first_month else "no rows"
    out.console.print(
        f"{file}: {what}, {len(done.currencies)} currencies, {span}: {done.rows:,} rates "
        f"({done.added:,} new, {done.changed:,} changed, "
        f"{done.rows - done.added - done.changed:,} already stored) in {target}"
    )
    if missing is None:
        out.console.print("nothing loaded yet: the rates are used once billing data is built")
    elif missing:
        out.console.print(f"[yellow]still no exchange rate for[/] {missing}")
    else:
        out.console.print(
            f"every loaded billing currency now has a rate to {settings.reporting.currency}: "
            "run `finops run` to fill the reporting-currency columns"
        )


@rates_app.command("show")
def show(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """The imported rates per currency (months covered) and the pairs still missing."""
    try:
        settings = load_settings(config)
        target = warehouse_path(warehouse or settings.warehouse)
        if not target.exists():
            raise FinopsError(f"no warehouse at {target}; run `finops ingest PATH` first")
        with closing(connect(target)) as con:
            rows = _coverage(con)
            missing = _still_missing(con, settings.reporting)
    except (FinopsError, ValueError) as error:
        out.err_console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(code=2) from error
    if not rows:
        out.console.print("no imported rates: `finops rates import eurofxref-hist.csv`")
    for kind, pair, first, last, count in rows:
        out.console.print(f"{kind:8} {pair:10} {first}..{last} ({count:,} rates)")
    if missing:
        out.console.print(f"[yellow]no exchange rate for[/] {missing}")


def _coverage(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    parts = []
    if table_exists(con, "exchange_rates_daily"):
        parts.append(
            "select 'ECB' as kind, 'EUR->' || currency as pair, strftime(min(rate_date), '%Y-%m') "
            "as first, strftime(max(rate_date), '%Y-%m') as last, count(*) as n "
            "from exchange_rates_daily group by all"
        )
    if table_exists(con, "exchange_rates_imported"):
        parts.append(
            "select 'monthly', from_currency || '->' || to_currency, strftime(min(month), '%Y-%m'), "
            "strftime(max(month), '%Y-%m'), count(*) from exchange_rates_imported group by all"
        )
    if not parts:
        return []
    return con.execute(" union all ".join(parts) + " order by 1, 2").fetchall()


def _still_missing(con: duckdb.DuckDBPyConnection, reporting: ReportingSettings) -> str | None:
    """The loaded pairs no rate covers yet, as the warning names them; None without data."""
    from finops_pipeline.showback.currency import describe_missing
    from finops_pipeline.showback.rate_resolve import pairs_without_rate

    missing = pairs_without_rate(con, reporting)
    if missing is None:
        return None
    return describe_missing(missing, reporting.currency)


def register(app: typer.Typer) -> None:
    app.add_typer(rates_app, name="rates")
