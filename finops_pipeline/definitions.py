"""The Dagster code location: builds `Definitions` from each domain; nothing else."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from finops_pipeline.alerts.sensors import build_alerting
from finops_pipeline.anomalies import assets as anomalies
from finops_pipeline.contracts.checks import build_contract_checks
from finops_pipeline.core import assets as core
from finops_pipeline.dagster_run import quiet_dagster_warnings
from finops_pipeline.forecast import assets as forecast
from finops_pipeline.ingest.assets import build_raw_asset
from finops_pipeline.optional_inputs import build_optional_input_checks
from finops_pipeline.orchestration.domains import Domain, assets_of, checks_of, keys_of
from finops_pipeline.orchestration.jobs import build_jobs
from finops_pipeline.orchestration.partitions import partitions_end_offset, partitions_start
from finops_pipeline.orchestration.schedules import build_schedules
from finops_pipeline.report import assets as report
from finops_pipeline.resources import WarehouseResource, billing_months, default_warehouse
from finops_pipeline.settings import Settings, load_settings
from finops_pipeline.showback import assets as showback
from finops_pipeline.tagging import assets as tagging
from finops_pipeline.unit_costs import assets as unit_costs
from finops_pipeline.waste import assets as waste


def build_definitions(
    settings: Settings | None = None, warehouse: str | None = None, cover: Sequence[str] = ()
) -> dg.Definitions:
    """`cover`: partition keys the billing-month partitions must include (a run's months)."""
    quiet_dagster_warnings()  # beta parameters are our concern, not the user's
    settings = settings or load_settings()
    warehouse_file = warehouse or str(settings.warehouse or default_warehouse())
    start = partitions_start(settings.partitions_start, warehouse_file, cover=cover)
    partitions = billing_months(start, partitions_end_offset(warehouse_file, cover=cover))
    ingest = Domain([build_raw_asset(s, partitions) for s in settings.effective_sources()])
    landed = core.domain(settings.tag_policy, partitions, upstream=ingest.keys)
    # The domains that build tables from focus_costs and from each other; each names its
    # inputs and receives only its own settings section.
    marts = [
        tagging.domain(settings.tag_policy, settings.allocation.dimension, partitions),
        showback.domain(settings.showback, partitions),
        waste.domain(settings.waste, partitions),
        anomalies.domain(settings.anomalies, partitions),
        unit_costs.domain(settings.showback, partitions),
        forecast.domain(settings.showback, settings.forecast, partitions),
    ]
    reports = report.domain(settings.showback, settings.report, partitions, keys_of(marts))
    domains = [ingest, landed, *marts, reports]
    assets = assets_of(domains)
    alert_jobs, sensors = build_alerting(settings.alerts)
    return dg.Definitions(
        assets=assets,
        asset_checks=[
            *checks_of(domains),
            *build_contract_checks(assets),
            *build_optional_input_checks(settings, partitions),
        ],
        schedules=build_schedules(settings.schedules, start),
        sensors=sensors,
        jobs=[*build_jobs(), *alert_jobs],
        resources={"warehouse": WarehouseResource.for_settings(warehouse_file, settings.execution)},
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
