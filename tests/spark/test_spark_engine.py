"""The Spark engine on a real local[2] Spark: one shared session (tests/spark/conftest.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.build_runner import Partition, Query, build_partition, use_engine
from finops_pipeline.core.focus import create_staging_views, load_service_categories
from finops_pipeline.core.reference import load_reference_tables
from finops_pipeline.engines.lake import publish_to_lake
from finops_pipeline.engines.spark_engine import SparkEngine
from finops_pipeline.engines.spark_session import schema_of
from finops_pipeline.engines.spark_sql import to_spark
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.warehouse import connect, read_sql

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


# -- the engine behind the build runner ------------------------------------------------------

FOCUS_CORE = "core/focus_costs.sql"


def _source_month(source: str, month: date) -> Partition:
    """The (source, billing period) partition core/focus.py rebuilds."""
    return Partition(
        "x_SourceName = $source and BillingPeriodStart = $month",
        {"source": source, "month": month},
    )


def _column_differences(got: duckdb.DuckDBPyRelation, expected: duckdb.DuckDBPyRelation) -> dict:
    """The first differing value of each column, rows matched after sorting each side."""
    got_rows = sorted(got.fetchall(), key=repr)
    expected_rows = sorted(expected.fetchall(), key=repr)
    assert len(got_rows) == len(expected_rows)
    differences: dict[str, tuple] = {}
    for got_row, expected_row in zip(got_rows, expected_rows, strict=True):
        for name, a, b in zip(expected.columns, got_row, expected_row, strict=True):
            if a != b:
                differences.setdefault(name, (a, b))
    return differences


def _files(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*.parquet")}


@pytest.fixture(scope="module")
def focus_sample(tmp_path_factory, shared_datasets: Path):
    """The FOCUS sample landed and staged by DuckDB; its staged rows published to a lake
    (the bridge until Spark lands and stages exports itself), and a second warehouse for
    the Spark build holding only the reference tables the model reads."""
    folder = tmp_path_factory.mktemp("spark_focus")
    duck = connect(folder / "duckdb.duckdb")
    ingest_and_refresh(
        duck, shared_datasets / "focus-sample-data" / "focus_sample.csv", source="focus-sample"
    )
    create_staging_views(duck)
    lake = str(folder / "lake")
    assert publish_to_lake(duck, lake, "stg_all") == 1000
    on_spark = connect(folder / "spark.duckdb")
    load_service_categories(on_spark)
    load_reference_tables(on_spark)
    yield duck, on_spark, lake
    duck.close()
    on_spark.close()


def test_focus_costs_on_spark_equals_duckdb_row_for_row(spark, focus_sample) -> None:
    """sql/core/focus_costs.sql through the runner on Spark, stored in the lake and read back
    through DuckDB's view: every row and column equal to DuckDB's, money exact."""
    duck, on_spark, lake = focus_sample
    with use_engine(SparkEngine(spark, lake)):
        written = build_partition(on_spark, table="focus_costs", model=FOCUS_CORE)
    assert written == 1000
    expected = duck.sql(read_sql(FOCUS_CORE))
    got = on_spark.sql("select * from focus_costs")
    assert got.columns == expected.columns
    assert _column_differences(got, expected) == {}
    money = on_spark.execute(
        "select typeof(BilledCost), sum(BilledCost) from focus_costs group by 1"
    ).fetchall()
    assert money == [("DECIMAL(38,12)", Decimal("20.520226728990"))]
    folders = sorted(p.relative_to(lake).as_posix() for p in Path(lake, "focus_costs").glob("*/*"))
    assert folders == [
        "focus_costs/lake_period=2024-09-01/lake_source=focus-sample",
        "focus_costs/lake_period=2024-10-01/lake_source=focus-sample",
    ]


def test_restated_month_replaces_only_its_partition(spark, focus_sample) -> None:
    duck, on_spark, lake = focus_sample
    engine = SparkEngine(spark, lake)
    table = Path(lake, "focus_costs")
    with use_engine(engine):
        build_partition(on_spark, table="focus_costs", model=FOCUS_CORE)
        september = {k: v for k, v in _files(table).items() if "2024-09-01" in k}
        october = _source_month("focus-sample", date(2024, 10, 1))
        # October restated to nothing: its folder goes, September's files are untouched.
        empty = Query(f"select * from ({read_sql(FOCUS_CORE)}) where false")
        assert build_partition(on_spark, table="focus_costs", model=empty, period=october) == 0
        assert _files(table) == september
        # Restated again, twice: the month comes back once (nothing doubled).
        for _ in range(2):
            assert (
                build_partition(on_spark, table="focus_costs", model=FOCUS_CORE, period=october)
                == 1
            )
    assert {k: v for k, v in _files(table).items() if "2024-09-01" in k} == september
    got = on_spark.execute(
        "select BillingPeriodStart, count(*), sum(BilledCost) from focus_costs group by 1 order by 1"
    ).fetchall()
    expected = duck.execute(
        f"select BillingPeriodStart, count(*), sum(BilledCost) from ({read_sql(FOCUS_CORE)}) "
        "group by 1 order by 1"
    ).fetchall()
    assert got == expected


def test_partition_keeps_rows_its_predicate_does_not_cover(spark, tmp_path) -> None:
    """A predicate finer than the lake's folders (one team of a month) replaces those rows
    only; the rest of the folder stays, as DuckDB's delete + insert would leave it."""
    con = connect(tmp_path / "w.duckdb")
    lake = str(tmp_path / "lake")
    model = Query(
        "select cast(m as date) as billing_month, team, cast(c as decimal(38, 12)) as cost "
        "from (values ('2025-01-01', 'a', 1.5), ('2025-01-01', 'b', 2.25), "
        "('2025-02-01', 'a', 4.0)) as t(m, team, c)"
    )
    restated = Query(
        "select cast('2025-01-01' as date) as billing_month, 'a' as team, "
        "cast(cost * 2 as decimal(38, 12)) as cost from (select cast(1.5 as decimal(38, 12)) as cost)"
    )
    one_team = Partition(
        "billing_month = $m and team = $t", {"m": date(2025, 1, 1), "t": "a"}, date(2025, 1, 1)
    )
    with use_engine(SparkEngine(spark, lake)):
        assert build_partition(con, table="team_costs", model=model) == 3
        assert build_partition(con, table="team_costs", model=restated, period=one_team) == 1
    rows = con.execute("select * from team_costs order by all").fetchall()
    assert rows == [
        (date(2025, 1, 1), "a", Decimal("3.000000000000")),
        (date(2025, 1, 1), "b", Decimal("2.250000000000")),
        (date(2025, 2, 1), "a", Decimal("4.000000000000")),
    ]
    con.close()
