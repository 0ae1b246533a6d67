"""The one build runner: a partition is replaced whole or not at all, parameters are bound by
name, an outdated table is rebuilt whole, intermediate models are inlined."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
import pytest

from finops_pipeline.build_runner import (
    Partition,
    Query,
    Target,
    build_partition,
    build_partitions,
    named,
    with_ephemeral,
)

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(
        "create table source as select * from (values (date '2026-01-01', 1), "
        "(date '2026-01-01', 2), (date '2026-02-01', 5)) as t(billing_month, amount)"
    )
    return connection


MODEL = Query(
    "select billing_month, sum(amount) * $factor as total from source "
    "where $period is null or billing_month = $period group by all"
)


def rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from totals order by 1").fetchall()


def test_month_is_replaced_and_others_kept(con: duckdb.DuckDBPyConnection) -> None:
    assert build_partition(con, table="totals", model=MODEL, params={"factor": 1}) == 2
    con.execute("update source set amount = amount * 10")
    written = build_partition(con, table="totals", model=MODEL, params={"factor": 1}, period=FEB)
    assert written == 1
    assert rows(con) == [(JAN, 3), (FEB, 50)]


def test_failure_leaves_previous_rows(con: duckdb.DuckDBPyConnection) -> None:
    build_partition(con, table="totals", model=MODEL, params={"factor": 1})
    broken = Query("select billing_month, error('boom') as total from source")
    with pytest.raises(duckdb.Error, match="boom"):
        build_partition(con, table="totals", model=broken, period=JAN)
    assert rows(con) == [(JAN, 3), (FEB, 5)]


def test_missing_parameter_is_named(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match=r"\$factor"):
        build_partition(con, table="totals", model=MODEL)


def test_outdated_table_is_rebuilt_whole(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create table totals (billing_month date, old_column integer)")
    con.execute("insert into totals values (date '2025-12-01', 7)")
    build_partition(con, table="totals", model=MODEL, params={"factor": 2}, period=FEB)
    assert rows(con) == [(JAN, 6), (FEB, 10)]


def test_python_rows_within_a_window(con: duckdb.DuckDBPyConnection) -> None:
    ddl = "create table if not exists events (day date, amount decimal(18, 2))"
    con.execute(ddl)
    con.execute("insert into events values (date '2026-01-05', 1), (date '2026-03-01', 9)")
    frame = pa.table({"day": [date(2026, 1, 7)], "amount": [2.5]})
    window = Partition("day <= $partition_day", {"partition_day": date(2026, 2, 1)})
    written = build_partitions(con, [Target("events", lambda _: frame, ddl=ddl)], window)
    assert written == {"events": 1}
    assert [(d, float(a)) for d, a in con.execute("from events order by 1").fetchall()] == [
        (date(2026, 1, 7), 2.5),
        (date(2026, 3, 1), 9.0),
    ]


def test_named_ignores_strings_and_comments() -> None:
    sql, params = named("select 'Σ ?', ? -- ?\n, cast(? as int)", [1, 2])
    assert sql == "select 'Σ ?', $p_0 -- ?\n, cast($p_1 as int)"
    assert params == {"p_0": 1, "p_1": 2}


def test_intermediate_models_are_inlined_once() -> None:
    sql = with_ephemeral(
        "select * from int_waste__old_snapshot union all select * from int_waste__idle_s3_standard"
    )
    assert sql.count("int_waste_costs as (") == 1
    assert sql.index("int_waste_costs as (") < sql.index("int_waste__old_snapshot as (")
    assert duckdb.extract_statements(sql)[0].named_parameters >= {"period", "s3_idle_months"}
