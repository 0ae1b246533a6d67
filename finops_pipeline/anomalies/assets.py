"""Dagster asset for `cost_anomalies` and its check."""

from collections.abc import Iterator

import dagster as dg

from finops_pipeline.anomalies.build import build_cost_anomalies
from finops_pipeline.anomalies.quality import CHECK, check_params
from finops_pipeline.resources import WarehouseResource
from finops_pipeline.settings import Settings
from finops_pipeline.sql_checks import sql_check

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
            "Daily cost anomalies (spikes, drops, level shifts, ramps, new spend) at provider, "
            "service, sub-account, sub-account x service, team and total level, each series "
            "judged from its 10th day, on complete days only, with expected vs actual, "
            "impact, score, top contributors and counter-moves; one row per event with a "
            "stable id "
            "(the same change seen at several levels is one row, the others in also_seen_at). "
            "Detection always runs over the whole history as of today, whichever month "
            "partition triggers it, so reruns of old months never rewrite newer events."
        ),
    )
    def cost_anomalies(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        with warehouse.connection() as con:
            rows = build_cost_anomalies(con, settings.anomalies)
        yield dg.MaterializeResult(metadata={"anomalies": rows})

    return cost_anomalies


def build_anomaly_check(
    settings: Settings, partitions: dg.PartitionsDefinition
) -> dg.AssetChecksDefinition:
    return sql_check(
        "cost_anomalies",
        CHECK,
        partitions,
        "Over the whole table (detection runs over the whole history): every anomaly has "
        "expected, actual and impact that add up in its direction, passes both floors of "
        "its level, has contributors, is on no incomplete day (the configured lag), and "
        "no event is reported twice (sql/checks/cost_anomalies__anomalies_are_sound.sql).",
        extra_params=lambda: check_params(settings.anomalies),
        blocking=True,
        month_scoped=False,
    )
