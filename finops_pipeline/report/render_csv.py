"""The month's showback and allocation ledger as CSV, for finance's own spreadsheets.

Exact decimals as text (no float, no exponent: `0.000000000000`, not `0E-12`), every column
of the published tables, in their order; LF line endings so `tail`, `cut` and `wc` behave.
Text cells that a spreadsheet would run as a formula get a leading `'` (csv_safe.cell).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.csv_safe import row as safe_row

CSV_TABLES = ("showback_monthly", "allocation_ledger")


def write_csvs(con: duckdb.DuckDBPyConnection, month: date, out_dir: Path) -> list[Path]:
    paths = []
    for table in CSV_TABLES:
        cursor = con.execute(f"select * from {table} where billing_month = ? order by all", [month])
        path = out_dir / f"{table}_{month:%Y-%m}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(safe_row(d[0] for d in cursor.description or []))
            writer.writerows(safe_row(values) for values in cursor.fetchall())
        paths.append(path)
    return paths
