"""Build `unit_costs` for one billing month (a Dagster partition) or every month, atomically.

The SQL model (sql/marts/unit_costs.sql) holds the ratios and NULL reasons; this module loads
the business metrics (the same file and loader as `split: metric` pools), builds the per-day
allocation (daily.py) for the months and the month before them (for the change versus the
previous period), and replaces the months through the build runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from finops_pipeline.build_runner import build_partition
from finops_pipeline.showback.pools import load_business_metrics
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.unit_costs.daily import build_daily_allocation

TABLE = "unit_costs"


@dataclass(frozen=True)
class UnitCostBuild:
    rows: int
    months: list[date]
    note: str  # why the table is empty, when it is


def build_unit_costs(
    con: duckdb.DuckDBPyConnection, section: ShowbackSection, period: date | None = None
) -> UnitCostBuild:
    """Replace the unit costs of billing month `period` (None: every showback month).

    Without a metrics file the table is (re)created empty and `note` says what to configure,
    so a finance report reading it finds the table, and the CLI tells the user why.
    """
    metrics = section.metrics
    if metrics is not None and not metrics.path.is_file():
        # A configured file that is missing degrades unit_costs (warning check
        # optional_inputs_present), never the run.
        metrics = None
    has_metrics = load_business_metrics(con, metrics)
    scope = _scope(con, period)
    months = sorted(set(scope) | {_previous(m) for m in scope})
    build_daily_allocation(con, section, months)
    _months_table(con, "tmp_unit_months", scope)
    _months_table(con, "tmp_unit_scope", months)
    last = con.execute("select max(cast(ChargePeriodStart as date)) from focus_costs").fetchone()
    params = {
        "dimension": section.allocation.dimension,
        "currency": section.reporting.currency,
        "last_day": last[0] if last else None,
    }
    # An outdated table is dropped and this build's months written (on_change="drop").
    rows = build_partition(
        con,
        table=TABLE,
        model=f"marts/{TABLE}.sql",
        params=params,
        period=period,
        fill=has_metrics,
        on_change="drop",
    )
    note = "" if has_metrics else "no business metrics configured: add `metrics: {path: FILE}`"
    return UnitCostBuild(rows, scope, note)


def _scope(con: duckdb.DuckDBPyConnection, period: date | None) -> list[date]:
    if period is not None:
        return [period.replace(day=1)]
    return [
        r[0]
        for r in con.execute(
            "select distinct billing_month from showback_monthly order by 1"
        ).fetchall()
    ]


def _previous(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def _months_table(con: duckdb.DuckDBPyConnection, name: str, months: list[date]) -> None:
    con.execute(f"create or replace temp table {name} (billing_month date)")
    if months:
        con.executemany(f"insert into {name} values (?)", [[m] for m in months])
