"""Dagster asset for `cost_anomalies`."""

from collections.abc import Iterator

import dagster as dg

from finops_pipeline.anomalies.build import build_cost_anomalies
from finops_pipeline.resources import WarehouseResource
from finops_pipeline.settings import Settings

GROUP = "insights"


def build_anomaly_asset(
    settings: Settings, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> dg.AssetsDefinition:
    @dg.asset(
        name="cost_anomalies",
        group_name=GROUP,
        partitions_def=partitions,
        deps=upstream,
        kinds={"duckdb", "python"},
        description=(
            "Daily cost anomalies (spikes, drops, level shifts) at provider, service, "
            "sub-account, team and total level, on complete days only, with expected vs "
            "actual, impact, score and top contributors; one row per event with a stable id. "
            "Detection always runs over the whole history as of today, whichever month "
            "partition triggers it, so reruns of old months never rewrite newer events."
        ),
    )
    def cost_anomalies(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        con = warehouse.connect()
        try:
            rows = build_cost_anomalies(con, settings.anomalies)
        finally:
            con.close()
        yield dg.MaterializeResult(metadata={"anomalies": rows})

    return cost_anomalies
