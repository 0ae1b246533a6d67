"""Which (source, billing period) pairs have landed rows that focus_costs does not show yet.

The landing transaction records its pairs here before it commits, and the focus_costs
rebuild deletes them in its own transaction. A process killed between the two commits
therefore leaves a record, never a silently stale month: commands that rebuild finish the
recorded pairs (with their own tag policy), and read-only commands say that it must be done.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import duckdb

from finops_pipeline.warehouse import table_exists

PENDING_TABLE = "pending_rebuild"

PENDING_DDL = f"""
create table if not exists {PENDING_TABLE} (
    source_name varchar not null,
    billing_period date not null,
    load_id varchar not null,
    recorded_at timestamp not null
)
"""

Pair = tuple[str, date]


def ensure_pending_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(PENDING_DDL)


def mark_pending(
    con: duckdb.DuckDBPyConnection, source: str, periods: Iterable[date], load_id: str
) -> None:
    """Record that `source`'s `periods` changed in raw; call inside the landing transaction,
    so the record commits exactly when the rows do."""
    chosen = sorted(set(periods))
    if not chosen:
        return
    con.execute(
        f"delete from {PENDING_TABLE} where source_name = ? "
        "and billing_period in (select unnest(?::date[]))",
        [source, chosen],
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    con.executemany(
        f"insert into {PENDING_TABLE} values (?, ?, ?, ?)",
        [[source, period, load_id, now] for period in chosen],
    )


def pending_pairs(con: duckdb.DuckDBPyConnection, period: date | None = None) -> set[Pair]:
    """The pairs whose focus_costs rows are behind raw; works on a read-only connection."""
    if not table_exists(con, PENDING_TABLE):
        return set()
    rows = con.execute(
        f"select distinct source_name, billing_period from {PENDING_TABLE} "
        "where ? is null or billing_period = ?",
        [period, period],
    ).fetchall()
    return {(str(source), billed) for source, billed in rows}


def clear_pending(con: duckdb.DuckDBPyConnection, pairs: Iterable[Pair] | None) -> None:
    """Forget pairs just rebuilt (None: all of them); call inside the rebuild transaction."""
    if not table_exists(con, PENDING_TABLE):
        return
    if pairs is None:
        con.execute(f"delete from {PENDING_TABLE}")
        return
    for source, period in sorted(set(pairs)):
        con.execute(
            f"delete from {PENDING_TABLE} where source_name = ? and billing_period = ?",
            [source, period],
        )


def stale_notice(con: duckdb.DuckDBPyConnection) -> str | None:
    """One line for read-only commands when focus_costs is behind raw, else None."""
    pairs = sorted(pending_pairs(con))
    if not pairs:
        return None
    shown = ", ".join(f"{source} {period:%Y-%m}" for source, period in pairs[:5])
    more = f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""
    return (
        f"focus_costs (and the tables built from it) is behind the landed data for {shown}{more}: "
        "a load was interrupted before its rebuild. Run `finops ingest` again (any path) or "
        "`finops run` to finish it"
    )
