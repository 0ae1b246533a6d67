"""CTE hoisting for Spark (engines/spark_sql.py): every CTE moved to one top-level WITH,
names reused by inlined models (`params` in each waste check) renamed in their own scope.
Checked on DuckDB: the hoisted statement must give the rows the nested one gives."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from finops_pipeline.engines.spark_sql import _hoist_ctes

CASES = [
    # the same name in two inlined models, one qualified by the CTE's name
    "select * from (with params as (select 1 as a), x as (select a from params) select * "
    "from x) as m union all select * from (with params as (select 2 as a) select params.a "
    "from params) as n",
    # a CTE's body with its own WITH reusing an outer name; the outer one still read after it
    "with params as (select 10 as a), y as (with params as (select 20 as a) select a from "
    "params) select params.a + y.a as s from params, y",
    # nested twice, the innermost read by the middle one
    "with a as (with b as (with c as (select 3 as v) select v * 2 as v from c) select v + 1 "
    "as v from b) select v from a",
]


@pytest.mark.parametrize("sql", CASES)
def test_hoisted_ctes_give_the_same_rows(sql: str) -> None:
    hoisted = _hoist_ctes(sqlglot.parse_one(sql, read="duckdb"))
    nested = [w for w in hoisted.find_all(sqlglot.exp.With) if w is not hoisted.args["with_"]]
    assert nested == []
    names = [cte.alias_or_name for cte in hoisted.args["with_"].expressions]
    assert len(names) == len(set(names))
    assert sorted(duckdb.sql(hoisted.sql("duckdb")).fetchall()) == sorted(
        duckdb.sql(sql).fetchall()
    )
