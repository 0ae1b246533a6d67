"""Load the tag policy into reference tables and build `tag_violations` / `tag_compliance`.

Split from normalise.py, which adds the normalised tag columns to focus_costs; this module
builds the marts that read them, one billing month (a Dagster partition) at a time.
"""

from __future__ import annotations

from datetime import date

import duckdb

from finops_pipeline.build_runner import Partition, Target, build_partitions
from finops_pipeline.tagging.conditions import Match, compile_match
from finops_pipeline.tagging.policy import TagPolicy
from finops_pipeline.warehouse import table_exists

_POLICY_TABLES = {
    "ref_tag_settings": "fold_case boolean, aws_user_prefix boolean, dimension varchar",
    "ref_tag_keys": (
        "canonical_key varchar, required_when varchar, allowed_values varchar[], "
        "pattern varchar, expected varchar, is_dimension boolean"
    ),
    "ref_tag_aliases": "spelling varchar, canonical_key varchar, is_exact boolean",
    "ref_tag_value_aliases": "canonical_key varchar, folded_value varchar, value varchar",
}
MART_TABLES = ("tag_violations", "tag_compliance")


def load_policy_tables(
    con: duckdb.DuckDBPyConnection, policy: TagPolicy | None, dimension: str = "team"
) -> None:
    """Replace the ref_tag_* tables with `policy` (empty tables when there is none).

    ref_tag_aliases holds every folded spelling of a key (is_exact false, for lookups) and
    the spellings that are the key itself (is_exact true: no rename needed).
    """
    for table, columns in _POLICY_TABLES.items():
        con.execute(f"create or replace table {table} ({columns})")
    if policy is None:
        return
    con.execute(
        "insert into ref_tag_settings values (?, ?, ?)",
        [policy.fold_case, policy.aws_user_prefix, dimension],
    )
    keys = []
    for key, spec in policy.keys.items():
        scoped = not isinstance(spec.required, bool)
        when = "scoped" if scoped else ("always" if spec.required else "never")
        expected = None if spec.values.expected() == "any value" else spec.values.expected()
        values = spec.values
        keys.append((key, when, values.allowed, values.pattern, expected, key == dimension))
    # DuckDB 2 rejects executemany with no rows (a policy without value aliases has none).
    if keys:
        con.executemany("insert into ref_tag_keys values (?, ?, ?, ?, ?, ?)", keys)
    spellings = [(s, k, False) for s, k in policy.key_spellings().items()]
    spellings += [(s, k, True) for s, k in policy.exact_key_spellings().items()]
    if spellings:
        con.executemany("insert into ref_tag_aliases values (?, ?, ?)", spellings)
    values = [(*folded.split("\x1f", 1), value) for folded, value in policy.value_map().items()]
    if values:
        con.executemany("insert into ref_tag_value_aliases values (?, ?, ?)", values)


def build_tag_marts(
    con: duckdb.DuckDBPyConnection,
    period: date | None,
    policy: TagPolicy | None = None,
    dimension: str = "team",
) -> dict[str, int]:
    """Rebuild tag_violations and tag_compliance for one billing month (or all), atomically.

    With `policy`, the ref_tag_* tables are reloaded first; without, the loaded ones are
    used. A key required by a match needs the policy: its rows are found here, with bound
    parameters, into tmp_tag_scope. A missing or outdated table makes it a full rebuild, so a
    table never holds one month alone. Returns the rows written per table.
    """
    if not all(table_exists(con, table) for table in MART_TABLES):
        period = None

    def load_policy(con: duckdb.DuckDBPyConnection) -> None:
        if policy is not None:
            load_policy_tables(con, policy, dimension)
        elif not table_exists(con, "ref_tag_keys"):
            load_policy_tables(con, None, dimension)
        con.execute(_SCOPE_DDL)

    def scope(con: duckdb.DuckDBPyConnection, partition: Partition) -> None:
        _scope_rows(con, partition.period, policy)

    def next_month_trend(con: duckdb.DuckDBPyConnection, partition: Partition) -> None:
        if partition.period is not None:
            for statement in _NEXT_MONTH_TREND:
                con.execute(statement, {"period": partition.period})
        con.execute("drop table if exists tmp_tag_scope")

    targets = [
        Target("tag_violations", "marts/tag_violations.sql"),
        # The compliance model reads its own previous month: the table is declared first.
        Target("tag_compliance", "marts/tag_compliance.sql", ddl=_COMPLIANCE_DDL),
    ]
    return build_partitions(
        con,
        targets,
        period,
        prepare=load_policy,
        before_fill=scope,
        finish=next_month_trend,
    )


def _scope_rows(
    con: duckdb.DuckDBPyConnection, period: date | None, policy: TagPolicy | None
) -> None:
    scoped = con.execute(
        "select canonical_key from ref_tag_keys where required_when = 'scoped'"
    ).fetchall()
    if not scoped:
        return
    if policy is None:
        names = ", ".join(row[0] for row in scoped)
        raise ValueError(
            f"tag keys {names} are required by a match: pass the policy to evaluate it"
        )
    for key, spec in policy.keys.items():
        if isinstance(spec.required, Match):
            condition, params = compile_match(spec.required, qualifier="f")
            con.execute(
                "insert into tmp_tag_scope select f.rowid, ? from focus_costs as f "
                f"where (cast(? as date) is null or f.BillingPeriodStart = cast(? as date)) and {condition}",
                [key, period, period, *params],
            )


# Rows of focus_costs (by rowid, stable within the build's transaction) where a key with a
# `required:` match is required.
_SCOPE_DDL = "create or replace temp table tmp_tag_scope (row_id bigint, canonical_key varchar)"

# The compliance model reads its own previous month, so the table must exist before it runs.
_COMPLIANCE_DDL = """
create table if not exists tag_compliance (
    billing_month date, provider varchar, sub_account_id varchar, sub_account_name varchar,
    team varchar, billing_currency varchar, total_effective_cost decimal(38, 12),
    compliant_effective_cost decimal(38, 12), share_cost_compliant double, resources bigint,
    compliant_resources bigint, share_resources_compliant double,
    share_cost_compliant_prev_month double, change_pts double
)
"""

# Rebuilding a month changes the next month's trend columns.
_NEXT_MONTH_TREND = (
    """
update tag_compliance
set share_cost_compliant_prev_month = null, change_pts = null
where billing_month = cast(cast($period as date) + interval 1 month as date)
""",
    """
update tag_compliance as t
set share_cost_compliant_prev_month = p.share_cost_compliant,
    change_pts = round((t.share_cost_compliant - p.share_cost_compliant) * 100, 4)
from (select * from tag_compliance where billing_month = $period) as p
where t.billing_month = cast(p.billing_month + interval 1 month as date)
    and t.provider is not distinct from p.provider
    and t.sub_account_id is not distinct from p.sub_account_id
    and t.team = p.team
    and t.billing_currency is not distinct from p.billing_currency
""",
)
