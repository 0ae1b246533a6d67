"""Gather the monthly report from the warehouse: nine sections in the order finance reads.

Tables other stages build (budget_variance, cost_forecast, unit costs) are optional: when
absent or empty the section says "not available: <why>" instead of failing. The core tables
(focus_costs and showback) are required: without them there is nothing to report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb

from finops_pipeline.errors import FinopsError
from finops_pipeline.report import (
    sections_context,
    sections_method,
    sections_money,
    sections_pools,
    sections_summary,
)
from finops_pipeline.report.ledger import ledger_table
from finops_pipeline.report.log import last_report_at
from finops_pipeline.report.model import Report
from finops_pipeline.report.queries import missing_tables
from finops_pipeline.showback.rules import ShowbackSection

REQUIRED = ("focus_costs", "allocation_ledger", "showback_monthly", "exchange_rates")


def gather_report(
    con: duckdb.DuckDBPyConnection,
    section: ShowbackSection,
    month: date,
    *,
    top: int = 10,
    warehouse: str = "",
    today: date | None = None,
) -> Report:
    """Every section for billing month `month` (first of month). An open month (today falls
    in it or before it) also shows the forecast; `today` is for tests."""
    month = month.replace(day=1)
    missing = missing_tables(con, *REQUIRED)
    if missing:
        raise FinopsError(
            f"{warehouse or 'the warehouse'}: {', '.join(missing)} not built yet; "
            f"run `finops run --month {month:%Y-%m}` (or `finops demo`) first"
        )
    row = con.execute(
        "select any_value(reporting_currency), count(*) from showback_monthly "
        "where billing_month = ?",
        [month],
    ).fetchone()
    if not row or not row[1]:
        loaded = [
            f"{m:%Y-%m}"
            for (m,) in con.execute(
                "select distinct billing_month from showback_monthly order by 1"
            ).fetchall()
        ]
        raise FinopsError(
            f"no showback for {month:%Y-%m} in {warehouse or 'the warehouse'}; months built: "
            f"{', '.join(loaded) or 'none'} (load the month's exports and run `finops run`)"
        )
    today = today or datetime.now(UTC).date()
    report = Report(
        billing_month=month,
        reporting_currency=row[0],
        is_open_month=month >= today.replace(day=1),
        generated_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
    )
    params = {
        "month": month,
        "label": f"{month:%Y-%m}",
        "reporting_currency": report.reporting_currency,
        "top": top,
        "dimension": section.allocation.dimension,
    }
    headline = sections_money.headline(con, params)
    showback, teams = sections_money.showback(con, params, report.is_open_month)
    report.sections = [
        sections_summary.summary(con, params, report.is_open_month),
        headline,
        showback,
        sections_pools.shared_pools(con, params, section.allocation),
        sections_money.unallocated(con, params, section, teams),
        sections_context.tag_compliance(con, params),
        sections_context.insights(con, params),
        sections_context.completeness(con, params, last_report_at(con)),
        sections_method.method(con, params, section.allocation),
    ]
    report.ledger = ledger_table(con, month)
    return report
