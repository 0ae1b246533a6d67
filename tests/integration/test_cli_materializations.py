"""What the command line builds is recorded in the Dagster instance (so the UI shows the
warehouse as it is), and partitions start at the first month the warehouse holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from finops_pipeline.definitions import build_definitions
from finops_pipeline.orchestration.materializations import DERIVED, record
from finops_pipeline.orchestration.partitions import partitions_start
from finops_pipeline.settings import DEMO_SOURCES, Settings
from finops_pipeline.warehouse import connect
from tests.fixtures.demo_warehouse import CLOSED_MONTH, build_demo_warehouse, copy_warehouse

MONTH = date.fromisoformat(CLOSED_MONTH + "-01")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings]:
    return build_demo_warehouse(tmp_path_factory.mktemp("materializations"))


def _latest(instance: dg.DagsterInstance, key: str, partition: str) -> dg.AssetMaterialization:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey.from_user_string(key),
                              asset_partitions=[partition]),
        limit=1,
    ).records  # fmt: skip
    assert records, f"no materialization of {key} {partition}"
    return records[0].asset_materialization


def test_demo_build_is_recorded_with_rows_totals_and_reconciliation(
    demo: tuple[Path, Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    con = connect(copy_warehouse(demo[0], tmp_path))
    try:
        count = record(con, sources=list(DEMO_SOURCES), tables=["focus_costs", *DERIVED])
        months = 4
        assert count >= months * 2  # at least focus_costs and one derived table a month
        with dg.DagsterInstance.get() as instance:
            partition = f"{CLOSED_MONTH}-01"
            focus = _latest(instance, "focus_costs", partition)
            rows, usd = con.execute(
                "select count(*), sum(BilledCost) filter (where BillingCurrency = 'USD') "
                "from focus_costs where BillingPeriodStart = ?",
                [MONTH],
            ).fetchone()
            assert focus.metadata["rows"].value == rows
            assert focus.metadata["BilledCost USD"].value == f"{usd.quantize(Decimal('0.01')):,.2f}"
            assert focus.metadata["reconciliation"].value.startswith("reconciled")
            for table in ("showback_monthly", "allocation_ledger", "tag_compliance"):
                event = _latest(instance, table, partition)
                expected = con.execute(
                    f"select count(*) from {table} where billing_month = ?", [MONTH]
                ).fetchone()[0]
                assert event.metadata["rows"].value == expected, table
            raw = _latest(instance, "raw/aws_cur2", partition)
            assert raw.metadata["source"].value == "aws-cur2"
    finally:
        con.close()


def test_partitions_start_at_the_first_loaded_month(demo: tuple[Path, Settings]) -> None:
    assert partitions_start(None, demo[0]) == "2026-01-01"
    assert partitions_start("2025-06-01", demo[0]) == "2025-06-01"  # configured wins
    assert partitions_start(None, demo[0].parent / "none.duckdb", date(2026, 12, 3)) == (
        "2025-12-01"
    )
    settings = demo[1].model_copy(deep=True)
    settings.partitions_start = None
    defs = build_definitions(settings, str(demo[0]))
    keys = (
        defs.resolve_asset_graph()
        .get(dg.AssetKey("focus_costs"))
        .partitions_def.get_partition_keys()  # type: ignore[union-attr]
    )
    assert keys[0] == "2026-01-01"


def test_dagster_runs_record_the_same_figures(demo: tuple[Path, Settings], tmp_path: Path) -> None:
    """`finops run` materializes through Dagster: focus_costs and showback carry the same
    rows / totals per currency / reconciliation metadata as the command line records."""
    warehouse = copy_warehouse(demo[0], tmp_path)
    defs = build_definitions(demo[1], str(warehouse))
    keys = [dg.AssetKey(k) for k in ("focus_costs", "allocation_ledger", "showback_monthly")]
    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection=set(keys))
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(partition_key=f"{CLOSED_MONTH}-01", instance=instance)
    assert result.success
    [focus] = result.asset_materializations_for_node("focus_costs")
    assert focus.metadata["reconciliation"].value.startswith("reconciled")
    assert {"rows", "BilledCost USD", "EffectiveCost EUR"} <= set(focus.metadata)
    con = connect(warehouse, read_only=True)
    try:
        eur = con.execute(
            "select sum(effective_cost) from showback_monthly where billing_month = ? "
            "and billing_currency = 'EUR'",
            [MONTH],
        ).fetchone()[0]
    finally:
        con.close()
    showback = next(
        m
        for m in result.asset_materializations_for_node("showback")
        if m.asset_key == dg.AssetKey("showback_monthly")
    )
    assert showback.metadata["EffectiveCost EUR"].value == f"{eur.quantize(Decimal('0.01')):,.2f}"
