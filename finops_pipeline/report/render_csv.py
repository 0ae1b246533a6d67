"""The month's showback and allocation ledger as CSV, for finance's own spreadsheets.

Exact decimals as text (no float, no exponent: `0`, not `0E-12`), every column of the
published tables, in their order; LF line endings so `tail`, `cut` and `wc` behave.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

CSV_TABLES = ("showback_monthly", "allocation_ledger")


def write_csvs(con: duckdb.DuckDBPyConnection, month: date, out_dir: Path) -> list[Path]:
    paths = []
    for table in CSV_TABLES:
        cursor = con.execute(f"select * from {table} where billing_month = ? order by all", [month])
        path = out_dir / f"{table}_{month:%Y-%m}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([d[0] for d in cursor.description or []])
            writer.writerows([_text(v) for v in row] for row in cursor.fetchall())
        paths.append(path)
    return paths


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)
