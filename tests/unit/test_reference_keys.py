"""The reference tables have one value per key: the SQL that looks them up takes any_value()
per key (sql/core/focus_costs.sql, sql/staging/stg_aws__cur.sql), which is the same on every
engine and run only while that holds. A row added with a second value for a key fails here,
naming it, instead of making Spark's focus_costs differ from DuckDB's (issue 15)."""

from __future__ import annotations

import duckdb
import pytest

from finops_pipeline.core.focus import load_service_categories
from finops_pipeline.core.reference import load_reference_tables

LOOKUPS = {
    "ref_service_category": (
        "provider, lower(service_key)",
        "(service_category, service_subcategory)",
    ),
    "ref_pricing_unit": ("provider, unit", "focus_unit"),
    "ref_region": ("provider, lower(region_id)", "region_name"),
}


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_reference_tables(con)
    load_service_categories(con)
    return con


@pytest.mark.parametrize("table", sorted(LOOKUPS))
def test_one_value_per_looked_up_key(con: duckdb.DuckDBPyConnection, table: str) -> None:
    key, value = LOOKUPS[table]
    assert con.execute(f"select count(*) from {table}").fetchone()[0] > 0
    clashes = con.execute(
        f"select {key}, list(distinct {value}) from {table} group by all "
        f"having count(distinct {value}) > 1"
    ).fetchall()
    assert clashes == [], f"{table}: keys with more than one value: {clashes}"


def test_a_clash_would_be_found(con: duckdb.DuckDBPyConnection) -> None:
    """The check itself: a second region name for a region code is a clash."""
    con.execute("create temp table ref_region_copy as select * from ref_region")
    con.execute(
        "insert into ref_region_copy select provider, upper(region_id), region_name || ' (2)' "
        "from ref_region limit 1"
    )
    key, value = LOOKUPS["ref_region"]
    clashes = con.execute(
        f"select {key} from ref_region_copy group by all having count(distinct {value}) > 1"
    ).fetchall()
    assert len(clashes) == 1
