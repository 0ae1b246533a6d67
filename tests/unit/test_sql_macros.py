"""sql/macros.sql written out in place for Spark (engines/sql_macros.py), checked without
Spark: the inlined SQL run on DuckDB *without* the macros gives what the macro call gives
on a connection that has them."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from finops_pipeline.build_runner import ensure_macros
from finops_pipeline.engines.sql_macros import inline_macros, macros, parse_macros

ROWS = """
    from (values
        ('i-1', 'AWS', '111', 'EC2', 'sku1', ' {"a":"1"} ', timestamp '2026-03-17 10:00', 2.50),
        (null, 'AWS', '111', 'EC2', null, '', timestamp '2026-03-01 00:00', 1.25),
        (null, null, null, 'S3', 'sku9', '"team": "x"', timestamp '2026-02-28 23:59', 0.75)
    ) as t(ResourceId, ProviderName, SubAccountId, ServiceName, SkuId, Tags, ts, cost)
"""


def _inlined(sql: str) -> str:
    return inline_macros(sqlglot.parse_one(sql, read="duckdb")).sql("duckdb")


def _with_macros() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_macros(con)
    return con


@pytest.mark.parametrize(
    "sql",
    [
        "select finops_resource_key(ResourceId, ProviderName, SubAccountId, ServiceName, SkuId)"
        f" as k {ROWS}",
        f"select finops_month(ts) as m, finops_blank(Tags) as b {ROWS}",
        f"select finops_json_text(Tags) as j, finops_azure_tags_text(Tags) as a {ROWS}",
        "select unnest(finops_waste_resource(finops_month(ts), ProviderName, ResourceId, "
        f"SkuId, SubAccountId, ServiceName, Tags, cost)) {ROWS} "
        "group by finops_month(ts), ProviderName, ResourceId, SkuId",
        f"select finops_waste_share_of(cost, 0.25) as s {ROWS}",
    ],
)
def test_inlined_sql_runs_without_the_macros_and_gives_the_same_rows(sql: str) -> None:
    inlined = _inlined(sql)
    assert "finops_" not in inlined.lower()
    expected = sorted(_with_macros().sql(sql).fetchall(), key=repr)
    assert sorted(duckdb.connect().sql(inlined).fetchall(), key=repr) == expected
    assert expected  # the cases return rows


def test_a_macro_calling_a_macro_is_written_out_to_the_end() -> None:
    """finops_money calls finops_blank and finops_money_try: none of the three remains."""
    inlined = _inlined("select finops_money(x) as m from (values ('1.5'), (' ')) as t(x)")
    assert "finops_" not in inlined.lower()
    rows = duckdb.connect().sql(inlined).fetchall()
    assert rows == [(pytest.approx(1.5),), (None,)]


def test_the_body_keeps_its_precedence() -> None:
    """`not finops_blank(x)` must negate the whole body `x is null or trim(x) = ''`, not its
    first term: the body is inlined in parentheses."""
    inlined = _inlined("select not finops_blank(x) as filled from (values (null), ('a')) t(x)")
    assert duckdb.connect().sql(inlined).fetchall() == [(False,), (True,)]


def test_every_macro_of_the_file_is_read() -> None:
    names = set(macros())
    assert {"finops_blank", "finops_resource_key", "finops_waste_resource"} <= names
    assert macros()["finops_resource_key"].params == (
        "resource_id",
        "provider",
        "sub_account_id",
        "service",
        "sku",
    )


def test_a_wrong_number_of_arguments_is_named() -> None:
    known = parse_macros("create or replace macro twice(x) as x * 2;")
    with pytest.raises(ValueError, match="twice takes 1 arguments, got 2"):
        inline_macros(sqlglot.parse_one("select twice(1, 2)", read="duckdb"), known)


def test_text_that_is_not_a_macro_is_refused() -> None:
    with pytest.raises(ValueError, match="not a macro definition"):
        parse_macros("create table t (x int);")
