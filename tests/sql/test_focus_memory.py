"""The focus_costs build keeps a month's charges out of hash tables (issue 16).

The normalised tags are joined back to the charges; DuckDB estimates as many distinct tag
sets as charges and, left alone, builds the join's hash table from the charges (every column
of the whole month): at 0.5M rows that outgrew a 500 MB memory limit. The build turns the
build/probe swap off for its statement, so the few tag sets are hashed and the charges stream.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.build_runner import named
from finops_pipeline.core.focus import _focus_select, build_focus_month, charges_never_hashed
from tests.sql.test_stg_aws_cur import load_rows


def _tag_join_types(con: duckdb.DuckDBPyConnection) -> list[str]:
    select, tag_params = _focus_select(None)
    sql, params = named(select, tag_params, prefix="tag")
    month = (
        f"select * from ({sql}) where x_SourceName = 'aws' and BillingPeriodStart = '2024-05-01'"
    )
    plan = con.execute(f"explain (format json) {month}", params).fetchall()[0][1]

    found: list[str] = []

    def walk(node: dict) -> None:
        extra = node.get("extra_info") or {}
        conditions = str(extra.get("Conditions", ""))
        if "Tags IS NOT DISTINCT FROM Tags" in conditions and "BillingPeriodStart" in conditions:
            found.append(str(extra.get("Join Type")))
        for child in node.get("children", []):
            walk(child)

    for node in json.loads(plan):
        walk(node)
    return found


def test_the_tag_sets_are_the_hashed_side(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path):
    con = load_rows(warehouse, tmp_path)
    # ~11k charges: from about this size DuckDB's estimates pick the charges as the build side
    con.execute("insert into raw_aws_cur select raw_aws_cur.* from raw_aws_cur, range(1000)")
    # Why the build needs the setting (if DuckDB learns to estimate distinct tag sets, this
    # fails and charges_never_hashed may go).
    assert _tag_join_types(con) == ["RIGHT"]
    with charges_never_hashed(con):
        # LEFT: the right side (the distinct tag sets) is built; RIGHT would hash the charges
        assert _tag_join_types(con) == ["LEFT"]


def test_the_optimizer_setting_is_restored(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path):
    con = load_rows(warehouse, tmp_path)
    con.execute("set disabled_optimizers = 'compressed_materialization'")
    build_focus_month(con, date(2024, 5, 1))
    setting = con.execute("select current_setting('disabled_optimizers')").fetchone()[0]
    assert setting == "compressed_materialization"
    assert con.execute("select count(*) from focus_costs").fetchone()[0] > 0
