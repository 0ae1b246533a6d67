"""The report's first section: the answer before the explanation.

Key figures of the month (total in the reporting currency and per billing currency, change
vs the previous month and the same month a year earlier, budget and variance, unallocated
share, tag compliance, savings identified, anomalies open) and a twelve-month trend by team.
Every amount comes from the same tables as the later sections, so the figures here equal
theirs; currencies are never added together except through the reporting-currency roll-up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from finops_pipeline.report import charts
from finops_pipeline.report.model import Column, Section, Table
from finops_pipeline.report.queries import is_empty, missing_tables, rows

ZERO = Decimal(0)
COLUMNS = [
    Column("figure"),
    Column("amount", "money"),
    Column("currency"),
    Column("share / change", "pct"),
    Column("detail"),
]


def _months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _ratio(part: Decimal | None, whole: Decimal | None) -> float | None:
    return float(part / abs(whole)) if part is not None and whole else None


def budget_status(actual: Decimal | None, budget: Decimal | None) -> str:
    """A closed month is final: it is under or over its budget, never 'at risk'."""
    if actual is None or budget is None:
        return ""
    return "over budget" if actual > budget else "under budget"


def summary(con: duckdb.DuckDBPyConnection, params: dict[str, Any], is_open: bool) -> Section:
    cur, month = params["reporting_currency"], params["month"]
    section = Section(
        "summary",
        "1. Summary",
        f"The month at a glance in {cur} (effective cost: amortized, after discounts), then "
        "each billing currency as invoiced. The sections below explain every figure.",
        tables_before_charts=1,
    )
    totals = rows(con, "summary_totals", params)
    by_month: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in totals:
        for name in ("effective_cost_reporting", "billed_cost_reporting", "unallocated_reporting"):
            by_month[r["billing_month"]][name] += r[name] or ZERO
    now = by_month.get(month, {})
    total = now.get("effective_cost_reporting", ZERO)
    figures: list[list[Any]] = [
        [
            "Total effective cost",
            total,
            cur,
            None,
            f"billed {now.get('billed_cost_reporting', ZERO):,.2f} {cur}"
            + (" (open month: to date)" if is_open else ""),
        ]
    ]
    for r in totals:
        if r["billing_month"] == month:
            figures.append(
                [
                    f"  in {r['billing_currency']} (billing currency)",
                    r["effective_cost"],
                    r["billing_currency"],
                    None,
                    f"billed {r['billed_cost']:,.2f} {r['billing_currency']}",
                ]
            )
    for label, back in (("previous month", 1), ("same month last year", 12)):
        earlier = _months_back(month, back)
        before = by_month.get(earlier, {}).get("effective_cost_reporting")
        if before is None:
            figures.append([f"Change vs {label}", None, cur, None, f"no data for {earlier:%Y-%m}"])
        else:
            change = total - before
            figures.append(
                [
                    f"Change vs {label}",
                    change,
                    cur,
                    _ratio(change, before),
                    f"{earlier:%Y-%m}: {before:,.2f} {cur}",
                ]
            )
    figures += _budget(con, params, is_open)
    unallocated = now.get("unallocated_reporting", ZERO)
    figures.append(
        [
            "Unallocated",
            unallocated,
            cur,
            _ratio(unallocated, total),
            "cost no owner tag, rule or pool covers (section 5)",
        ]
    )
    figures += _tags(con, params)
    figures += _savings(con, params)
    figures += _anomalies(con, params)
    section.tables.append(Table("Key figures", COLUMNS, figures, key="summary"))
    _trend(con, params, section)
    return section


def _budget(con: duckdb.DuckDBPyConnection, params: dict[str, Any], is_open: bool) -> list:
    cur = params["reporting_currency"]
    if missing_tables(con, "budget_variance") or is_empty(con, "budget_variance", params["month"]):
        return [["Budget", None, cur, None, "no budget for the month"]]
    budgets = rows(con, "budget_by_team", params)
    budget = sum((b["budget"] or ZERO for b in budgets), ZERO)
    actual = sum((b["actual"] or ZERO for b in budgets), ZERO)
    if is_open:
        variance = sum((b["variance"] or ZERO for b in budgets), ZERO)
        detail = "forecast month end minus budget, budgeted teams; statuses: " + ", ".join(
            sorted({b["status"] for b in budgets if b["status"]})
        )
    else:
        variance = actual - budget
        detail = f"{budget_status(actual, budget)}: actual {actual:,.2f} {cur}, budgeted teams"
    return [
        ["Budget", budget, cur, None, f"{len(budgets)} budgeted teams"],
        ["Variance vs budget", variance, cur, _ratio(variance, budget), detail],
    ]


def _tags(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> list:
    if missing_tables(con, "tag_compliance"):
        return []
    trend = [
        r
        for r in rows(con, "tag_compliance_trend", params)
        if r["billing_month"] == params["month"]
    ]
    total = sum((r["total_cost"] or ZERO for r in trend), ZERO)
    compliant = sum((r["compliant_cost"] or ZERO for r in trend), ZERO)
    return [
        [
            "Tag compliance",
            None,
            "",
            _ratio(compliant, total),
            "share of effective cost with valid required tags (section 6)",
        ]
    ]


def _savings(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> list:
    if missing_tables(con, "waste_findings"):
        return []
    by_currency: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for r in rows(con, "waste_totals", params):
        by_currency[r["billing_currency"]][0] += r["findings"]
        by_currency[r["billing_currency"]][1] += r["estimated_monthly_savings"] or ZERO
    if not by_currency:
        return [["Savings identified", None, "", None, "no waste finding this month"]]
    return [
        [
            "Savings identified (a month)",
            amount,
            currency,
            None,
            f"{n} findings; checks can overlap, so not a sum to bank (section 7)",
        ]
        for currency, (n, amount) in sorted(by_currency.items())
    ]


def _anomalies(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> list:
    if missing_tables(con, "cost_anomalies"):
        return []
    events = rows(con, "anomalies", params)
    still_open = sum(1 for e in events if e["last_date"] is None)
    return [
        [
            "Anomalies open",
            None,
            "",
            None,
            f"{still_open} still open of {len(events)} active during the month (section 7)",
        ]
    ]


def _trend(con: duckdb.DuckDBPyConnection, params: dict[str, Any], section: Section) -> None:
    cur = params["reporting_currency"]
    trend = rows(con, "trend_by_team", params)
    months = sorted({r["billing_month"] for r in trend})
    teams = list(dict.fromkeys(r["team"] for r in trend))
    cells = {(r["team"], r["billing_month"]): r["total"] for r in trend}
    section.charts.append(
        charts.lines(
            f"Effective cost by team, last {len(months)} months ({cur})",
            trend,
            "billing_month",
            "total",
            "team",
            cur,
        )
    )
    columns = [Column("team")] + [Column(f"{m:%Y-%m}", "money") for m in months]
    body = [[team, *[cells.get((team, m)) for m in months]] for team in teams]
    total = ["Total", *[sum((cells.get((t, m)) or ZERO for t in teams), ZERO) for m in months]]
    section.tables.append(
        Table(
            f"Effective cost by team, month by month ({cur})",
            columns,
            body,
            total,
            key="trend_by_team",
        )
    )
