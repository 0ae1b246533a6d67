"""The rules waste_findings must keep (sql/checks/waste_findings.sql), callable without Dagster.

Savings are an estimate on top of a real cost: an estimate above the cost, or below zero,
means a formula or an assumption is wrong, and a report would promise money that is not there.
"""

from __future__ import annotations

from datetime import date

import duckdb

from finops_pipeline.warehouse import read_sql


def violations(con: duckdb.DuckDBPyConnection, period: date | None = None) -> list[dict]:
    """Rows of waste_findings (billing month `period`, None: all) breaking a rule."""
    cursor = con.execute(read_sql("checks/waste_findings.sql"), {"period": period})
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
