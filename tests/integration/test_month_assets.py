"""The shape every derived asset shares (orchestration/month_assets.py), materialised by real
Dagster on a real DuckDB file: the build gets the partition's month on an open warehouse, what
it returns is the materialisation's metadata, and the warehouse is closed afterwards, also
when the build fails (DuckDB allows one writer per file: a connection left open would lock
the next step and every other process out)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from finops_pipeline.orchestration.month_assets import (
    MonthBuild,
    partitioned_check,
    partitioned_table_asset,
    partitioned_tables_asset,
)
from finops_pipeline.resources import WarehouseResource, billing_months

PARTITIONS = billing_months("2026-01-01")
MONTH = "2026-02-01"


def _resources(tmp_path: Path) -> dict[str, WarehouseResource]:
    return {"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb"))}


def _build_months(run: MonthBuild) -> int:
    run.con.execute("create table if not exists months (billing_month date)")
    run.con.execute("delete from months where billing_month = ?", [run.month])
    run.con.execute("insert into months values (?), (?)", [run.month, run.month])
    return 2


def _materialised(result: dg.ExecuteInProcessResult, key: str) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == [key]]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_table_asset_builds_the_partition_month_and_records_rows(tmp_path: Path) -> None:
    months = partitioned_table_asset(
        "months",
        build=_build_months,
        partitions=PARTITIONS,
        group="tests",
        deps=[],
        kinds={"duckdb"},
        description="Two rows per built month.",
    )

    def two_rows(con: duckdb.DuckDBPyConnection, month: date) -> dg.AssetCheckResult:
        (count,) = con.execute(
            "select count(*) from months where billing_month = ?", [month]
        ).fetchone()
        return dg.AssetCheckResult(passed=count == 2, metadata={"count": count})

    check = partitioned_check(
        "months", "two_rows", evaluate=two_rows, partitions=PARTITIONS, description="2 rows"
    )
    result = dg.materialize([months, check], partition_key=MONTH, resources=_resources(tmp_path))
    assert result.success
    assert _materialised(result, "months") == {"rows": 2}
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["count"].value == 2
    assert months.group_names_by_key[dg.AssetKey("months")] == "tests"
    assert months.descriptions_by_key[dg.AssetKey("months")] == "Two rows per built month."
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)  # no lock left behind
    assert con.execute("select distinct billing_month from months").fetchall() == [
        (date(2026, 2, 1),)
    ]
    con.close()


def test_tables_asset_records_each_table_and_keeps_the_step_name(tmp_path: Path) -> None:
    def build(run: MonthBuild) -> dict:
        return {"left": _build_months(run), "right": {"rows": 0, "note": "empty by choice"}}

    both = partitioned_tables_asset(
        "left_and_right",
        [dg.AssetSpec("left"), dg.AssetSpec("right", deps=["left"])],
        build=build,
        partitions=PARTITIONS,
    )
    assert both.node_def.name == "left_and_right"
    result = dg.materialize([both], partition_key=MONTH, resources=_resources(tmp_path))
    assert _materialised(result, "left") == {"rows": 2}
    assert _materialised(result, "right") == {"rows": 0, "note": "empty by choice"}


def test_connection_is_closed_when_the_build_fails(tmp_path: Path) -> None:
    seen: list[duckdb.DuckDBPyConnection] = []

    def failing(run: MonthBuild) -> int:
        seen.append(run.con)
        raise ValueError("bad row 3")

    broken = partitioned_table_asset(
        "broken",
        build=failing,
        partitions=PARTITIONS,
        group="tests",
        deps=[],
        kinds={"duckdb"},
        description="Fails.",
    )
    result = dg.materialize(
        [broken], partition_key=MONTH, resources=_resources(tmp_path), raise_on_error=False
    )
    assert not result.success
    with pytest.raises(duckdb.ConnectionException):
        seen[0].execute("select 1")


def test_warehouse_connection_context_closes_on_error(tmp_path: Path) -> None:
    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"))
    with pytest.raises(RuntimeError), warehouse.connection() as con:
        con.execute("create table t (x int)")
        raise RuntimeError("stop")
    with pytest.raises(duckdb.ConnectionException):
        con.execute("select 1")
