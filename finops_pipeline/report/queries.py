"""Run the report's SQL files (sql/report/*.sql) with named parameters.

Each file binds only the parameters it names, so one parameter set serves every section.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb

from finops_pipeline.warehouse import read_sql, table_exists

_PARAM = re.compile(r"\$([a-z_]+)")


def rows(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[dict]:
    """Rows of sql/report/<name>.sql as dicts, binding the `$names` the file uses."""
    text = read_sql(f"report/{name}.sql")
    wanted = set(_PARAM.findall(text))
    cursor = con.execute(text, {k: v for k, v in params.items() if k in wanted})
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def missing_tables(con: duckdb.DuckDBPyConnection, *tables: str) -> list[str]:
    return [t for t in tables if not table_exists(con, t)]


def is_empty(con: duckdb.DuckDBPyConnection, table: str, month: object) -> bool:
    """No row for the month (tables not partitioned by billing_month count as a whole)."""
    columns = {d[0] for d in con.execute(f"select * from {table} limit 0").description or []}
    if "billing_month" in columns:
        row = con.execute(f"select count(*) from {table} where billing_month = ?", [month])
    else:
        row = con.execute(f"select count(*) from {table}")
    found = row.fetchone()
    return not found or not found[0]
