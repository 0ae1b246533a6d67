"""The Dagster code location loads, with the assets, check and jobs users rely on."""

from __future__ import annotations

import importlib
from pathlib import Path

import dagster as dg
import pytest

from finops_pipeline.definitions import build_definitions
from finops_pipeline.settings import DEMO_SOURCES, Settings, SourceSettings


def test_default_definitions_load_with_demo_sources(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Without a finops.yaml the demo's sources apply only to the demo's data, which
    # FINOPS_SAMPLE_DATA names (issue 12); build_definitions() is what the module's defs run.
    monkeypatch.delenv("FINOPS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FINOPS_SAMPLE_DATA", str(tmp_path / "data"))
    defs = build_definitions()
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    expected_raw = {"raw/" + name.replace("-", "_") for name in DEMO_SOURCES}
    assert expected_raw <= keys
    assert {"focus_costs", "stg_aws__cur"} <= keys
    check_keys = {str(k.name) for k in defs.resolve_asset_graph().asset_check_keys}
    assert {"reconciles_with_raw", "savings_within_cost", "anomalies_are_sound"} <= check_keys
    assert defs.resolve_job_def("billing_month_refresh") is not None
    assert defs.resolve_job_def("build_derived") is not None


def test_every_asset_is_partitioned_by_billing_month(tmp_path: Path) -> None:
    settings = Settings(sources=[SourceSettings(name="cur", path=tmp_path, format="aws-cur")])
    defs = build_definitions(settings, str(tmp_path / "w.duckdb"))
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        partitions = graph.get(key).partitions_def
        assert isinstance(partitions, dg.MonthlyPartitionsDefinition), key
    assert "raw/cur" in {k.to_user_string() for k in graph.get_all_asset_keys()}


def test_schedules_sensors_and_contract_checks_are_loaded() -> None:
    module = importlib.import_module("finops_pipeline.definitions")
    defs: dg.Definitions = module.defs
    assert {s.name for s in defs.schedules} == {"daily_refresh_schedule", "month_close_schedule"}
    assert {s.name for s in defs.sensors} == {"anomaly_alert_sensor", "run_failure_alert_sensor"}
    for job in ("daily_refresh", "month_close", "anomaly_alerts"):
        assert defs.resolve_job_def(job) is not None
    graph = defs.resolve_asset_graph()
    contracted = {
        k.asset_key.to_user_string() for k in graph.asset_check_keys if k.name == "data_contract"
    }
    assert contracted == {
        "focus_costs",
        "tag_violations",
        "tag_compliance",
        "allocation_ledger",
        "showback_monthly",
        "waste_findings",
        "cost_anomalies",
        "unit_costs",
        "cost_forecast",
        "budget_variance",
    }
