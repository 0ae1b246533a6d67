"""The DuckDB warehouse: where it lives, how to connect, and the one runner of `sql/` files.

SQL lives in files under `sql/` (staging per provider, then core). This module is the only
place that reads them, so every statement goes through the same parameter binding and the
same sqlglot parse check in the tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from finops_pipeline.package_files import REPO_ROOT as REPO_ROOT
from finops_pipeline.package_files import sql_dir

DEFAULT_WAREHOUSE = "finops.duckdb"
SQL_DIR = sql_dir()

LOAD_LOG_DDL = """
create table if not exists load_log (
    load_id varchar not null,
    source_name varchar not null,
    source_format varchar,
    file_path varchar not null,
    file_sha256 varchar,
    file_bytes bigint,
    billing_periods date[],
    rows bigint,
    source_total map(varchar, decimal(38, 12)),
    cost_basis varchar,
    status varchar not null,
    reason varchar,
    loaded_at timestamp not null
)
"""


def warehouse_path(override: str | Path | None = None) -> Path:
    """The warehouse file: explicit override, else FINOPS_WAREHOUSE, else ./finops.duckdb."""
    chosen = override or os.environ.get("FINOPS_WAREHOUSE") or DEFAULT_WAREHOUSE
    return Path(chosen).expanduser().resolve()


def connect(
    path: str | Path | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse and make sure the shared objects (macros, load_log) exist."""
    target = warehouse_path(path)
    if read_only:
        return duckdb.connect(str(target), read_only=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target))
    con.execute("set preserve_insertion_order = false")
    con.execute("set TimeZone = 'UTC'")
    ensure_base_schema(con)
    return con


def ensure_base_schema(con: duckdb.DuckDBPyConnection) -> None:
    run_sql_file(con, "macros.sql")
    con.execute(LOAD_LOG_DDL)


def sql_file(name: str) -> Path:
    path = SQL_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"SQL file {path} is missing: reinstall the package (the wheel ships sql/ as "
            "finops_pipeline/_data/sql), or in a source checkout keep sql/ beside finops_pipeline/"
        )
    return path


def read_sql(name: str) -> str:
    return sql_file(name).read_text(encoding="utf-8")


def run_sql_file(
    con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] | dict[str, Any] | None = None
) -> None:
    """Run every statement of a file in `sql/`, binding `params` (never formatted in)."""
    text = read_sql(name)
    for statement in split_statements(text):
        if params is None:
            con.execute(statement)
        else:
            con.execute(statement, params)


def split_statements(text: str) -> Iterator[str]:
    """Split on semicolons that end a line; our SQL files keep one statement per block."""
    buffer: list[str] = []
    for line in text.splitlines():
        buffer.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(buffer).strip().rstrip(";").strip()
            if _has_code(statement):
                yield statement
            buffer = []
    rest = "\n".join(buffer).strip()
    if _has_code(rest):
        yield rest


def _has_code(statement: str) -> bool:
    return any(
        line.strip() and not line.strip().startswith("--") for line in statement.splitlines()
    )


def quote_identifier(name: str) -> str:
    """Quote an identifier that comes from data (a header, a tag key) for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure rolls back so earlier good data stays as it was."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])
