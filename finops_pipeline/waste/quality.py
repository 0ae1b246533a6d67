"""The rules waste_findings must keep (sql/checks/waste_findings__savings_within_cost.sql), callable without Dagster.

Savings are an estimate on top of a real cost: an estimate above the cost, or below zero,
means a formula or an assumption is wrong, and a report would promise money that is not there.
"""

from __future__ import annotations

from datetime import date

import duckdb

from finops_pipeline.sql_checks import failing_rows

CHECK = "savings_within_cost"


def violations(con: duckdb.DuckDBPyConnection, period: date | None = None) -> list[dict]:
    """Rows of waste_findings (billing month `period`, None: all) breaking a rule."""
    return failing_rows(con, "waste_findings", CHECK, {"billing_month": period})
