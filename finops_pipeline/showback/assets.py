"""Dagster assets for the allocation ledger and showback, and the conservation check."""

import warnings
from collections.abc import Iterator

import dagster as dg

from finops_pipeline.orchestration.materializations import table_metadata
from finops_pipeline.resources import WarehouseResource, partition_month
from finops_pipeline.settings import Settings
from finops_pipeline.showback.allocate import build_showback, conservation

GROUP = "showback"
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")


def build_showback_assets(
    settings: Settings, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> tuple[dg.AssetsDefinition, dg.AssetChecksDefinition]:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                "allocation_ledger",
                group_name=GROUP,
                deps=upstream,
                kinds={"duckdb"},
                description=(
                    "Every movement of cost from a charge or a shared pool to a team, with the "
                    "rule and basis. Grain: month x source line (team, provider, sub-account, "
                    "service) or pool x team x currency."
                ),
            ),
            dg.AssetSpec(
                "showback_monthly",
                group_name=GROUP,
                deps=["allocation_ledger"],
                kinds={"duckdb"},
                description=(
                    "Showback for finance. Grain: billing month x team x kind (direct / shared "
                    "/ unallocated) x billing currency, with reporting-currency amounts."
                ),
            ),
        ],
        partitions_def=partitions,
        can_subset=False,
    )
    def showback(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        period = partition_month(context.partition_key)
        con = warehouse.connect()
        try:
            build_showback(con, settings, period)
            ledger = table_metadata(con, "allocation_ledger", period)
            showback = table_metadata(con, "showback_monthly", period)
        finally:
            con.close()
        yield dg.MaterializeResult(asset_key="allocation_ledger", metadata=ledger)
        yield dg.MaterializeResult(asset_key="showback_monthly", metadata=showback)

    @dg.asset_check(
        asset="showback_monthly",
        name="conserves_focus_costs",
        partitions_def=partitions,
        blocking=True,
        description=(
            "Per billing month and currency, the sum of showback_monthly equals the sum of "
            "focus_costs exactly, for BilledCost and for EffectiveCost: allocation moves cost, "
            "it never creates or loses any."
        ),
    )
    def conserves_focus_costs(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        period = partition_month(context.partition_key)
        con = warehouse.connect()
        try:
            rows = conservation(con, period)
        finally:
            con.close()
        failing = [r for r in rows if not r.ok]
        return dg.AssetCheckResult(
            passed=not failing,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "currencies_checked": len(rows),
                "currencies_failing": len(failing),
                "differences": dg.MetadataValue.json(
                    {
                        str(r.billing_currency): {
                            "billed": str(r.billed_difference),
                            "effective": str(r.effective_difference),
                        }
                        for r in rows
                    }
                ),
            },
        )

    return showback, conserves_focus_costs
