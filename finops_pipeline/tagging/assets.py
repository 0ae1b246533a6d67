"""Dagster assets for the tag marts: violations to fix and compliance to track."""

from collections.abc import Iterator

import dagster as dg

from finops_pipeline.resources import WarehouseResource, partition_month
from finops_pipeline.settings import Settings
from finops_pipeline.tagging.marts import build_tag_marts

GROUP = "tagging"


def build_tag_assets(
    settings: Settings, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                "tag_violations",
                group_name=GROUP,
                deps=upstream,
                kinds={"duckdb", "sql"},
                description=(
                    "What to fix in the tags, and what it costs. Grain: billing month x resource "
                    "x tag key x violation (missing key, disallowed value, alias used, empty)."
                ),
            ),
            dg.AssetSpec(
                "tag_compliance",
                group_name=GROUP,
                deps=upstream,
                kinds={"duckdb", "sql"},
                description=(
                    "Share of cost and of resources that meet the tag policy, with the month-on-"
                    "month trend. Grain: billing month x provider x sub-account x team."
                ),
            ),
        ],
        partitions_def=partitions,
        can_subset=False,
    )
    def tag_marts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        period = partition_month(context.partition_key)
        with warehouse.connection() as con:
            rows = build_tag_marts(
                con, period, policy=settings.tag_policy, dimension=settings.allocation.dimension
            )
        for table in ("tag_violations", "tag_compliance"):
            yield dg.MaterializeResult(asset_key=table, metadata={"rows": rows.get(table, 0)})

    return tag_marts
