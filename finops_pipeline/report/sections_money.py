"""Sections 1-4 of the report: headline, showback by team, shared pools, unallocated cost.

Every amount is read from the warehouse as DECIMAL and summed in Decimal; the totals rows are
sums of the rows shown, and the tests hold them to showback_monthly to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import duckdb

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.report import charts
from finops_pipeline.report.model import Column, Section, Table, not_available, totals_row
from finops_pipeline.report.queries import is_empty, missing_tables, rows
from finops_pipeline.report.sections_summary import budget_status
from finops_pipeline.showback.allocate import classify_charges
from finops_pipeline.showback.rules import ShowbackSection

ZERO = Decimal(0)


def _sum(values: list[Any]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


def headline(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> Section:
    cur = params["reporting_currency"]
    section = Section(
        "headline",
        "2. Headline",
        "What the month cost per provider and billing currency, before allocation. Billed cost "
        "is the invoice basis; effective cost is amortized, after discounts. Each export is "
        "reconciled to its own invoice basis.",
    )
    recon = reconcile(con, params["month"])
    providers = dict(
        con.execute("select distinct x_SourceName, ProviderName from focus_costs").fetchall()
    )
    differences: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in recon:
        differences[(providers.get(r.source, r.source), r.currency)] += r.difference
    data = rows(con, "headline", params)
    table_rows = []
    for r in data:
        diff = differences.get((r["provider"], r["billing_currency"]), ZERO)
        state = "✓" if abs(diff) < Decimal("0.005") else f"difference {diff:,.2f}"
        table_rows.append(
            [
                r["provider"],
                r["billing_currency"],
                r["billed_cost"],
                r["effective_cost"],
                state,
                r["billed_cost_reporting"],
                r["effective_cost_reporting"],
            ]
        )
    columns = [
        Column("provider"),
        Column("billing currency"),
        Column("billed cost", "money"),
        Column("effective cost", "money"),
        Column("reconciled to invoice basis"),
        Column(f"billed ({cur})", "money"),
        Column(f"effective ({cur})", "money"),
    ]
    total = ["Total", cur, None, None, "", _sum([r[5] for r in table_rows])]
    total.append(_sum([r[6] for r in table_rows]))
    section.tables.append(Table("Cost by provider", columns, table_rows, total, key="headline"))
    if any(r["exchange_rate"] is None for r in data):
        section.notes.append(
            f"some billing currencies have no rate to {cur} for the month: their {cur} "
            "amounts are blank (`finops rates import FILE` or reporting.exchange_rates, then "
            "`finops run`)"
        )
    detail = [
        [
            providers.get(r.source, ""),
            r.source,
            r.currency,
            r.cost_basis,
            r.raw_total,
            r.focus_total,
            "✓" if r.ok else f"{r.difference:,.2f}",
        ]
        for r in recon
    ]
    section.tables.append(
        Table(
            "Reconciliation of each export to its invoice basis",
            [
                Column("provider"),
                Column("export (source)"),
                Column("currency"),
                Column("invoice basis"),
                Column("export total", "money"),
                Column("focus_costs total", "money"),
                Column("difference"),
            ],
            detail,
            key="reconciliation",
        )
    )
    if data:
        section.charts.append(
            charts.bar(
                f"Effective cost by provider ({cur})",
                [
                    {"provider": f"{r[0]} ({r[1]})", "cost": r[6]}
                    for r in table_rows
                    if r[6] is not None
                ],
                "provider",
                "cost",
                cur,
            )
        )
    return section


def showback(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], is_open: bool
) -> tuple[Section, list[dict]]:
    cur = params["reporting_currency"]
    section = Section(
        "showback",
        "3. Showback by team",
        f"Each team's effective cost in {cur}: direct (its own tagged or owner-mapped charges), "
        "shared (its part of the shared pools) and the unallocated remainder, against the "
        "previous month.",
    )
    teams = rows(con, "showback_by_team", params)
    budgets = _optional(con, section, "budget_by_team", "budget_variance", params, "Budget")
    forecasts: dict[str, dict] = {}
    if is_open:
        forecasts = _optional(con, section, "forecast_by_team", "cost_forecast", params, "Forecast")
    else:
        section.notes.append("forecast: not shown: the month is closed (actuals are final)")
    columns = [
        *_split_columns(),
        Column("previous month", "money"),
        Column("change", "money"),
        Column("change %", "pct"),
    ]
    if budgets:
        columns += [Column("budget", "money"), Column("variance", "money"), Column("status")]
        section.notes.append(
            "variance: actual minus budget once the month is closed (under / over budget); "
            "forecast month end minus budget while it is open (on track / at risk / over "
            "budget). Negative is favourable."
        )
    if forecasts:
        columns += [Column("forecast month end", "money"), Column("forecast 80% range")]
    table_rows = []
    for t in teams:
        row = [*_split_row(t), t["previous_total"], t["change"], t["change_pct"]]
        if budgets:
            b = budgets.get(t["team"], {})
            variance, status = b.get("variance"), b.get("status")
            if not is_open and b.get("budget") is not None:
                # A closed month is final: actual against budget, under or over, never 'at risk'.
                actual = b.get("actual") if b.get("actual") is not None else t["total"]
                variance, status = actual - b["budget"], budget_status(actual, b["budget"])
            row += [b.get("budget"), variance, status]
        if forecasts:
            f = forecasts.get(t["team"], {})
            low, high = f.get("lower_80"), f.get("upper_80")
            span = f"{low:,.2f} – {high:,.2f}" if low is not None and high is not None else ""
            row += [f.get("forecast_month_end"), span]
        table_rows.append(row)
    total = totals_row(columns, table_rows)
    names = [c.name for c in columns]
    change, previous = total[names.index("change")], total[names.index("previous month")]
    total[names.index("change %")] = float(change / abs(previous)) if previous else None
    section.tables.append(
        Table(f"Showback by team ({cur})", columns, table_rows, total, key="showback_by_team")
    )
    if teams:
        stack = [
            {"team": t["team"], "kind": kind, "cost": t[kind]}
            for t in teams
            for kind in ("direct", "shared", "unallocated")
            if t[kind]
        ]
        section.charts.append(
            charts.stacked_bar(f"Showback by team ({cur})", stack, "team", "kind", "cost", cur)
        )
    else:
        section.notes.append(not_available("showback", "showback_monthly has no row this month"))
    _without_rate(con, params, section)
    return section, teams


def _without_rate(con: duckdb.DuckDBPyConnection, params: dict[str, Any], section: Section) -> None:
    """Billing currencies with no exchange rate this month: left out of the reporting-currency
    table (their amounts there are NULL), so shown per billing currency, each with its total."""
    cur = params["reporting_currency"]
    data = rows(con, "showback_without_rate", params)
    if not data:
        return
    currencies = sorted({str(r["billing_currency"]) for r in data})
    section.notes.append(
        f"no exchange rate to {cur} for {params['label']} "
        f"{', '.join(f'{c}->{cur}' for c in currencies)}: those amounts are not in the {cur} "
        "table and are shown per billing currency below (`finops rates import FILE`, then "
        "`finops run`, converts them)"
    )
    columns = _split_columns()
    for currency in currencies:
        table_rows = [_split_row(r) for r in data if r["billing_currency"] == currency]
        section.tables.append(
            Table(
                f"Showback by team in {currency} (no rate to {cur})",
                columns,
                table_rows,
                totals_row(columns, table_rows),
                key=f"showback_by_team_{currency.lower()}",
            )
        )


def _split_columns() -> list[Column]:
    """How both showback tables (reporting and billing currency) start: the team, its cost
    direct, shared and unallocated, the total, and the billed total."""
    money = ("direct", "shared", "unallocated", "total", "billed total")
    return [Column("team"), *(Column(name, "money") for name in money)]


def _split_row(team: dict[str, Any]) -> list[Any]:
    """A showback_by_team row's values for `_split_columns`."""
    names = ("team", "direct", "shared", "unallocated", "total", "billed_total")
    return [team[name] for name in names]


def _optional(
    con: duckdb.DuckDBPyConnection,
    section: Section,
    query: str,
    table: str,
    params: dict[str, Any],
    label: str,
) -> dict[str, dict]:
    """Rows by team of a table another stage builds; a plain note when it is absent or empty."""
    if missing_tables(con, table):
        section.notes.append(
            not_available(label, f"the {table} table is not built in this warehouse")
        )
        return {}
    if is_empty(con, table, params["month"]):
        section.notes.append(not_available(label, f"{table} has no row for {params['label']}"))
        return {}
    return {r["team"]: r for r in rows(con, query, params)}


def _unallocated_list(
    title: str, key: str, what: list[str], advice: str, found: list[dict[str, Any]], cur: str
) -> Table:
    """A list of unowned cost: the columns naming what it is, its billing currency, its cost
    in that currency and in the reporting one `cur`, and the advice; one row per `found`."""
    columns = [Column(name) for name in what]
    columns += [Column("currency"), Column("cost", "money"), Column(f"cost ({cur})", "money")]
    return Table(title, [*columns, Column(advice)], [list(r.values()) for r in found], key=key)


def unallocated(
    con: duckdb.DuckDBPyConnection,
    params: dict[str, Any],
    showback_settings: ShowbackSection,
    teams: list[dict],
) -> Section:
    cur = params["reporting_currency"]
    section = Section(
        "unallocated",
        "5. Unallocated",
        "Cost with no owner tag, no owner rule and no pool, and the fix that would allocate it.",
    )
    amount = _sum([t["unallocated"] for t in teams])
    total = _sum([t["total"] for t in teams])
    share = float(amount / total) if total else None
    billed = _sum([t["billed_unallocated"] for t in teams])
    section.tables.append(
        Table(
            f"Unallocated ({cur})",
            [
                Column("unallocated", "money"),
                Column("total", "money"),
                Column("share", "pct"),
                Column("unallocated billed", "money"),
            ],
            [[amount, total, share, billed]],
            key="unallocated_total",
            note="Unallocated billed and effective cost differ for the same reasons as any "
            "billed and effective cost: an unowned commitment purchase (savings plan, "
            "reservation) is billed in full when bought but counts 0 effective, its cost "
            "being spread over the usage it covers; discounts and credits lower effective "
            "cost only. Showback and this share use effective cost.",
        )
    )
    without_rate = rows(con, "showback_without_rate", params)
    for currency in sorted({str(r["billing_currency"]) for r in without_rate}):
        part = [r for r in without_rate if r["billing_currency"] == currency]
        amount, total = _sum([r["unallocated"] for r in part]), _sum([r["total"] for r in part])
        section.tables.append(
            Table(
                f"Unallocated in {currency} (no rate to {cur}, not in the table above)",
                [Column("unallocated", "money"), Column("total", "money"), Column("share", "pct")],
                [[amount, total, float(amount / total) if total else None]],
                key=f"unallocated_total_{currency.lower()}",
            )
        )
    accounts = rows(con, "unallocated_accounts", params)
    section.tables.append(
        _unallocated_list(
            f"Top accounts and services by unallocated cost ({cur})",
            "unallocated_accounts",
            ["provider", "account", "service"],
            "why",
            accounts,
            cur,
        )
    )
    classify_charges(
        con,
        showback_settings,
        params["month"],
        table="tmp_report_charges",
        extra_columns=("ResourceId",),
    )
    resources = rows(con, "unallocated_resources", params)
    section.tables.append(
        _unallocated_list(
            f"Top untagged resources by cost, with the fix ({cur})",
            "unallocated_resources",
            ["provider", "account", "resource", "service"],
            "fix that would allocate it",
            resources,
            cur,
        )
    )
    if showback_settings.allocation.unallocated.redistribute:
        section.notes.append(
            "allocation.unallocated.redistribute is on: unowned cost is spread over the teams "
            "(pool 'unallocated' in section 4); the lists show where it came from"
        )
    return section
