"""Dagster asset for `cost_anomalies` and its check."""

import dagster as dg

from finops_pipeline.anomalies.build import build_cost_anomalies
from finops_pipeline.anomalies.quality import CHECK, check_params
from finops_pipeline.anomalies.settings import AnomalySettings
from finops_pipeline.core.assets import FOCUS_COSTS
from finops_pipeline.orchestration.domains import Domain
from finops_pipeline.orchestration.month_assets import partitioned_table_asset
from finops_pipeline.sql_checks import sql_check

GROUP = "insights"


def build_anomaly_asset(
    settings: AnomalySettings, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> dg.AssetsDefinition:
    cost_anomalies = partitioned_table_asset(
        "cost_anomalies",
        # the whole history as of today, whatever the partition's month (see the description)
        build=lambda run: {"anomalies": build_cost_anomalies(run.con, settings)},
        partitions=partitions,
        group=GROUP,
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
    return cost_anomalies


def build_anomaly_check(
    settings: AnomalySettings, partitions: dg.PartitionsDefinition
) -> dg.AssetChecksDefinition:
    return sql_check(
        "cost_anomalies",
        CHECK,
        partitions,
        "Over the whole table (detection runs over the whole history): every anomaly has "
        "expected, actual and impact that add up in its direction, passes both floors of "
        "its level, has contributors, is on no incomplete day (the configured lag), and "
        "no event is reported twice (sql/checks/cost_anomalies__anomalies_are_sound.sql).",
        extra_params=lambda: check_params(settings),
        blocking=True,
        month_scoped=False,
    )


def domain(settings: AnomalySettings, partitions: dg.PartitionsDefinition) -> Domain:
    return Domain(
        [build_anomaly_asset(settings, partitions, [FOCUS_COSTS])],
        [build_anomaly_check(settings, partitions)],
    )
