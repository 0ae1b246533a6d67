"""Load the tag policy into reference tables and build `tag_violations` / `tag_compliance`.

Split from normalise.py, which adds the normalised tag columns to focus_costs; this module
builds the marts that read them, one billing month (a Dagster partition) at a time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import duckdb

from finops_pipeline.build_runner import (
    Query,
    Target,
    build_partitions,
    month_partition,
    named,
    with_ephemeral,
)
from finops_pipeline.tagging.conditions import Match, compile_match
from finops_pipeline.tagging.policy import TagPolicy
from finops_pipeline.warehouse import read_sql, table_exists

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
    used. A key required by a match needs the policy: the match is compiled into the model
    (`violations_model`). A missing or outdated table makes it a full rebuild, so a table
    never holds one month alone. Returns the rows written per table.
    """
    if not all(table_exists(con, table) for table in MART_TABLES):
        period = None

    def load_policy(con: duckdb.DuckDBPyConnection) -> None:
        if policy is not None:
            load_policy_tables(con, policy, dimension)
        elif not table_exists(con, "ref_tag_keys"):
            load_policy_tables(con, None, dimension)
        scoped = con.execute(
            "select canonical_key from ref_tag_keys where required_when = 'scoped'"
        ).fetchall()
        if scoped and policy is None:
            names = ", ".join(row[0] for row in scoped)
            raise ValueError(
                f"tag keys {names} are required by a match: pass the policy to evaluate it"
            )

    violations, params = violations_model(policy)
    compliance = Target("tag_compliance", "marts/tag_compliance.sql", ddl=_COMPLIANCE_DDL)
    targets = [Target("tag_violations", violations, params), compliance]
    following = _next_month(period)
    if following is not None and _month_rows(con, following):
        # The compliance model reads its own previous month (the table is declared first), so
        # the next month's trend columns are rebuilt after this month, in the same build.
        targets.append(replace(compliance, partition=month_partition(following)))
    written = build_partitions(con, targets, period, prepare=load_policy)
    if len(targets) == 3:
        written["tag_compliance"] = _month_rows(con, period)
    return written


def _next_month(period: date | None) -> date | None:
    if period is None:
        return None
    month = period.replace(day=1)
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_rows(con: duckdb.DuckDBPyConnection, month: date) -> int:
    return con.execute(
        "select count(*) from tag_compliance where billing_month = $m", {"m": month.replace(day=1)}
    ).fetchall()[0][0]


# In tag_violations.sql: the keys a `required:` match requires on a charge, none as written.
_NO_SCOPED_KEYS = "[]::varchar[] as scoped_keys"


def violations_model(policy: TagPolicy | None) -> tuple[str | Query, dict[str, Any]]:
    """tag_violations' model: the file, with the policy's `required:` matches compiled in
    place of its empty `scoped_keys` list (each a key when its match holds on the charge),
    so a scoped requirement is judged in the same statement, on either engine."""
    model = "marts/tag_violations.sql"
    scoped = [
        (key, spec.required)
        for key, spec in (policy.keys.items() if policy else ())
        if isinstance(spec.required, Match)
    ]
    if not scoped:
        return model, {}
    sql = with_ephemeral(read_sql(model))
    if sql.count(_NO_SCOPED_KEYS) != 1:
        raise ValueError(f"{model} must list `{_NO_SCOPED_KEYS}` once, in its charges")
    cases: list[str] = []
    positional: list[Any] = []
    for key, match in scoped:
        condition, bound = compile_match(match, qualifier="f")
        cases.append(f"case when {condition} then ? end")
        positional += [*bound, key]
    keys = f"list_filter([{', '.join(cases)}], lambda k: k is not null) as scoped_keys"
    text, params = named(sql.replace(_NO_SCOPED_KEYS, keys), positional, prefix="scope")
    return Query(text), params


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
