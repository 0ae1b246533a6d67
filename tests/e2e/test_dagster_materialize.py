"""Materialise every asset in-process, partition by partition; the reconciliation check passes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb

from finops_pipeline.dagster_run import failed_checks
from finops_pipeline.definitions import build_definitions
from finops_pipeline.settings import Settings, SourceSettings
from tests.fixtures.cur import cur_rows, write_cur

# unit_costs, cost_forecast and budget_variance checks (finops_pipeline/sql_checks.py)
INSIGHT_CHECKS = [
    "conserves_showback",
    "null_has_reason",
    "not_negative_without_credit",
    "intervals_ordered",
    "team_actuals_match_showback",
    "reporting_currency_missing",
    "status_follows_thresholds",
    "savings_within_cost",
    "anomalies_are_sound",
    "optional_inputs_present",
]


def test_materialise_all_assets_and_reconcile(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    write_cur(exports / "20240501-20240601" / "a.csv", cur_rows("2024-05", ["1.10", "2.20"]))
    write_cur(exports / "20240601-20240701" / "b.csv.gz", cur_rows("2024-06", ["3.30"]), gz=True)
    warehouse = tmp_path / "w.duckdb"
    settings = Settings(
        partitions_start="2024-01-01",
        sources=[SourceSettings(name="aws-main", path=exports, format="auto")],
    )
    defs = build_definitions(settings, str(warehouse))
    job = defs.resolve_job_def("billing_month_refresh")
    with dg.instance_for_test() as instance:
        for key in ("2024-05-01", "2024-06-01"):
            result = job.execute_in_process(partition_key=key, instance=instance)
            assert result.success
            evaluations = result.get_asset_check_evaluations()
            names = [e.check_name for e in evaluations]
            assert set(names) == {
                "conserves_focus_costs",
                "reporting_currency_missing",  # warning: a billing currency without a rate
                "reconciles_with_raw",
                "data_contract",
                *INSIGHT_CHECKS,
            }
            assert names.count("data_contract") == 10  # one per contracted table
            assert not failed_checks(result)
    con = duckdb.connect(str(warehouse), read_only=True)
    totals = dict(
        con.execute(
            "select strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost) from focus_costs group by 1"
        ).fetchall()
    )
    assert totals == {"2024-05": Decimal("3.30"), "2024-06": Decimal("3.30")}


def test_materialise_every_demo_asset_for_every_month(tmp_path: Path) -> None:
    """All raw/<source> assets of the demo, the staging views and focus_costs, month by month."""
    from finops_pipeline.demo import check_ground_truth, write_business_metrics
    from finops_pipeline.sample_data import generate
    from finops_pipeline.settings import demo_settings

    data = tmp_path / "data"
    generate(data, end_month="2026-03", months=3, seed=7)
    write_business_metrics(data, data / "ground_truth.json")
    warehouse = tmp_path / "demo.duckdb"
    settings = demo_settings(data)
    settings.partitions_start = "2025-12-01"
    defs = build_definitions(settings, str(warehouse))
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert len([k for k in keys if k.startswith("raw/")]) == 7
    job = defs.resolve_job_def("billing_month_refresh")
    with dg.instance_for_test() as instance:
        for key in ("2026-01-01", "2026-02-01", "2026-03-01"):
            result = job.execute_in_process(partition_key=key, instance=instance)
            assert result.success
            materialized = {
                e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
            }
            assert materialized == keys
            assert not failed_checks(result)
            checks = {e.check_name for e in result.get_asset_check_evaluations()}
            assert checks == {
                "reconciles_with_raw",
                "conserves_focus_costs",
                "reporting_currency_missing",
                "data_contract",
                *INSIGHT_CHECKS,
            }
    con = duckdb.connect(str(warehouse))
    assert check_ground_truth(con, data / "ground_truth.json") == []
    teams = {r[0] for r in con.execute("select distinct team from showback_monthly").fetchall()}
    assert {"payments", "search", "data-platform", "mobile", "ml"} <= teams
    con.close()
