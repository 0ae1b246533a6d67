"""Every file in sql/ parses with sqlglot (DuckDB dialect), statement by statement."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from finops_pipeline.warehouse import SQL_DIR, split_statements

SQL_FILES = sorted(SQL_DIR.rglob("*.sql"))


def test_there_are_sql_files() -> None:
    assert {p.stem for p in SQL_FILES} >= {"macros", "focus_costs", "stg_aws__cur"}


@pytest.mark.parametrize("path", SQL_FILES, ids=[str(p.relative_to(SQL_DIR)) for p in SQL_FILES])
def test_sql_file_parses(path: Path) -> None:
    statements = list(split_statements(path.read_text(encoding="utf-8")))
    assert statements, f"{path} holds no statement"
    for statement in statements:
        parsed = sqlglot.parse(statement, read="duckdb")
        assert parsed and all(tree is not None for tree in parsed)
