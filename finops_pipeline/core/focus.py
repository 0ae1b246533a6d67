"""Build `focus_costs` from the staging views, whole or one (source, billing period) at a time.

The staging views are the files in `sql/staging/`; `stg_all` is their union by name, so a
new provider mapping is one new SQL file. A rebuild of a period deletes and inserts it in
one transaction, so readers never see a half-built month.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path

import duckdb

from finops_pipeline.core.pending import clear_pending, ensure_pending_table, pending_pairs
from finops_pipeline.core.reference import load_reference_tables
from finops_pipeline.ingest.pause import pause_point
from finops_pipeline.ingest.raw_tables import ensure_raw_tables
from finops_pipeline.tagging.normalise import with_tag_columns
from finops_pipeline.tagging.policy import TagPolicy
from finops_pipeline.warehouse import SQL_DIR, read_sql, table_exists, transaction

FOCUS_TABLE = "focus_costs"


def staging_models() -> list[str]:
    return sorted(p.stem for p in (SQL_DIR / "staging").glob("stg_*.sql"))


def create_staging_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every staging view and their union `stg_all`, plus the reference tables."""
    ensure_raw_tables(con)
    load_service_categories(con)
    load_reference_tables(con)
    models = staging_models()
    for model in models:
        con.execute(f"create or replace view {model} as\n{read_sql(f'staging/{model}.sql')}")
    union = "\nunion all by name\n".join(f"select * from {m}" for m in models)
    con.execute(f"create or replace view stg_all as\n{union}")


def load_service_categories(con: duckdb.DuckDBPyConnection) -> None:
    """FOCUS ServiceCategory is kept as data: mappings/service_category*.csv -> a table."""
    folder = Path(str(resources.files("finops_pipeline.mappings")))
    files = sorted(str(p) for p in folder.glob("service_category*.csv"))
    con.execute(
        "create or replace table ref_service_category as select provider, service_key, "
        "service_category, service_subcategory from read_csv(?, header = true, all_varchar = true, "
        "union_by_name = true)",
        [files],
    )


def _focus_select(policy: TagPolicy | None = None, dimension: str = "team") -> tuple[str, list]:
    """The focus_costs model: sql/core/focus_costs.sql plus the normalised tag columns
    (x_Tags, x_Team, x_TagSource, x_TagExempt) from the tag policy, with their parameters."""
    sql, params = with_tag_columns(read_sql("core/focus_costs.sql"), policy, dimension)
    return sql, list(params)


def _table_matches_model(con: duckdb.DuckDBPyConnection, select: str, params: list) -> bool:
    if not table_exists(con, FOCUS_TABLE):
        return False
    current = con.execute(f"select * from {FOCUS_TABLE} limit 0").description or []
    model = con.execute(f"select * from ({select}) limit 0", params).description or []
    return [(d[0], str(d[1])) for d in current] == [(d[0], str(d[1])) for d in model]


def build_focus_costs(
    con: duckdb.DuckDBPyConnection,
    scope: Iterable[tuple[str, date]] | None = None,
    policy: TagPolicy | None = None,
    dimension: str = "team",
) -> int:
    """Rebuild focus_costs: all of it, or only the given (source, billing period) pairs.

    Returns the number of rows written. A changed model (new column) forces a full rebuild.
    A changed tag policy needs a full rebuild too (`finops run` does one per month).
    The pairs rebuilt leave `pending_rebuild` in the same transaction (see core/pending.py).
    """
    create_staging_views(con)
    ensure_pending_table(con)
    select, tag_params = _focus_select(policy, dimension)
    full = scope is None or not _table_matches_model(con, select, tag_params)
    with transaction(con):
        if full:
            con.execute(f"create or replace table {FOCUS_TABLE} as {select}", tag_params)
            clear_pending(con, None)
            pause_point("rebuild:before_commit")
            row = con.execute(f"select count(*) from {FOCUS_TABLE}").fetchone()
            return int(row[0]) if row else 0
        pairs = set(scope or [])
        periods_by_source: dict[str, list[date]] = {}
        for source, period in sorted(pairs):
            periods_by_source.setdefault(source, []).append(period)
        written = 0
        for source, periods in periods_by_source.items():
            # One statement per source; the IN list of bound values lets DuckDB push the
            # filter down to the raw tables instead of rebuilding every source.
            marks = ", ".join("?" for _ in periods)
            where = f"where x_SourceName = ? and BillingPeriodStart in ({marks})"
            params = [source, *periods]
            con.execute(f"delete from {FOCUS_TABLE} {where}", params)
            row = con.execute(
                f"insert into {FOCUS_TABLE} select * from ({select}) {where}", tag_params + params
            ).fetchone()
            written += int(row[0]) if row else 0
        clear_pending(con, pairs)
        pause_point("rebuild:before_commit")
        return written


def rebuild_changed(
    con: duckdb.DuckDBPyConnection,
    changed: Iterable[tuple[str, date]],
    policy: TagPolicy | None = None,
) -> tuple[int, set[tuple[str, date]]]:
    """Rebuild what a run changed plus whatever an interrupted run left pending.

    Returns the rows written and the pending pairs this run finished for someone else."""
    changed = set(changed)
    left_over = pending_pairs(con) - changed
    pairs = changed | left_over
    return (build_focus_costs(con, pairs, policy) if pairs else 0), left_over


def build_focus_month(
    con: duckdb.DuckDBPyConnection, period: date, policy: TagPolicy | None = None
) -> int:
    """Rebuild one billing month for every source (the Dagster partition of focus_costs)."""
    sources = loaded_sources(con, period)
    stale = (
        con.execute(
            f"select distinct x_SourceName from {FOCUS_TABLE} where BillingPeriodStart = ?",
            [period],
        ).fetchall()
        if table_exists(con, FOCUS_TABLE)
        else []
    )
    pairs = {(s, period) for s in sources} | {(row[0], period) for row in stale}
    return build_focus_costs(con, pairs | pending_pairs(con, period), policy)


def loaded_sources(con: duckdb.DuckDBPyConnection, period: date | None = None) -> list[str]:
    from finops_pipeline.ingest.raw_tables import raw_tables

    ensure_raw_tables(con)
    names: set[str] = set()
    for table in raw_tables():
        if period is None:
            rows = con.execute(f"select distinct x_source_name from {table}").fetchall()
        else:
            rows = con.execute(
                f"select distinct x_source_name from {table} where x_billing_period = ?", [period]
            ).fetchall()
        names.update(r[0] for r in rows)
    return sorted(names)


def loaded_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Billing months present in any raw table, oldest first."""
    from finops_pipeline.ingest.raw_tables import raw_tables

    ensure_raw_tables(con)
    union = " union ".join(f"select distinct x_billing_period from {t}" for t in raw_tables())
    return [
        row[0] for row in con.execute(f"select * from ({union}) order by 1").fetchall() if row[0]
    ]
