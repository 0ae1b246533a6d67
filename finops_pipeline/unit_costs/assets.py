"""Dagster asset for `unit_costs`, and its checks."""

import dagster as dg

from finops_pipeline.orchestration.domains import Domain
from finops_pipeline.orchestration.month_assets import MonthBuild, partitioned_table_asset
from finops_pipeline.showback.assets import SHOWBACK_MONTHLY
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.sql_checks import sql_check
from finops_pipeline.unit_costs.build import build_unit_costs

GROUP = "insights"


def build_unit_cost_asset(
    settings: ShowbackSection, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> tuple[dg.AssetsDefinition, list[dg.AssetChecksDefinition]]:
    def build(run: MonthBuild) -> dict:
        built = build_unit_costs(run.con, settings, run.month)
        if built.note:
            run.log.warning(f"unit_costs is empty: {built.note}")
        return {"rows": built.rows, "note": built.note or "-"}

    unit_costs = partitioned_table_asset(
        "unit_costs",
        build=build,
        partitions=partitions,
        group=GROUP,
        deps=upstream,
        kinds={"duckdb", "sql"},
        description=(
            "What one unit of a business metric (requests, orders ...) costs each team: "
            "allocated effective cost (showback, reporting currency), units, cost per unit "
            "(NULL with a reason when there are no units) and the change versus the previous "
            "period. Grain: day or month x team x metric."
        ),
    )

    checks = [
        sql_check(
            "unit_costs",
            "conserves_showback",
            partitions,
            "Per metric, the month's allocated_effective_cost per team equals showback_monthly "
            "exactly, and the days sum to the month exactly.",
            blocking=True,
        ),
        sql_check(
            "unit_costs",
            "null_has_reason",
            partitions,
            "cost_per_unit is NULL exactly when null_reason says why (no, zero or negative "
            "units), never 0 or infinity for missing units.",
        ),
        sql_check(
            "unit_costs",
            "not_negative_without_credit",
            partitions,
            "A negative cost per unit only where the team had a credit in that period.",
        ),
    ]
    return unit_costs, checks


def domain(settings: ShowbackSection, partitions: dg.PartitionsDefinition) -> Domain:
    unit_costs, checks = build_unit_cost_asset(settings, partitions, [SHOWBACK_MONTHLY])
    return Domain([unit_costs], checks)
