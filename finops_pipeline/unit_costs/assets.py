"""Dagster asset for `unit_costs`, and its checks."""

from collections.abc import Iterator

import dagster as dg

from finops_pipeline.resources import WarehouseResource, partition_month
from finops_pipeline.settings import Settings
from finops_pipeline.sql_checks import sql_check
from finops_pipeline.unit_costs.build import build_unit_costs

GROUP = "insights"


def build_unit_cost_asset(
    settings: Settings, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> tuple[dg.AssetsDefinition, list[dg.AssetChecksDefinition]]:
    @dg.asset(
        name="unit_costs",
        group_name=GROUP,
        partitions_def=partitions,
        deps=upstream,
        kinds={"duckdb", "sql"},
        description=(
            "What one unit of a business metric (requests, orders ...) costs each team: "
            "allocated effective cost (showback, reporting currency), units, cost per unit "
            "(NULL with a reason when there are no units) and the change versus the previous "
            "period. Grain: day or month x team x metric."
        ),
    )
    def unit_costs(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        with warehouse.connection() as con:
            built = build_unit_costs(con, settings, partition_month(context.partition_key))
        if built.note:
            context.log.warning(f"unit_costs is empty: {built.note}")
        yield dg.MaterializeResult(metadata={"rows": built.rows, "note": built.note or "-"})

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
