"""Build `unit_costs` for one billing month (a Dagster partition) or every month, atomically.

The SQL model (sql/marts/unit_costs.sql) holds the ratios and NULL reasons; this module loads
the business metrics (the same file and loader as `split: metric` pools), builds the per-day
allocation (daily.py) for the months and the month before them (for the change versus the
previous period), and replaces the months in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from finops_pipeline.showback.pools import load_business_metrics
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.unit_costs.daily import build_daily_allocation
from finops_pipeline.warehouse import read_sql, table_exists, transaction

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
    model = read_sql(f"marts/{TABLE}.sql")
    with transaction(con):
        if table_exists(con, TABLE) and _stale(con, model, params):
            con.execute(f"drop table {TABLE}")
        con.execute(
            f"create table if not exists {TABLE} as select * from ({model}) limit 0", params
        )
        if period is None:
            con.execute(f"delete from {TABLE}")
        else:
            con.execute(f"delete from {TABLE} where billing_month = ?", [period.replace(day=1)])
        if has_metrics:
            con.execute(f"insert into {TABLE} by name select * from ({model})", params)
        row = con.execute(
            f"select count(*) from {TABLE} where billing_month in "
            "(select billing_month from tmp_unit_months)"
        ).fetchone()
    note = "" if has_metrics else "no business metrics configured: add `metrics: {path: FILE}`"
    return UnitCostBuild(int(row[0]) if row else 0, scope, note)


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


def _stale(con: duckdb.DuckDBPyConnection, model: str, params: dict) -> bool:
    current = con.execute(f"select * from {TABLE} limit 0").description or []
    wanted = con.execute(f"select * from ({model}) limit 0", params).description or []
    return [(d[0], str(d[1])) for d in current] != [(d[0], str(d[1])) for d in wanted]
