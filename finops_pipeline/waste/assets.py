"""Dagster asset for `waste_findings` (savings a team can act on, per billing month) and its
check."""

import dagster as dg

from finops_pipeline.core.assets import FOCUS_COSTS
from finops_pipeline.orchestration.domains import Domain
from finops_pipeline.orchestration.month_assets import partitioned_table_asset
from finops_pipeline.sql_checks import sql_check
from finops_pipeline.waste.build import build_waste_findings
from finops_pipeline.waste.quality import CHECK
from finops_pipeline.waste.settings import WasteSettings

GROUP = "insights"


def build_waste_asset(
    settings: WasteSettings, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> dg.AssetsDefinition:
    waste_findings = partitioned_table_asset(
        "waste_findings",
        build=lambda run: build_waste_findings(run.con, run.month, settings),
        partitions=partitions,
        group=GROUP,
        deps=upstream,
        kinds={"duckdb", "sql"},
        description=(
            "Waste found from billing data alone (gp2 volumes, previous-generation and "
            "Graviton/AMD candidates, idle NAT gateways, old snapshots, unused commitments, "
            "coverage gaps, idle S3) with estimated savings and the formula used. "
            "Grain: billing month x provider x check x resource x currency."
        ),
    )
    return waste_findings


def build_waste_check(
    settings: WasteSettings, partitions: dg.PartitionsDefinition
) -> dg.AssetChecksDefinition:
    return sql_check(
        "waste_findings",
        CHECK,
        partitions,
        "In the billing month: every finding's estimated savings are between 0 and its "
        "monthly cost, the cost is positive, assumptions and recommendation are named, "
        "and no finding is duplicated (sql/checks/waste_findings__savings_within_cost.sql).",
        blocking=True,
    )


def domain(settings: WasteSettings, partitions: dg.PartitionsDefinition) -> Domain:
    return Domain(
        [build_waste_asset(settings, partitions, [FOCUS_COSTS])],
        [build_waste_check(settings, partitions)],
    )
