"""Dagster assets for the allocation ledger and showback, and the conservation check."""

from datetime import date

import dagster as dg
import duckdb

from finops_pipeline.core.assets import FOCUS_COSTS
from finops_pipeline.orchestration.domains import Domain
from finops_pipeline.orchestration.materializations import materialization_metadata
from finops_pipeline.orchestration.month_assets import (
    MonthBuild,
    partitioned_check,
    partitioned_tables_asset,
)
from finops_pipeline.showback.allocate import build_showback, conservation
from finops_pipeline.showback.currency import RATES_HINT, describe_missing
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.sql_checks import failing_rows

GROUP = "showback"
SHOWBACK_MONTHLY = dg.AssetKey("showback_monthly")  # what the insights read


def build_showback_assets(
    settings: ShowbackSection, partitions: dg.PartitionsDefinition, upstream: list[dg.AssetKey]
) -> tuple[dg.AssetsDefinition, dg.AssetChecksDefinition]:
    def build(run: MonthBuild) -> dict[str, dict]:
        built = build_showback(run.con, settings, run.month)
        missing = describe_missing(built.missing_rates, settings.reporting.currency)
        if built.missing_rates:
            run.log.warning(
                f"no exchange rate for {missing}: reporting-currency amounts are NULL there; "
                f"add rates with {RATES_HINT}"
            )
        showback = materialization_metadata(run.con, "showback_monthly", run.month)
        return {
            "allocation_ledger": materialization_metadata(run.con, "allocation_ledger", run.month),
            "showback_monthly": {**showback, "no_exchange_rate": missing or "-"},
        }

    showback = partitioned_tables_asset(
        "showback",
        [
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
        build=build,
        partitions=partitions,
    )

    def conserved(con: duckdb.DuckDBPyConnection, month: date) -> dg.AssetCheckResult:
        rows = conservation(con, month)
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

    conserves_focus_costs = partitioned_check(
        "showback_monthly",
        "conserves_focus_costs",
        evaluate=conserved,
        partitions=partitions,
        blocking=True,
        description=(
            "Per billing month and currency, the sum of showback_monthly equals the sum of "
            "focus_costs exactly, for BilledCost and for EffectiveCost: allocation moves cost, "
            "it never creates or loses any."
        ),
    )
    return showback, conserves_focus_costs


def build_reporting_currency_check(
    partitions: dg.PartitionsDefinition,
) -> dg.AssetChecksDefinition:
    """Warning check on showback_monthly: the month's currency pairs without a rate."""

    def rates_present(con: duckdb.DuckDBPyConnection, month: date) -> dg.AssetCheckResult:
        rows = failing_rows(
            con, "showback_monthly", "reporting_currency_missing", {"billing_month": month}
        )
        pairs = [str(r["pair"]) for r in rows]
        return dg.AssetCheckResult(
            passed=not rows,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                f"no exchange rate for {', '.join(pairs)}: add rates with {RATES_HINT}"
                if pairs
                else None
            ),
            metadata={
                "missing_pairs": dg.MetadataValue.json(pairs),
                "billing_currency_totals": dg.MetadataValue.json(
                    {
                        str(r["pair"]): {
                            "billed": str(r["billed_cost"]),
                            "effective": str(r["effective_cost"]),
                        }
                        for r in rows
                    }
                ),
            },
        )

    return partitioned_check(
        "showback_monthly",
        "reporting_currency_missing",
        evaluate=rates_present,
        partitions=partitions,
        description=(
            "Warning: billing currencies of the month without an exchange rate to the "
            "reporting currency. Their showback is built and conserved in the billing "
            "currency, the reporting-currency columns are NULL. Fix: `finops rates import "
            "FILE` (ECB reference rates or a month,from_currency,to_currency,rate CSV), then "
            "`finops run`."
        ),
    )


def domain(settings: ShowbackSection, partitions: dg.PartitionsDefinition) -> Domain:
    showback, conservation = build_showback_assets(settings, partitions, [FOCUS_COSTS])
    return Domain([showback], [conservation, build_reporting_currency_check(partitions)])
