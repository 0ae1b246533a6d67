"""The Spark engine on a real local[2] Spark: one shared session (tests/spark/conftest.py)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from finops_pipeline.anomalies.build import build_cost_anomalies
from finops_pipeline.build_runner import (
    Partition,
    Query,
    bound,
    build_partition,
    ensure_macros,
    use_engine,
)
from finops_pipeline.core.focus import (
    create_staging_views,
    focus_model,
    load_service_categories,
)
from finops_pipeline.core.reference import load_reference_tables
from finops_pipeline.engines.lake import create_duckdb_views, publish_to_lake
from finops_pipeline.engines.settings import EngineSection, SparkSettings
from finops_pipeline.engines.spark_engine import SparkEngine
from finops_pipeline.engines.spark_session import schema_of
from finops_pipeline.engines.spark_sql import to_spark
from finops_pipeline.forecast.budgets import build_budget_variance
from finops_pipeline.forecast.build import build_cost_forecast
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.resources import WarehouseResource, billing_months
from finops_pipeline.showback.allocate import build_showback
from finops_pipeline.tagging.conditions import Match
from finops_pipeline.tagging.marts import build_tag_marts
from finops_pipeline.tagging.policy import TagPolicy
from finops_pipeline.unit_costs.build import build_unit_costs
from finops_pipeline.warehouse import connect, read_sql
from finops_pipeline.waste.assets import build_waste_asset
from finops_pipeline.waste.build import build_waste_findings
from tests.fixtures.demo_warehouse import CLOSED_MONTH, build_demo_warehouse
from tests.spark.compared_tables import BUILT_TABLES, PER_BUILD_COLUMNS
from tests.unit.test_sql_macros import ROWS as MACRO_ROWS  # the same rows as without Spark

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


@pytest.mark.parametrize(
    "sql",
    [
        "select finops_resource_key(ResourceId, ProviderName, SubAccountId, ServiceName, SkuId)"
        f" as k, finops_month(ts) as m {MACRO_ROWS}",
        f"select finops_json_text(Tags) as j, finops_azure_tags_text(Tags) as a {MACRO_ROWS}",
        "select unnest(finops_waste_resource(finops_month(ts), ProviderName, ResourceId, "
        f"SkuId, SubAccountId, ServiceName, Tags, cost)) {MACRO_ROWS} "
        "group by finops_month(ts), ProviderName, ResourceId, SkuId",
        f"select finops_waste_share_of(cost, 0.25) as s {MACRO_ROWS}",
    ],
)
def test_macros_give_duckdbs_rows(spark, sql: str) -> None:
    """sql/macros.sql written out in place (Spark has no SQL macros), and a struct unnested
    into columns (the waste checks' shared columns), as DuckDB answers with the macros."""
    con = duckdb.connect()
    ensure_macros(con)
    expected = sorted(con.sql(sql).fetchall(), key=repr)
    assert expected
    assert _spark_rows(spark, sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        # options become inline flags; the default group is the whole match in DuckDB
        "select regexp_extract(d, '^commitment v1: (.+?) in ', 1, 'i') as region, "
        "regexp_extract(d, '[^ ]+$') as last from (values ('Commitment v1: A2 in Europe'), "
        "('commitment V1: n1 in asia'), ('none')) as t(d)",
        # NULL stays NULL, invalid text is false
        "select x, json_valid(x) as ok from (values ('{\"a\": 1}'), ('[1, 2]'), ('{a: 1'), "
        "(null)) as t(x)",
        # a model wrapped by the engine (`select * from (model) where ...`) keeps its CTEs in
        # scope for the BY NAME columns
        "select * from (with a as (select 1 as x, 'p' as y), b as (select 2 as x) "
        "select * from a union all by name select * from b) as tmp_model where x > 0",
        # list elements count from 1 in DuckDB (-1: the last), NULL out of range
        "select l[1] as first, l[-1] as last, l[5] as beyond, l[i] as at_i "
        "from (values ([10, 20, 30], 2), ([], 1)) as t(l, i)",
        # a division inside a division divides in DOUBLE too
        "select a / (b / c) as x from (values (cast(1 as decimal(38, 12)), "
        "cast(3 as decimal(38, 12)), cast(7 as decimal(38, 12)))) as t(a, b, c)",
        # json_type of arrays and objects, NULL for NULL
        "select x, json_type(x) as kind from (values ('[1, 2]'), ('{\"a\": 1}'), (null)) as t(x)",
        # FOCUS key/value tag lists: from_json's structure, the first of each key kept
        # (list_position and DuckDB's 1-based lambda index), as one JSON object
        "select x, cast(to_json(map_from_entries(list_transform(list_filter(l, "
        "lambda t, i: t.key is not null and "
        "list_position(list_transform(l, lambda u: u.key), t.key) = i), "
        "lambda t: struct_pack(k := t.key, v := t.value)))) as varchar) as tags "
        "from (select x, case when json_type(x) = 'ARRAY' "
        'then from_json(x, \'[{"key": "VARCHAR", "value": "VARCHAR"}]\') end as l '
        'from (values (\'[{"key": "a", "value": "1"}, {"key": "b", '
        '"value": "2"}, {"key": "a", "value": "3"}]\'), '
        '(\'[{"key": "c", "value": "4"}]\')) as t(x))',
        # json_merge_patch of label objects: DuckDB's key order, a null removes, NULL stays NULL
        "select json_merge_patch(coalesce(a, '{}'), b, c) as merged from (values "
        """('{"z": "1", "a": "2"}', '{"m": "3", "z": "9"}', '{"a": null, "q": "x"}'), """
        """(null, '{"k.dotted/key": "v"}', '{}'), ('{}', '{}', '{}'), """
        """('{"a": "1"}', null, '{}')) as t(a, b, c)""",
        # a flat object's keys and values in document order, zipped by two unnests (a
        # number as its text, a JSON null as NULL); a non-object has none
        "select x, unnest(json_keys(x)) as k, unnest(json_extract_string(x, '$.*')) as v "
        """from (values ('{"z": "1", "a": 2, "m": null}'), ('{"b": ""}'), ('[1]')) as t(x)""",
        # * REPLACE written out as the source's columns, each replaced one in its place
        "with a as (select 1 as x, 2 as y, 'k' as z), "
        "b as (select * replace (x + 10 as x, 'r' as z), 'new' as w from a where y = 2) "
        "select * from b union all by name select 5 as y",
    ],
)
def test_rewrites_give_duckdbs_rows(spark, sql: str) -> None:
    assert _spark_rows(spark, sql) == _duck_rows(sql)


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


# A policy that acts on the FOCUS sample's own tags: key and value aliases, allowed values,
# an inherited default from a column, a virtual tag read from a normalised tag, an exemption.
SAMPLE_POLICY = TagPolicy.model_validate(
    {
        "keys": {
            "application": {
                "aliases": ["ComputeType"],
                "values": {"aliases": {"ZoomMapMax": "zoom"}},
            },
            "env": {"aliases": ["environment"], "values": {"allowed": ["prod", "dev"]}},
            "project": {"aliases": ["Project"]},
        },
        "inheritance": [
            {
                "level": "sub_account",
                "match": {"all": [{"column": "ServiceName", "like": "Amazon Elastic%"}]},
                "tags": {"application": "compute", "project": "shared"},
            }
        ],
        "virtual_tags": [
            {
                "name": "prod-pool",
                "match": {"all": [{"column": "tag:env", "equals": "prod"}]},
                "tags": {"application": "prod-pool"},
            }
        ],
        "exemptions": [
            {
                "name": "vpc",
                "match": {"all": [{"column": "ServiceName", "like": "%Virtual Private%"}]},
            }
        ],
    }
)


@pytest.mark.parametrize("policy", [None, SAMPLE_POLICY], ids=["no-policy", "policy"])
def test_focus_costs_tag_columns_on_spark_equal_duckdb(spark, focus_sample, policy) -> None:
    """focus_costs with its four tag columns (the tag sets normalised by DuckDB on the
    driver from the distinct tag sets Spark collects, joined back on Spark), one month at a
    time: every row and column equal to DuckDB's single-statement build."""
    duck, on_spark, lake = focus_sample
    model, params = focus_model(policy, dimension="application")
    table = f"tagged_{'policy' if policy else 'none'}"
    months = [
        d
        for (d,) in duck.execute(
            "select distinct BillingPeriodStart::date from stg_all order by 1"
        ).fetchall()
    ]
    assert len(months) == 2
    with use_engine(SparkEngine(spark, lake)):
        for month in months:
            build_partition(
                on_spark,
                table=table,
                model=model,
                params=params,
                period=Partition("BillingPeriodStart = $month", {"month": month}),
            )
    query = f"select * from ({model.sql})"
    expected = duck.sql(query, params=bound(query, params)).to_arrow_table()
    got = on_spark.sql(f"select * from {table}")
    assert got.columns == expected.column_names
    assert [str(t).lower() for t in got.types[-4:]] == [
        "map(varchar, varchar)",
        "varchar",
        "varchar",
        "boolean",
    ]
    assert _column_differences(got, duck.sql("select * from expected")) == {}
    sources = dict(duck.sql("select x_TagSource, count(*) from expected group by 1").fetchall())
    if policy is not None:  # the policy's every path is taken on this sample
        assert {"tag", "alias", "inherited", "virtual"} <= set(sources)
        [(exempt,)] = duck.sql("select count(*) from expected where x_TagExempt").fetchall()
        assert exempt > 0


@pytest.fixture(scope="module")
def raw_exports(tmp_path_factory, shared_datasets: Path):
    """Real CUR, Azure, GCP and FOCUS exports landed by DuckDB, their raw tables published to a lake (the
    bridge until Spark lands exports itself). A raw table with no rows has no lake folder, so
    the Spark build finds it, empty, on its warehouse instead."""
    folder = tmp_path_factory.mktemp("spark_staging")
    duck = connect(folder / "duckdb.duckdb")
    for path, source in [
        (shared_datasets / "koku-aws" / "2022-07-01-alt-columns.csv", "koku-aws"),
        (shared_datasets / "koku-azure" / "azure_version_2.csv", "koku-azure"),
        (shared_datasets / "koku-gcp" / "tmp_example.csv", "koku-gcp"),
        (shared_datasets / "focus-sample-data" / "focus_sample.csv", "focus-sample"),
    ]:
        assert not ingest_and_refresh(duck, path, source=source).rejected
    create_staging_views(duck)
    lake = str(folder / "lake")
    on_spark = connect(folder / "spark.duckdb")
    load_reference_tables(on_spark)
    raw_tables = duck.execute(
        "select table_name from duckdb_tables() where table_name like 'raw_%'"
    ).fetchall()
    for (table,) in raw_tables:
        if publish_to_lake(duck, lake, table) == 0:
            empty = duck.sql(f"select * from {table}").to_arrow_table()  # noqa: F841
            on_spark.execute(f"create table {table} as select * from empty")
    yield duck, on_spark, lake
    duck.close()
    on_spark.close()


def _naive_utc(row: tuple) -> tuple:
    """Spark's TIMESTAMP is an instant: DuckDB reads it back as TIMESTAMPTZ, in UTC (the
    session's zone) at the same wall time as DuckDB's naive TIMESTAMP."""
    return tuple(
        v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v
        for v in row
    )


@pytest.mark.parametrize(
    "model", ["stg_aws__cur", "stg_azure__cost", "stg_gcp__billing", "stg_focus__export"]
)
def test_staging_on_spark_equals_duckdb_row_for_row(spark, raw_exports, model) -> None:
    """A staging model (`* REPLACE`, UNION BY NAME, regexp options, json_valid, FOCUS tag
    lists, list elements counted from 1 ...) built on Spark from the raw rows: every column and value equal to DuckDB's view, money exact."""
    duck, on_spark, lake = raw_exports
    [(rows,)] = duck.execute(f"select count(*) from {model}").fetchall()
    assert rows > 0
    with use_engine(SparkEngine(spark, lake)):
        assert (
            build_partition(on_spark, table=f"spark_{model}", model=f"staging/{model}.sql") == rows
        )
    got = on_spark.sql(f"select * from spark_{model}")
    expected = duck.sql(f"select * from {model}")
    assert got.columns == expected.columns
    got_rows = sorted(map(_naive_utc, got.fetchall()), key=repr)
    expected_rows = sorted(expected.fetchall(), key=repr)
    differing = {
        name: (a, b)
        for got_row, expected_row in zip(got_rows, expected_rows, strict=True)
        for name, a, b in zip(expected.columns, got_row, expected_row, strict=True)
        if a != b
    }
    assert differing == {}


# The restatement test replaces partitions of `focus_costs` with a narrow model over the same
# staged rows: what it proves is the lake's partition replacement (folders, files, nothing
# doubled), which does not depend on the model, and each Spark build of the full focus model
# costs 20-60 s on this machine (the equality test above builds it once).
NARROW_FOCUS = (
    "select BillingPeriodStart, x_SourceName, ChargeCategory, BilledCost, EffectiveCost "
    "from stg_all"
)


def test_restated_month_replaces_only_its_partition(spark, focus_sample, tmp_path) -> None:
    duck, on_spark, _ = focus_sample
    lake = str(tmp_path / "lake")
    assert publish_to_lake(duck, lake, "stg_all") == 1000
    table = Path(lake, "focus_costs")
    with use_engine(SparkEngine(spark, lake)):
        assert build_partition(on_spark, table="focus_costs", model=Query(NARROW_FOCUS)) == 1000
        september = {k: v for k, v in _files(table).items() if "2024-09-01" in k}
        assert september
        october = _source_month("focus-sample", date(2024, 10, 1))
        # October restated to nothing: its folder goes, September's files are untouched.
        empty = Query(f"select * from ({NARROW_FOCUS}) where false")
        assert build_partition(on_spark, table="focus_costs", model=empty, period=october) == 0
        assert _files(table) == september
        # Restated again, twice: the month comes back once (nothing doubled).
        for _ in range(2):
            assert (
                build_partition(
                    on_spark, table="focus_costs", model=Query(NARROW_FOCUS), period=october
                )
                == 1
            )
    assert {k: v for k, v in _files(table).items() if "2024-09-01" in k} == september
    got = on_spark.execute(
        "select BillingPeriodStart, count(*), sum(BilledCost) from focus_costs group by 1 order by 1"
    ).fetchall()
    expected = duck.execute(
        f"select BillingPeriodStart, count(*), sum(BilledCost) from ({NARROW_FOCUS}) "
        "group by 1 order by 1"
    ).fetchall()
    assert got == expected
    assert [count for _, count, _ in got] == [999, 1]


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


def test_a_table_without_rows_reads_with_its_columns(spark, tmp_path) -> None:
    """A table declared by its DDL exists, empty, before its first build (a model may read
    itself, as tag_compliance reads its previous month), and a build of no rows leaves a table
    of no rows: on Spark and through DuckDB's view, with DuckDB's types."""
    con = connect(tmp_path / "w.duckdb")
    lake = str(tmp_path / "lake")
    ddl = (
        "create table if not exists declared (billing_month date, cost decimal(38, 4), "
        "detail json, seen timestamp, tags varchar[])"
    )
    reads_itself = Query(
        "select billing_month, cost, detail, seen, tags from declared "
        "union all select cast('2025-01-01' as date), cast(1.25 as decimal(38, 4)), "
        "'{\"a\": 1}'::json, timestamp '2025-01-02 03:04:05', ['x'] "
        "from (select count(*) as n from declared) where n = 0"
    )
    nothing = Query(
        "select cast(m as date) as billing_month, cast(c as decimal(38, 12)) as cost "
        "from (values ('2025-01-01', 1.5)) as t(m, c) where c < 0"
    )
    with use_engine(SparkEngine(spark, lake)):
        assert build_partition(con, table="declared", model=reads_itself, ddl=ddl) == 1
        assert build_partition(con, table="nothing", model=nothing) == 0
    declared = con.sql("select * from declared")
    assert declared.types == ["DATE", "DECIMAL(38,4)", "JSON", "TIMESTAMP", "VARCHAR[]"]
    assert declared.fetchall() == [
        (date(2025, 1, 1), Decimal("1.2500"), '{"a": 1}', datetime(2025, 1, 2, 3, 4, 5), ["x"])
    ]
    empty = con.sql("select * from nothing")
    assert (empty.columns, empty.types) == (["billing_month", "cost"], ["DATE", "DECIMAL(38,12)"])
    assert empty.fetchall() == []
    con.close()


# -- the marts on Spark ------------------------------------------------------------------------

# Built for one month on Spark from the lake, in the asset graph's order (each reads the ones
# before it from the lake), compared with the DuckDB build of the same warehouse.
SPARK_MARTS = {
    "tags": ("tag_violations", "tag_compliance"),
    "waste": ("waste_findings",),
    "anomalies": ("cost_anomalies", "cost_anomaly_coverage"),
    "showback": ("allocation_ledger", "showback_monthly"),
    "unit_costs": ("unit_costs",),
    "forecast": ("cost_forecast",),
    "budgets": ("budget_variance",),
}
LAKE_TABLES = ("focus_costs", *(t for tables in SPARK_MARTS.values() for t in tables))


@pytest.fixture(scope="module")
def demo_lake(tmp_path_factory):
    """The small demo warehouse built by DuckDB (the Dagster job), and a copy whose derived
    tables live in a lake, with the closed month's partition folders of the marts removed so
    that Spark must build them again."""
    root = tmp_path_factory.mktemp("spark_marts")
    path, settings = build_demo_warehouse(root)
    spark_path = root / "spark.duckdb"
    shutil.copyfile(path, spark_path)
    on_spark = connect(spark_path)
    lake = str(root / "lake")
    for table in LAKE_TABLES:
        assert publish_to_lake(on_spark, lake, table) > 0
        on_spark.execute(f"drop table {table}")
    create_duckdb_views(on_spark, lake, LAKE_TABLES)
    month = date.fromisoformat(f"{CLOSED_MONTH}-01")
    for table in LAKE_TABLES[1:]:
        if table not in WHOLE_TABLE_MARTS:  # those the run replaces whole (asserted below)
            shutil.rmtree(Path(lake, table, f"lake_period={month}"))
    duck = connect(path)
    yield duck, on_spark, lake, settings, month
    duck.close()
    on_spark.close()


# Not partitioned by month: the anomaly run replaces every row up to its last complete day.
WHOLE_TABLE_MARTS = ("cost_anomalies", "cost_anomaly_coverage")
# Written with the build's clock, so never equal between two builds.
BUILD_TIME_COLUMNS = {"cost_anomalies": "updated_at"}


def _mart_rows(con: duckdb.DuckDBPyConnection, table: str) -> duckdb.DuckDBPyRelation:
    """Every row: the other months too, so a build that touched a month it should not (or
    missed the next month's compliance trend) fails."""
    exclude = f" exclude ({BUILD_TIME_COLUMNS[table]})" if table in BUILD_TIME_COLUMNS else ""
    return con.sql(f"select *{exclude} from {table}")


def test_marts_on_spark_equal_duckdb(spark, demo_lake) -> None:
    """The tag marts (a `required:` match compiled into the model; the next month's trend
    rebuilt), waste_findings, the anomalies (detection on the driver over daily aggregates; a Python
    model stored with its DDL's types), allocation_ledger, showback_monthly, unit_costs,
    cost_forecast and budget_variance for a month, built on Spark (their Python steps, the
    allocation rounding and the forecast fits, on the driver over aggregates), equal DuckDB's
    rows exactly, money and types included."""
    duck, on_spark, lake, settings, month = demo_lake
    # `app` required by a match (a tag read in it) on both engines: the compiled match on Spark
    policy = settings.tag_policy.model_copy(deep=True)
    policy.keys["app"].required = Match.model_validate(
        {
            "all": [{"column": "ProviderName", "in": ["Google Cloud", "Microsoft"]}],
            "any": [
                {"column": "tag:env", "is_null": False},
                {"column": "ChargeCategory", "equals": "Purchase"},
            ],
        }
    )
    build_tag_marts(duck, month, policy)
    scoped = "select count(*) from tag_violations where tag_key = 'app' and is_required"
    assert duck.sql(scoped).fetchall()[0][0] > 0  # the match requires app somewhere
    builds = {
        "tags": lambda: build_tag_marts(on_spark, month, policy),
        "waste": lambda: build_waste_findings(on_spark, month, settings.waste),
        "anomalies": lambda: build_cost_anomalies(on_spark, settings.anomalies),
        "showback": lambda: build_showback(on_spark, settings, month),
        "unit_costs": lambda: build_unit_costs(on_spark, settings, month),
        "forecast": lambda: build_cost_forecast(on_spark, settings, settings.forecast, month),
        "budgets": lambda: build_budget_variance(on_spark, settings.forecast, month),
    }
    with use_engine(SparkEngine(spark, lake)):
        for name in SPARK_MARTS:
            builds[name]()
    rewritten = on_spark.sql("select min(updated_at) from cost_anomalies").fetchall()[0][0]
    assert rewritten > duck.sql("select max(updated_at) from cost_anomalies").fetchall()[0][0]
    for table in (t for tables in SPARK_MARTS.values() for t in tables):
        if table not in WHOLE_TABLE_MARTS:
            assert Path(lake, table, f"lake_period={month}").is_dir(), table
        got = _mart_rows(on_spark, table)
        expected = _mart_rows(duck, table)
        assert got.columns == expected.columns, table
        assert got.types == expected.types, table
        expected_rows = sorted(expected.fetchall(), key=repr)
        assert expected_rows, table
        assert sorted(got.fetchall(), key=repr) == expected_rows, table


def test_dagster_asset_builds_on_the_configured_engine(spark, demo_lake) -> None:
    """The engine is the warehouse resource's configuration (finops.yaml's `engine:`): the
    waste_findings asset, materialised by Dagster for a month with `engine: spark`, rebuilds
    that month's lake folder on Spark, and its rows equal DuckDB's."""
    duck, on_spark, lake, settings, month = demo_lake
    folder = Path(lake, "waste_findings", f"lake_period={month}")
    shutil.rmtree(folder, ignore_errors=True)
    section = EngineSection(engine="spark", lake=lake, spark=SparkSettings(master="local[2]"))
    warehouse = WarehouseResource.for_settings(_database_file(on_spark), section)
    partitions = billing_months(f"{CLOSED_MONTH}-01")
    asset = build_waste_asset(settings.waste, partitions, [])
    result = dg.materialize([asset], partition_key=str(month), resources={"warehouse": warehouse})
    assert result.success
    assert folder.is_dir()  # written by Spark: DuckDB never writes the lake
    got = on_spark.sql("select * from waste_findings where billing_month = $m", params={"m": month})
    expected = duck.sql(
        "select * from waste_findings where billing_month = $m", params={"m": month}
    )
    assert got.types == expected.types
    expected_rows = sorted(expected.fetchall(), key=repr)
    assert expected_rows
    assert sorted(got.fetchall(), key=repr) == expected_rows


def _database_file(con: duckdb.DuckDBPyConnection) -> str:
    """The file a connection has open (the lake copy of the demo warehouse)."""
    return con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()[0][0]


# -- every shared sample export, end to end, on both engines --------------------------------

# koku-gcp/tmp_example.csv has 9 charges (about $0.0001 each) whose usage_end_time precedes
# their usage_start_time: focus_costs' contract rule `charge_period_ordered` (error
# severity) fails for October 2020 on both engines, and the month's marts are blocked.
BLOCKED = {"2020-10-01": ["charge_period_ordered"]}
# A tag policy (keys the samples carry, under their own spellings) and a standing budget, so
# that tag_violations and budget_variance have rows to compare.
END_TO_END_CONFIG = """\
warehouse: finops.duckdb
lake: lake
spark:
  master: local[2]
tag_policy:
  keys:
    env: {aliases: [environment], required: true}
    application: {required: true}
forecast:
  budgets:
    - {team: unallocated, amount: 100}
"""
# Empty on both engines for these samples, by their nature: unit_costs needs business
# metrics (none come with the samples), and no sample has the weeks of daily history an
# anomaly is judged on (cost_anomaly_coverage, compared, says so per series). The demo's
# Spark tests compare both with rows.
EMPTY_FOR_THE_SAMPLES = {"unit_costs", "cost_anomalies"}


def _build_on(engine: str, home: Path, exports: list[Path]) -> list[dg.ExecuteInProcessResult]:
    """Land every export as its own source and build every loaded month, as `finops ingest`
    and `finops run` do with `--engine <engine>` (Spark: the shared local[2] session,
    getOrCreate): one run per month, as `finops run` (a run over a range of months would
    let one month's blocking check block its neighbours' marts too)."""
    from contextlib import closing

    from finops_pipeline.engines.select import with_engine
    from finops_pipeline.ingest.service import ingest_path
    from finops_pipeline.orchestration.month_runner import build_months, loaded_month_keys
    from finops_pipeline.refresh import refresh_in_job
    from finops_pipeline.settings import load_settings

    home.mkdir()
    config = home / "finops.yaml"
    config.write_text(END_TO_END_CONFIG)
    settings = with_engine(load_settings(config), engine)
    store = WarehouseResource.for_settings(str(settings.warehouse), settings.execution)
    for path in exports:
        source = f"{path.parent.name}-{path.stem}"
        with store.landing(), closing(connect(settings.warehouse)) as con:
            report = ingest_path(con, path, source, "auto")
        assert not report.rejected, (engine, path, report.rejected)
        refresh_in_job(settings, report)
    return build_months(settings, settings.warehouse, loaded_month_keys(settings.warehouse))


def _check_outcomes(runs: list[dg.ExecuteInProcessResult]) -> dict[tuple[str, str], tuple]:
    """(check name, month) -> (passed, severity), for every check evaluated in the runs."""
    return {
        (f"{e.asset_key.to_user_string()}:{e.check_name}", e.partition): (e.passed, e.severity)
        for result in runs
        for e in result.get_asset_check_evaluations()
    }


def _contract_failures(warehouse: Path, month: str) -> list[str]:
    """The error-severity rules of focus_costs' contract that fail for `month` (a read-write
    connection: a read-only one cannot read the lake's files through the views)."""
    from finops_pipeline.contracts.checks import run_contract
    from finops_pipeline.contracts.odcs import load_contracts

    contracts = load_contracts()
    with connect(warehouse) as con:
        report = run_contract(con, contracts["focus_costs"], contracts, date.fromisoformat(month))
    return sorted(r.name for r in report.blocking_failures)


def test_every_shared_export_builds_on_spark_as_on_duckdb(spark, shared_datasets, tmp_path):
    """Every file in ../shared/datasets (CUR, Azure EA/MCA/PAYG, GCP, FOCUS), each its own
    source, landed and built month by month on DuckDB and on Spark (local[2]): every table
    `finops run` builds equals row for row, types and money exact; the reconciliation
    (`reconciles_with_raw`) and conservation (`conserves_focus_costs`) checks pass on Spark
    for every month they judge; the one month a contract rule blocks is blocked on both."""
    exports = sorted(p for p in shared_datasets.rglob("*") if p.is_file() and p.suffix != ".md")
    assert len(exports) >= 13
    runs = {e: _build_on(e, tmp_path / e, exports) for e in ("duckdb", "spark")}
    outcomes = {e: _check_outcomes(r) for e, r in runs.items()}
    assert outcomes["spark"] == outcomes["duckdb"]
    months = sorted({month for (_, month) in outcomes["spark"] if month})
    assert len(months) >= 10
    checks = outcomes["spark"]
    for month in months:
        assert checks[("focus_costs:reconciles_with_raw", month)][0], month
        if month not in BLOCKED:
            assert checks[("showback_monthly:conserves_focus_costs", month)][0], month
    blocking = sorted(
        key for key, (ok, severity) in checks.items()
        if not ok and severity == dg.AssetCheckSeverity.ERROR
    )  # fmt: skip
    assert blocking == [("focus_costs:data_contract", m) for m in sorted(BLOCKED)]
    for engine in ("duckdb", "spark"):
        for month, rules in BLOCKED.items():
            assert _contract_failures(tmp_path / engine / "finops.duckdb", month) == rules
    duck = duckdb.connect(str(tmp_path / "duckdb" / "finops.duckdb"), read_only=True)
    on_spark = connect(tmp_path / "spark" / "finops.duckdb")
    try:
        for table in BUILT_TABLES:
            exclude = PER_BUILD_COLUMNS.get(table, ())
            listed = f" exclude ({', '.join(exclude)})" if exclude else ""
            query = f"select *{listed} from {table} order by all"
            got, expected = on_spark.sql(query), duck.sql(query)
            assert got.types == expected.types, table
            expected_rows = expected.fetchall()
            assert bool(expected_rows) != (table in EMPTY_FOR_THE_SAMPLES), table
            assert got.fetchall() == expected_rows, table
        total = "select sum(BilledCost) from focus_costs"
        assert on_spark.sql(total).fetchall() == duck.sql(total).fetchall()
    finally:
        duck.close()
        on_spark.close()
