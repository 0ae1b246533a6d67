"""Dagster assets for the tag marts: violations to fix and compliance to track."""

import dagster as dg

from finops_pipeline.core.assets import FOCUS_COSTS
from finops_pipeline.orchestration.domains import Domain
from finops_pipeline.orchestration.month_assets import MonthBuild, partitioned_tables_asset
from finops_pipeline.tagging.marts import build_tag_marts
from finops_pipeline.tagging.policy import TagPolicy

GROUP = "tagging"
# The tables one build writes, each with its asset's description.
TABLES = {
    "tag_violations": (
        "What to fix in the tags, and what it costs. Grain: billing month x resource "
        "x tag key x violation (missing key, disallowed value, alias used, empty)."
    ),
    "tag_compliance": (
        "Share of cost and of resources that meet the tag policy, with the month-on-"
        "month trend. Grain: billing month x provider x sub-account x team."
    ),
}


def build_tag_assets(
    policy: TagPolicy | None,
    dimension: str,
    partitions: dg.PartitionsDefinition,
    upstream: list[dg.AssetKey],
) -> dg.AssetsDefinition:
    def build(run: MonthBuild) -> dict[str, int]:
        rows = build_tag_marts(run.con, run.month, policy=policy, dimension=dimension)
        return {table: rows.get(table, 0) for table in TABLES}

    return partitioned_tables_asset(
        "tag_marts",
        [
            dg.AssetSpec(
                table,
                group_name=GROUP,
                deps=upstream,
                kinds={"duckdb", "sql"},
                description=description,
            )
            for table, description in TABLES.items()
        ],
        build=build,
        partitions=partitions,
    )


def domain(policy: TagPolicy | None, dimension: str, partitions: dg.PartitionsDefinition) -> Domain:
    return Domain([build_tag_assets(policy, dimension, partitions, [FOCUS_COSTS])])
