"""What `finops sql` and the notebooks' `query()` accept: exactly one read-only query.

Two locks, each enough on its own for what it covers. DuckDB's own parser splits the text
and types each statement (a regex would miss comments, quoting and dialect corners), and
only one SELECT passes; DESCRIBE, SHOW, SUMMARIZE, VALUES and FROM-first queries are
SELECTs to DuckDB, so they pass too, while PRAGMA (some of which change settings), EXPLAIN
ANALYZE, CALL, SET, ATTACH, COPY, INSTALL, LOAD and every write are refused. Then the
connection itself is read-only with external access off and its configuration locked
(warehouse.READ_ONLY_CONFIG), so a SELECT that reads a file (read_csv('/etc/passwd')) fails
inside DuckDB.
"""

from __future__ import annotations

import duckdb

from finops_pipeline.errors import ReadOnlyQueryError

ALLOWED = {duckdb.StatementType.SELECT}
HINT = "only one read-only query (SELECT, DESCRIBE, SHOW, SUMMARIZE) runs here"


def first_line(error: BaseException) -> str:
    """DuckDB's message without its 'LINE 1: ...^^^' caret lines."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_read_only(query: str) -> str:
    """`query` if it is exactly one SELECT-type statement; else ReadOnlyQueryError."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise ReadOnlyQueryError(f"the query does not parse: {first_line(exc)}") from None
    if not statements:
        raise ReadOnlyQueryError(f"the query is empty; {HINT}")
    if len(statements) > 1:
        kinds = ", ".join(s.type.name for s in statements)
        raise ReadOnlyQueryError(
            f"{len(statements)} statements given ({kinds}); {HINT}: remove the ';'-separated "
            "extra statements"
        )
    kind = statements[0].type
    if kind not in ALLOWED:
        raise ReadOnlyQueryError(
            f"a {kind.name} statement is not allowed; {HINT}. Writes go through "
            "`finops ingest` / `finops run`"
        )
    return query


def execute_read_only(
    con: duckdb.DuckDBPyConnection, query: str, params: list | dict | None = None
) -> duckdb.DuckDBPyConnection:
    """Check `query`, run it with bound `params`; DuckDB's refusal becomes one line."""
    check_read_only(query)
    try:
        return con.execute(query, params) if params is not None else con.execute(query)
    except duckdb.PermissionException as exc:
        raise ReadOnlyQueryError(
            f"{first_line(exc)}; queries read the warehouse's tables only"
        ) from None
    except duckdb.Error as exc:
        raise ReadOnlyQueryError(first_line(exc)) from None
