"""The Spark engine on a real local[2] Spark: one shared session (tests/spark/conftest.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import pytest

from finops_pipeline.engines.spark_session import schema_of
from finops_pipeline.engines.spark_sql import to_spark

pytestmark = pytest.mark.spark


def test_session_keeps_money_exact(spark) -> None:
    """Spark's default rounds decimal(38,12) x decimal(38,12) to decimal(38,6); the engine's
    session keeps DuckDB's decimal(38,24), and a division by zero fails as in DuckDB."""
    row = spark.sql(
        "select cast(1.123456789012 as decimal(38,12)) * cast(3.000000000001 as decimal(38,12))"
        " as product"
    )
    assert str(row.schema["product"].dataType) == "DecimalType(38,24)"
    assert row.collect()[0].product == Decimal("3.370370367037123456789012")
    with pytest.raises(Exception, match="DIVIDE_BY_ZERO"):
        spark.sql("select 1 / 0 as x").collect()


def _duck_rows(sql: str) -> list[tuple]:
    return sorted(duckdb.sql(sql).fetchall(), key=repr)


def _spark_rows(spark, sql: str) -> list[tuple]:
    spark_sql = to_spark(sql, schema_of(spark))
    return sorted((tuple(row) for row in spark.sql(spark_sql).collect()), key=repr)


def test_division_is_in_double_as_in_duckdb(spark) -> None:
    sql = (
        "select cast(1 as decimal(38, 12)) / cast(3 as decimal(38, 12)) as a, "
        "cast(2.5 as decimal(38, 12)) / 7 as b, 7 / 2 as c"
    )
    assert _spark_rows(spark, sql) == _duck_rows(sql)


def test_union_by_name_fills_missing_columns_in_duckdb_order(spark) -> None:
    """Spark SQL has no UNION BY NAME; the rewrite asks Spark each branch's columns."""
    sql = """
        with
        a as (select 1 as x, 'p' as y),
        b as (select 'q' as y, cast(2.5 as decimal(38, 12)) as z),
        c as (select * from a union all by name select * from b union all by name select 3 as x)
        select * from c
    """
    duck = duckdb.sql(sql)
    assert [d[0] for d in duck.description] == ["x", "y", "z"]
    assert _spark_rows(spark, sql) == _duck_rows(sql)


def test_json_object_becomes_the_same_json(spark) -> None:
    """The same document (compared parsed: the engines format decimals differently)."""
    sql = (
        "select json_object('Elements', [json_object('Ratio', cast(0.25 as decimal(38, 12)),"
        " 'Unit', 'Hrs', 'Nothing', cast(null as varchar))]) as j"
    )
    duck = json.loads(duckdb.sql(sql).fetchall()[0][0])
    spark_doc = json.loads(_spark_rows(spark, sql)[0][0])
    assert spark_doc["Elements"][0]["Unit"] == duck["Elements"][0]["Unit"] == "Hrs"
    assert Decimal(str(spark_doc["Elements"][0]["Ratio"])) == Decimal("0.25")
    assert Decimal(str(duck["Elements"][0]["Ratio"])) == Decimal("0.25")


def test_list_lambda_matches(spark) -> None:
    sql = (
        "select name, coalesce(list_bool_or(list_transform(['Amazon%', 'AWS%'], "
        "lambda e: name like e)), false) as hit from (select unnest(['AWS EMEA', 'Acme']) as name)"
    )
    assert _spark_rows(spark, sql) == _duck_rows(sql) == [("AWS EMEA", True), ("Acme", False)]
