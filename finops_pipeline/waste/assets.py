"""Dagster asset for `waste_findings`: savings a team can act on, per billing month."""

from collections.abc import Iterator

import dagster as dg

from finops_pipeline.resources import WarehouseResource, partition_month
from finops_pipeline.settings import Settings
from finops_pipeline.waste.build import build_waste_findings

GROUP = "insights"


def build_waste_asset(
    settings: Settings, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> dg.AssetsDefinition:
    @dg.asset(
        name="waste_findings",
        group_name=GROUP,
        partitions_def=partitions,
        deps=upstream,
        kinds={"duckdb", "sql"},
        description=(
            "Waste found from billing data alone (gp2 volumes, previous-generation and "
            "Graviton/AMD candidates, idle NAT gateways, old snapshots, unused commitments, "
            "coverage gaps, idle S3) with estimated savings and the formula used. "
            "Grain: billing month x provider x check x resource x currency."
        ),
    )
    def waste_findings(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        con = warehouse.connect()
        try:
            rows = build_waste_findings(con, partition_month(context.partition_key), settings.waste)
        finally:
            con.close()
        yield dg.MaterializeResult(metadata={"rows": rows})

    return waste_findings
