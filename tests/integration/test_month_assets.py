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

from finops_pipeline.dagster_run import RANGE_END_TAG, RANGE_START_TAG
from finops_pipeline.orchestration.month_assets import (
    MonthBuild,
    partitioned_check,
    partitioned_table_asset,
    partitioned_tables_asset,
)
from finops_pipeline.orchestration.month_runner import consecutive_ranges, range_failures
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
    ranged = dg.materialize([both], tags=RANGE, resources=_resources(tmp_path))
    events = ranged.get_asset_materialization_events()
    assert sorted((e.asset_key.to_user_string(), e.partition) for e in events) == sorted(
        (table, key) for table in ("left", "right") for key in RANGE_KEYS
    )


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


# One run over a range of months (what `finops demo` and the fixtures start): each step
# builds or judges every month of it, oldest first.
RANGE = {RANGE_START_TAG: "2026-01-01", RANGE_END_TAG: "2026-03-01"}
RANGE_KEYS = ["2026-01-01", "2026-02-01", "2026-03-01"]


def _running_total(run: MonthBuild) -> int:
    """Each month's row counts the months before it: wrong unless built oldest first."""
    run.con.execute("create table if not exists totals (billing_month date, before int)")
    (before,) = run.con.execute(
        "select count(*) from totals where billing_month < ?", [run.month]
    ).fetchone()
    run.con.execute("delete from totals where billing_month = ?", [run.month])
    run.con.execute("insert into totals values (?, ?)", [run.month, before])
    return before + 1


def _totals_asset(build=_running_total) -> dg.AssetsDefinition:
    return partitioned_table_asset(
        "totals",
        build=build,
        partitions=PARTITIONS,
        group="tests",
        deps=[],
        kinds={"duckdb"},
        description="One row per month, counting the months before.",
    )


def _ordered_check(blocking: bool = False, bad: date | None = None) -> dg.AssetChecksDefinition:
    def ordered(con: duckdb.DuckDBPyConnection, month: date) -> dg.AssetCheckResult:
        (before,) = con.execute(
            "select before from totals where billing_month = ?", [month]
        ).fetchone()
        expected = (month.month - 1) if month != bad else -1
        return dg.AssetCheckResult(passed=before == expected, metadata={"before": before})

    return partitioned_check(
        "totals",
        "ordered",
        evaluate=ordered,
        partitions=PARTITIONS,
        blocking=blocking,
        description="months built oldest first",
    )


def test_a_range_run_builds_each_month_in_order_and_judges_each_month(tmp_path: Path) -> None:
    result = dg.materialize(
        [_totals_asset(), _ordered_check()], tags=RANGE, resources=_resources(tmp_path)
    )
    assert result.success
    events = result.get_asset_materialization_events()
    assert {e.partition: e.materialization.metadata["rows"].value for e in events} == {
        "2026-01-01": 1,
        "2026-02-01": 2,
        "2026-03-01": 3,
    }
    evaluations = result.get_asset_check_evaluations()
    assert [(e.partition, e.passed) for e in evaluations] == [(k, True) for k in RANGE_KEYS]
    assert [e.metadata["before"].value for e in evaluations] == [0, 1, 2]
    # each evaluation points at its month's materialisation, as a one-month run's does
    assert all(e.target_materialization_data is not None for e in evaluations)


def test_a_failed_blocking_check_in_one_month_stops_downstream_and_names_it(
    tmp_path: Path,
) -> None:
    downstream = partitioned_table_asset(
        "after",
        build=lambda run: 0,
        partitions=PARTITIONS,
        group="tests",
        deps=["totals"],
        kinds={"duckdb"},
        description="Runs after totals.",
    )
    result = dg.materialize(
        [_totals_asset(), _ordered_check(blocking=True, bad=date(2026, 2, 1)), downstream],
        tags=RANGE,
        resources=_resources(tmp_path),
        raise_on_error=False,
    )
    assert not result.success
    assert [(e.partition, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("2026-01-01", True),
        ("2026-02-01", False),
        ("2026-03-01", True),
    ]
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert built == {"totals"}  # `after` was not run
    lines = range_failures("2026-01-01", "2026-03-01", result)
    assert lines[0] == "2026-02-01: totals:ordered"
    assert lines[1].startswith("2026-01-01..2026-03-01: step totals_ordered: ")


def test_a_build_failing_in_a_range_names_its_month(tmp_path: Path) -> None:
    def fails_in_february(run: MonthBuild) -> int:
        if run.month == date(2026, 2, 1):
            raise KeyError("billing_currency")
        return _running_total(run)

    result = dg.materialize(
        [_totals_asset(fails_in_february)],
        tags=RANGE,
        resources=_resources(tmp_path),
        raise_on_error=False,
    )
    assert range_failures("2026-01-01", "2026-03-01", result) == [
        "2026-01-01..2026-03-01: step totals: 2026-02: KeyError: 'billing_currency'"
    ]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    # January stays built, nothing after the failed month is
    assert con.execute("select billing_month from totals").fetchall() == [(date(2026, 1, 1),)]
    con.close()


def test_consecutive_ranges_split_at_a_month_not_loaded() -> None:
    keys = ["2026-03-01", "2025-12-01", "2026-01-01", "2026-05-01", "2026-02-01"]
    assert consecutive_ranges(keys) == [("2025-12-01", "2026-03-01"), ("2026-05-01", "2026-05-01")]
