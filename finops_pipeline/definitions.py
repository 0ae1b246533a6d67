"""The Dagster code location: builds `Definitions` from each domain; nothing else."""

from __future__ import annotations

import dagster as dg

from finops_pipeline.alerts.sensors import build_alerting
from finops_pipeline.anomalies.assets import build_anomaly_asset, build_anomaly_check
from finops_pipeline.contracts.checks import build_contract_checks
from finops_pipeline.core.assets import build_focus_assets, build_staging_assets
from finops_pipeline.dagster_run import quiet_dagster_warnings
from finops_pipeline.forecast.assets import build_forecast_assets
from finops_pipeline.ingest.assets import build_raw_asset
from finops_pipeline.optional_inputs import build_optional_input_checks
from finops_pipeline.orchestration.partitions import partitions_start
from finops_pipeline.orchestration.schedules import build_jobs, build_schedules
from finops_pipeline.report.assets import build_report_asset
from finops_pipeline.resources import WarehouseResource, billing_months, default_warehouse
from finops_pipeline.settings import Settings, load_settings
from finops_pipeline.showback.assets import build_reporting_currency_check, build_showback_assets
from finops_pipeline.tagging.assets import build_tag_assets
from finops_pipeline.unit_costs.assets import build_unit_cost_asset
from finops_pipeline.waste.assets import build_waste_asset, build_waste_check


def build_definitions(
    settings: Settings | None = None, warehouse: str | None = None
) -> dg.Definitions:
    quiet_dagster_warnings()  # beta parameters are our concern, not the user's
    settings = settings or load_settings()
    warehouse_file = warehouse or str(settings.warehouse or default_warehouse())
    start = partitions_start(settings.partitions_start, warehouse_file)
    partitions = billing_months(start)
    raw_assets = [build_raw_asset(s, partitions) for s in settings.effective_sources()]
    raw_keys = [key for a in raw_assets for key in a.keys]
    staging = build_staging_assets(raw_keys, partitions)
    staging_keys = [key for a in staging for key in a.keys]
    focus_costs, reconciliation = build_focus_assets(staging_keys, partitions, settings.tag_policy)
    focus_key = [dg.AssetKey("focus_costs")]
    tag_marts = build_tag_assets(
        settings.tag_policy, settings.allocation.dimension, partitions, focus_key
    )
    showback, conservation = build_showback_assets(settings.showback, partitions, focus_key)
    waste = build_waste_asset(settings.waste, partitions, focus_key)
    anomalies = build_anomaly_asset(settings.anomalies, partitions, focus_key)
    showback_keys = [dg.AssetKey("showback_monthly")]
    unit_costs, unit_checks = build_unit_cost_asset(settings.showback, partitions, showback_keys)
    forecasts, forecast_checks = build_forecast_assets(
        settings.showback, settings.forecast, partitions, showback_keys
    )
    insights: list[dg.AssetsDefinition] = [unit_costs, *forecasts]
    report_inputs = [k for a in (tag_marts, showback, waste, anomalies, *insights) for k in a.keys]
    report = build_report_asset(settings.showback, settings.report, partitions, report_inputs)
    assets = [
        *raw_assets,
        *staging,
        focus_costs,
        tag_marts,
        showback,
        waste,
        anomalies,
        *insights,
        report,
    ]
    alert_jobs, sensors = build_alerting(settings.alerts)
    return dg.Definitions(
        assets=assets,
        asset_checks=[
            reconciliation,
            conservation,
            build_reporting_currency_check(partitions),
            build_waste_check(settings.waste, partitions),
            build_anomaly_check(settings.anomalies, partitions),
            *unit_checks,
            *forecast_checks,
            *build_contract_checks(assets),
            *build_optional_input_checks(settings, partitions),
        ],
        schedules=build_schedules(settings.schedules, start),
        sensors=sensors,
        jobs=[
            dg.define_asset_job(
                "billing_month_refresh",
                selection=dg.AssetSelection.all(),
                description="Land every source and rebuild the derived tables for one billing month.",
            ),
            dg.define_asset_job(
                "build_derived",
                selection=dg.AssetSelection.all() - dg.AssetSelection.groups("ingest", "reports"),
                description="Rebuild every derived table of one billing month from what is loaded.",
            ),
            *build_jobs(),
            *alert_jobs,
        ],
        resources={"warehouse": WarehouseResource(path=warehouse_file)},
        executor=dg.in_process_executor,
    )


_DEFS: dg.Definitions | None = None


def __getattr__(name: str) -> dg.Definitions:
    """`defs`, the code location `finops ui` (dagster dev) loads, built on first access from
    the configuration every command uses (FINOPS_CONFIG / ./finops.yaml, FINOPS_WAREHOUSE).
    Lazy (PEP 562), so importing build_definitions for `finops run --config X` never reads
    another config first."""
    global _DEFS
    if name != "defs":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _DEFS is None:
        _DEFS = build_definitions()
    return _DEFS
