"""The month's allocation ledger as a report table: every line, for finance to pivot.

One row per ledger line as published (allocation_ledger), every column in order; amounts
stay Decimal like the rest of the report.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb

from finops_pipeline.report.model import Column, Table


def _kind(name: str, sample: object) -> str:
    if isinstance(sample, Decimal):
        return "money" if "cost" in name else "num"
    if isinstance(sample, bool):
        return "text"
    if isinstance(sample, int):
        return "int"
    if isinstance(sample, datetime):
        return "datetime"
    if isinstance(sample, date):
        return "date"
    return "text"


def ledger_table(con: duckdb.DuckDBPyConnection, month: date) -> Table:
    cursor = con.execute(
        "select * from allocation_ledger where billing_month = ? order by all", [month]
    )
    names = [d[0] for d in cursor.description or []]
    body = cursor.fetchall()
    samples = [next((r[i] for r in body if r[i] is not None), None) for i in range(len(names))]
    columns = [Column(n, _kind(n, s)) for n, s in zip(names, samples, strict=True)]  # type: ignore[arg-type]
    return Table(
        "Allocation ledger",
        columns,
        [list(r) for r in body],
        note="Every allocation line of the month; filter or pivot it. Sums per team equal "
        "showback by team.",
        key="ledger",
    )
