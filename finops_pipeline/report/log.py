"""report_log: the per-team totals each written report showed.

Written after a report's files are on disk, so a failed render never counts as reported.
The next report diffs the warehouse against it (sql/report/restatements.sql): what changed
after close, by team.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import duckdb

from finops_pipeline.warehouse import read_sql, run_sql_file, table_exists, transaction

TABLE = "report_log"


def last_report_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    if not table_exists(con, TABLE):
        return None
    row = con.execute(f"select max(generated_at) from {TABLE}").fetchone()
    return row[0] if row else None


def record_report(con: duckdb.DuckDBPyConnection, month: date, generated_at: datetime) -> str:
    """Append the month's per-team showback totals as this report showed them; its id."""
    report_id = f"{month:%Y-%m}-{generated_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    with transaction(con):
        run_sql_file(con, "report/report_log.sql")
        # a team with a billing currency lacking an exchange rate is logged per billing
        # currency (the report showed it so); sql/report/showback_basis.sql decides
        con.execute(
            f"insert into {TABLE} select ?, billing_month, ?, team, currency, "
            "sum(billed_cost), sum(effective_cost) "
            f"from ({read_sql('report/showback_basis.sql')}) "
            "where billing_month = ? group by billing_month, team, currency",
            [report_id, generated_at, month],
        )
    return report_id
