"""Dagster assets for the staging views and `focus_costs`, and the reconciliation check."""

from collections.abc import Sequence
from datetime import date

import dagster as dg
import duckdb

from finops_pipeline.core.focus import (
    build_focus_month,
    build_focus_pending,
    create_staging_views,
    staging_models,
)
from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.orchestration.domains import Domain
from finops_pipeline.orchestration.materializations import materialization_metadata
from finops_pipeline.orchestration.month_assets import (
    ONE_RUN_PER_BACKFILL,
    MonthBuild,
    partitioned_check,
    partitioned_table_asset,
)
from finops_pipeline.resources import WarehouseResource
from finops_pipeline.tagging.policy import TagPolicy

GROUP = "core"
FOCUS_COSTS = dg.AssetKey("focus_costs")  # what every mart reads
# A run tagged FOCUS_SCOPE_TAG=PENDING_SCOPE rebuilds only the (source, billing period) pairs
# a load left pending in the run's months, all in one transaction (what `finops ingest` starts
# after landing: month_runner.refresh_focus_range); without it, every source of each month
# (`finops run`).
FOCUS_SCOPE_TAG = "finops/focus_scope"
PENDING_SCOPE = "pending"


def build_staging_assets(
    raw_keys: Sequence[dg.AssetKey], partitions: dg.PartitionsDefinition
) -> list[dg.AssetsDefinition]:
    """One asset per staging view; views are cheap, so each (re)creates them all."""

    def make(model: str) -> dg.AssetsDefinition:
        @dg.asset(
            name=model,
            group_name=GROUP,
            partitions_def=partitions,
            deps=list(raw_keys),
            kinds={"duckdb", "sql"},
            description=f"View sql/staging/{model}.sql: one provider's raw rows as FOCUS columns.",
            backfill_policy=ONE_RUN_PER_BACKFILL,  # views: the same for one month or many
        )
        def _stg(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
            with warehouse.connection() as con:
                create_staging_views(con)

        return _stg

    return [make(model) for model in staging_models()]


def build_focus_assets(
    staging_keys: Sequence[dg.AssetKey],
    partitions: dg.PartitionsDefinition,
    policy: TagPolicy | None = None,
) -> tuple[dg.AssetsDefinition, dg.AssetChecksDefinition]:
    def build(run: MonthBuild) -> dict:
        if run.tags.get(FOCUS_SCOPE_TAG) == PENDING_SCOPE:
            # every month's pending pairs in one statement per source and one transaction
            # (a statement per month cost ~2 s each), on the run's first month
            if run.month == run.months[0]:
                build_focus_pending(run.con, run.months, policy)
        else:
            build_focus_month(run.con, run.month, policy)
        # rows, BilledCost / EffectiveCost per currency and the reconciliation status, as
        # `finops ingest` records them (one home for the UI's figures)
        return materialization_metadata(run.con, "focus_costs", run.month)

    focus_costs = partitioned_table_asset(
        "focus_costs",
        build=build,
        partitions=partitions,
        group=GROUP,
        deps=staging_keys,
        kinds={"duckdb", "sql"},
        description=(
            "The unified FOCUS 1.2 cost table. Grain: one row per provider charge line "
            "(GCP credits as their own Credit rows), every source, one billing month per partition."
        ),
    )

    def reconciled(con: duckdb.DuckDBPyConnection, month: date) -> dg.AssetCheckResult:
        rows = reconcile(con, month)
        failing = [r for r in rows if not r.ok]
        table = {
            f"{r.source} {r.currency} ({r.cost_basis})": f"raw {r.raw_total:.2f} / focus {r.focus_total:.2f}"
            for r in rows
        }
        return dg.AssetCheckResult(
            passed=not failing,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "groups_checked": len(rows),
                "groups_failing": len(failing),
                "totals": dg.MetadataValue.json(table),
            },
        )

    reconciles_with_raw = partitioned_check(
        focus_costs,
        "reconciles_with_raw",
        evaluate=reconciled,
        partitions=partitions,
        blocking=True,
        description=(
            "Sum of BilledCost (EffectiveCost for amortized-only exports) per source, billing "
            "period and currency equals the raw landing total, to the cent."
        ),
    )
    return focus_costs, reconciles_with_raw


def domain(
    policy: TagPolicy | None, partitions: dg.PartitionsDefinition, upstream: Sequence[dg.AssetKey]
) -> Domain:
    """The staging views over every raw landing (`upstream`), and focus_costs over them."""
    staging = build_staging_assets(upstream, partitions)
    staging_keys = [key for asset in staging for key in asset.keys]
    focus_costs, reconciliation = build_focus_assets(staging_keys, partitions, policy)
    return Domain([*staging, focus_costs], [reconciliation])
