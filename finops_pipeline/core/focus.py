"""Build `focus_costs` from the staging views, whole or one (source, billing period) at a time.

The staging views are the files in `sql/staging/`; `stg_all` is their union by name, so a
new provider mapping is one new SQL file. A rebuild of a period deletes and inserts it in
one transaction, so readers never see a half-built month.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from finops_pipeline.build_runner import (
    DriverStep,
    Partition,
    Query,
    Target,
    build_partitions,
    current_engine,
    execute,
    named,
)
from finops_pipeline.core.reference import load_reference_tables
from finops_pipeline.ingest.pause import pause_point
from finops_pipeline.ingest.pending import clear_pending, ensure_pending_table, pending_pairs
from finops_pipeline.ingest.raw_tables import ensure_raw_tables
from finops_pipeline.tagging.normalise import (
    TAG_KEYS,
    TAG_SET_KEYS,
    TAG_SETS,
    tag_sets_apart,
    with_tag_columns,
)
from finops_pipeline.tagging.policy import TagPolicy
from finops_pipeline.warehouse import SQL_DIR, checkpoint_written, read_sql, table_exists

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


def focus_model(
    policy: TagPolicy | None = None, dimension: str = "team"
) -> tuple[Query, dict[str, Any]]:
    """The focus_costs model as the build runner takes it, with its named parameters.

    DuckDB runs it in one statement; another engine (Spark) runs the same model with the
    tag sets as a driver step: the distinct (period, tags) of the month's charges collected,
    normalised by DuckDB, and joined back on the engine (tagging/normalise.py)."""
    core = read_sql("core/focus_costs.sql")
    select, tag_params = _focus_select(policy, dimension)
    sql, params = named(select, tag_params, prefix="tag")
    sets, joined = tag_sets_apart(core, policy, dimension)
    sets_sql, sets_params = named(*sets, prefix="tag_set")
    joined_sql, joined_params = named(*joined, prefix="tag_join")
    step = DriverStep(TAG_SETS, core, TAG_SET_KEYS, TAG_KEYS, sets_sql)
    query = Query(sql, engine_sql=joined_sql, driver=(step,))
    return query, {**params, **sets_params, **joined_params}


def build_focus_costs(
    con: duckdb.DuckDBPyConnection,
    scope: Iterable[tuple[str, date]] | None = None,
    policy: TagPolicy | None = None,
    dimension: str = "team",
) -> int:
    """Rebuild focus_costs: all of it, or only the given (source, billing period) pairs.

    Returns the number of rows written. A changed model (new column) forces a full rebuild
    (the build runner), as does a missing table. A changed tag policy needs a full rebuild
    too (`finops run` does one per month). The pairs rebuilt leave `pending_rebuild` in the
    same transaction (see ingest/pending.py).
    """
    create_staging_views(con)
    ensure_pending_table(con)
    model, params = focus_model(policy, dimension)
    pairs = set(scope or [])
    periods_by_source: dict[str, list[date]] = {}
    for source, period in sorted(pairs):
        periods_by_source.setdefault(source, []).append(period)
    # One statement per source; the IN list of bound values lets DuckDB push the filter down
    # to the raw tables instead of rebuilding every source.
    parts = [_source_periods(i, s, p) for i, (s, p) in enumerate(periods_by_source.items())]
    targets = [Target(FOCUS_TABLE, model, params, part) for part in parts]
    # What the build covers, as one predicate (the hooks' view; no pairs: nothing).
    covered = Partition(
        " or ".join(f"({part.where})" for part in parts) or "false",
        {name: value for part in parts for name, value in part.params.items()},
    )
    whole = scope is None or not table_exists(con, FOCUS_TABLE)

    def finish(con: duckdb.DuckDBPyConnection, partition: Partition) -> None:
        clear_pending(con, None if partition.whole else pairs)
        pause_point("rebuild:before_commit")

    if whole or not targets:  # no pairs: only the schema check (an outdated table: all)
        targets = [Target(FOCUS_TABLE, model, params)]
    replaces = _has_rows(con, None if whole else covered)
    with charges_never_hashed(con):
        written = build_partitions(con, targets, None if whole else covered, finish=finish)
    if current_engine() is None:
        checkpoint_written(con, deleted=replaces)
    return written[FOCUS_TABLE]


def _has_rows(con: duckdb.DuckDBPyConnection, scope: Partition | None) -> bool:
    """Whether focus_costs has rows the build replaces (`scope` None: any row)."""
    if current_engine() is not None or not table_exists(con, FOCUS_TABLE):
        return False
    where = "" if scope is None else f" where {scope.where}"
    sql = f"select exists(select 1 from {FOCUS_TABLE}{where})"
    row = execute(con, sql, scope.params if scope else None).fetchone()
    return bool(row and row[0])


@contextmanager
def charges_never_hashed(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep the month's charge lines on the probe side of the tag join.

    The normalised tags are joined back to the charges on (BillingPeriodStart, Tags); DuckDB
    estimates the distinct tag sets as many as the charges and so builds its hash table from
    the charges (80 columns, the whole month) instead of the few tag sets: at 0.5M rows that
    alone outgrew a 500 MB memory limit ("failed to pin block", issue 16). Without the
    build/probe swap the left join builds from its right side, the distinct tag sets, and
    the charges stream through.
    """
    row = con.execute("select current_setting('disabled_optimizers')").fetchone()
    before = str(row[0]) if row and row[0] else ""
    names = [n for n in before.split(",") if n.strip()]
    con.execute(
        "set disabled_optimizers = " + _literal(",".join([*names, "build_side_probe_side"]))
    )
    try:
        yield
    finally:
        con.execute("set disabled_optimizers = " + _literal(before))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _source_periods(index: int, source: str, periods: list[date]) -> Partition:
    names = [f"partition_{index}_period_{i}" for i in range(len(periods))]
    marks = ", ".join(f"${name}" for name in names)
    return Partition(
        f"x_SourceName = $partition_{index}_source and BillingPeriodStart in ({marks})",
        {f"partition_{index}_source": source, **dict(zip(names, periods, strict=True))},
    )


def rebuild_changed(
    con: duckdb.DuckDBPyConnection,
    changed: Iterable[tuple[str, date]],
    policy: TagPolicy | None = None,
) -> tuple[int, set[tuple[str, date]]]:
    """Rebuild what a run changed plus whatever an interrupted run left pending.

    Returns the rows written and the pending pairs this run finished for someone else."""
    changed = set(changed)
    left_over = pending_pairs(con) - changed
    return build_focus_pending(con, policy=policy, also=changed), left_over


def build_focus_pending(
    con: duckdb.DuckDBPyConnection,
    months: Iterable[date] | None = None,
    policy: TagPolicy | None = None,
    *,
    also: Iterable[tuple[str, date]] = (),
) -> int:
    """Rebuild the (source, billing period) pairs `pending_rebuild` holds for `months` (None:
    every month), plus the pairs `also`, in one transaction; the rows written (0: nothing
    pending, nothing done).

    What the focus_costs asset does after a load (run tag `core.assets.FOCUS_SCOPE_TAG`, see
    orchestration/month_runner.refresh_focus_range): a landing records its pairs as pending
    in its own transaction, so this rebuilds exactly what the load changed and what an
    interrupted load left behind, not whole months of every source. The library's
    `refresh.refresh_focus` calls it directly (no Dagster run per load in the tests)."""
    chosen = None if months is None else set(months)
    pairs = {p for p in pending_pairs(con) if chosen is None or p[1] in chosen} | set(also)
    return build_focus_costs(con, pairs, policy) if pairs else 0


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
