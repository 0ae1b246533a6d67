"""What the CLI prints: progress while loading, then tables a person can read.

Every value that comes from data or from the user (team, source, file, error text, query
results) goes through `rich.markup.escape` (`esc`): rich reads `[...]` as markup, so a team
called `[/]` would otherwise crash the command with a MarkupError, or restyle the output.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from finops_pipeline.console_tables import cell
from finops_pipeline.console_tables import write_rows as _write_rows
from finops_pipeline.redact import redact

if TYPE_CHECKING:  # annotations only: importing them loads the whole ingest and build code
    from finops_pipeline.core.reconcile import ReconRow
    from finops_pipeline.ingest.outcomes import FileOutcome
    from finops_pipeline.ingest.service import IngestReport

console = Console()
err_console = Console(stderr=True)

STATUS_STYLE = {"loaded": "green", "skipped_duplicate": "cyan", "rejected": "bold red"}


def esc(value: object) -> str:
    """A value as inert text for rich: None is '', `[` never opens a tag."""
    return "" if value is None else escape(str(value))


def print_error(error: BaseException | str, label: str = "error:") -> None:
    """The one line a user gets for an error they can act on; URLs in it are redacted
    (FinopsError does that itself, a ValueError from a library may not)."""
    err_console.print(f"[bold red]{label}[/] {esc(redact(str(error)))}", soft_wrap=True)


def money(value: Decimal | None) -> str:
    return cell(value, "money")


@contextmanager
def file_progress(total: int, label: str) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    with progress:
        progress.add_task(escape(label), total=total)
        yield progress


def print_file_outcome(outcome: FileOutcome) -> None:
    style = STATUS_STYLE.get(outcome.status, "")
    detected = f" (detected {outcome.format})" if outcome.detected else ""
    if outcome.status == "rejected":
        err_console.print(f"[{style}]rejected[/] {escape(outcome.reason or '')}", soft_wrap=True)
        return
    totals = ", ".join(f"{cur} {money(v)}" for cur, v in outcome.totals.items())
    detail = f"{outcome.rows:,} rows, {totals}" if outcome.status == "loaded" else outcome.reason
    console.print(
        f"[{style}]{outcome.status}[/] {escape(str(outcome.path))}{detected}: {escape(detail or '')}",
        soft_wrap=True,
    )


def print_ingest_summary(report: IngestReport) -> None:
    console.print(
        f"source [bold]{esc(report.source)}[/]: {report.count('loaded')} loaded, "
        f"{report.count('skipped_duplicate')} unchanged, {report.count('rejected')} rejected"
        + (
            f", {len(report.superseded)} superseded by a newer CUR assembly"
            if report.superseded
            else ""
        )
        + (f", {len(report.ignored)} not billing files" if report.ignored else "")
        + f"; focus_costs rows rewritten: {report.focus_rows_written:,}"
    )


def print_focus_summary(con: duckdb.DuckDBPyConnection) -> None:
    table = Table(title="focus_costs by provider, source, billing month and currency")
    for col in ("provider", "source", "month", "currency", "rows", "BilledCost", "EffectiveCost"):
        table.add_column(
            col, justify="right" if col in ("rows", "BilledCost", "EffectiveCost") else "left"
        )
    rows = con.execute(
        "select ProviderName, x_SourceName, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, "
        "count(*), sum(BilledCost), sum(EffectiveCost) from focus_costs group by all order by 2, 3, 4"
    ).fetchall()
    for provider, source, month, currency, n, billed, effective in rows:
        table.add_row(
            cell(provider), cell(source), cell(month), cell(currency), cell(n, "int"),
            money(billed), money(effective),
        )  # fmt: skip
    console.print(table)


def print_reconciliation(rows: list[ReconRow]) -> bool:
    failing = [r for r in rows if not r.ok]
    if not failing:
        console.print(
            f"[green]reconciled[/]: {len(rows)} source x month x currency totals in focus_costs "
            "equal the raw exports to the cent"
        )
        return True
    table = Table(title="[red]NOT reconciled[/]")
    for col in ("source", "month", "currency", "basis", "raw", "focus", "difference"):
        table.add_column(col)
    for r in failing:
        table.add_row(
            cell(r.source),
            f"{r.period:%Y-%m}",
            cell(r.currency),
            cell(r.cost_basis),
            money(r.raw_total),
            money(r.focus_total),
            money(r.difference),
        )
    console.print(table)
    return False


def print_query(
    con: duckdb.DuckDBPyConnection,
    query: str,
    fmt: str,
    params: list | None = None,
    *,
    title: str | None = None,
    kinds: dict[str, str] | None = None,
) -> None:
    """Run `query` and print it as a table (fitted to the terminal), CSV or JSON."""
    cursor = con.execute(query, params) if params else con.execute(query)
    print_cursor(cursor, fmt, title=title, kinds=kinds)


def print_cursor(
    cursor: duckdb.DuckDBPyConnection,
    fmt: str,
    *,
    title: str | None = None,
    kinds: dict[str, str] | None = None,
) -> None:
    """A result as a table (escaped, fitted), CSV (formula-safe cells) or JSON."""
    names = [d[0] for d in cursor.description or []]
    _write_rows(console, names, cursor.fetchall(), fmt, title=title, kinds=kinds)


def write_rows(
    names: list[str], rows: list, fmt: str, *, title: str | None = None, kinds: dict | None = None
) -> None:
    """Rows already fetched, printed like `print_query`."""
    _write_rows(console, names, rows, fmt, title=title, kinds=kinds)


def print_showback_summary(con: duckdb.DuckDBPyConnection, conserved: bool) -> None:
    """The last closed month's showback in the reporting currency, and what is unallocated."""
    month = con.execute(
        "select max(billing_month) from showback_monthly where billing_month < "
        "(select max(billing_month) from showback_monthly)"
    ).fetchone()[0]
    if month is None:
        return
    table = Table(title=f"showback {month:%Y-%m} (last closed month), effective cost")
    for col in ("team", "direct", "shared", "unallocated", "total", "currency"):
        table.add_column(col, justify="left" if col in ("team", "currency") else "right")
    rows = con.execute(
        "select team, sum(effective_cost_reporting) filter (where kind = 'direct'), "
        "sum(effective_cost_reporting) filter (where kind = 'shared'), "
        "sum(effective_cost_reporting) filter (where kind = 'unallocated'), "
        "sum(effective_cost_reporting), any_value(reporting_currency) from showback_monthly "
        "where billing_month = ? group by team order by team = 'unallocated', team",
        [month],
    ).fetchall()
    for team, direct, shared, unallocated, total, currency in rows:
        table.add_row(
            cell(team), money(direct), money(shared), money(unallocated), money(total),
            cell(currency),
        )  # fmt: skip
    console.print(table)
    total = sum((r[4] or 0) for r in rows)
    unallocated = sum((r[3] or 0) for r in rows)
    share = unallocated / total * 100 if total else 0
    state = "[green]conserved[/]" if conserved else "[red]NOT conserved[/]"
    console.print(
        f"unallocated {money(unallocated)} of {money(total)} ({share:.1f}%); showback {state}: "
        "per month and billing currency it sums exactly to focus_costs",
        soft_wrap=True,
    )


def print_insights_summary(con: duckdb.DuckDBPyConnection) -> None:
    """One line each for waste and anomalies, pointing to the commands that list them."""
    waste = con.execute(
        "select count(*), sum(estimated_monthly_savings) from waste_findings "
        "where billing_month = (select max(billing_month) from waste_findings "
        "where billing_month < (select max(billing_month) from waste_findings))"
    ).fetchone()
    if waste and waste[0]:
        console.print(
            f"waste: {waste[0]} findings in the last closed month, est. savings "
            f"{money(waste[1])} a month in billing currencies (finops waste)",
            soft_wrap=True,
        )
    events = con.execute(
        "select count(*), sum(json_array_length(also_seen_at)) from cost_anomalies"
    ).fetchone()
    if events:
        console.print(
            f"anomalies: {events[0]} events (also seen at {events[1] or 0} other level keys) "
            "(finops anomalies)",
            soft_wrap=True,
        )


def print_recovered(report: IngestReport) -> None:
    """Say that this run also finished months an interrupted load had left behind raw."""
    if report.recovered:
        pairs = ", ".join(f"{s} {p:%Y-%m}" for s, p in sorted(report.recovered))
        console.print(
            f"finished the focus_costs rebuild an interrupted load had left pending: {pairs}",
            soft_wrap=True,
            markup=False,
        )


def print_stale_notice(con: duckdb.DuckDBPyConnection) -> None:
    """Read-only commands cannot finish a pending rebuild: they say so, on stderr."""
    from finops_pipeline.ingest.pending import stale_notice

    notice = stale_notice(con)
    if notice:
        err_console.print(f"[yellow]warning:[/] {escape(notice)}", soft_wrap=True)
