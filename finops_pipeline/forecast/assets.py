"""Dagster assets for `cost_forecast` and `budget_variance`, and their checks."""

import dagster as dg

from finops_pipeline.forecast.budgets import build_budget_variance
from finops_pipeline.forecast.build import build_cost_forecast
from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.orchestration.domains import Domain
from finops_pipeline.orchestration.month_assets import partitioned_table_asset
from finops_pipeline.showback.assets import SHOWBACK_MONTHLY
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.sql_checks import sql_check

GROUP = "insights"


def build_forecast_assets(
    showback: ShowbackSection,
    forecast: ForecastSettings,
    partitions: dg.PartitionsDefinition,
    upstream: list[dg.AssetKey],
) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    cost_forecast = partitioned_table_asset(
        "cost_forecast",
        build=lambda run: build_cost_forecast(run.con, showback, forecast, run.month),
        partitions=partitions,
        group=GROUP,
        deps=upstream,
        kinds={"duckdb", "python"},
        description=(
            "Month-end effective cost forecast in total, per provider and per team (allocated "
            "like showback), with 80% and 95% intervals: robust local levels with weekday "
            "factors weighted by rolling-origin validation on recurring daily cost of complete "
            "days, intervals from the errors of true refits; one-off charges (purchases, tax, "
            "credits, adjustments) from recent months' day-of-month profile. Closed months "
            "hold their actual. Per billing currency when an exchange rate is missing. "
            "Grain: billing month x scope x key x currency."
        ),
    )
    budget_variance = partitioned_table_asset(
        "budget_variance",
        build=lambda run: build_budget_variance(run.con, forecast, run.month),
        partitions=partitions,
        group=GROUP,
        deps=["cost_forecast"],
        kinds={"duckdb", "sql"},
        description=(
            "Each team's budget against its actual to date and month-end forecast (with "
            "intervals): variance, variance % and status (on track / at risk when the 80% "
            "upper bound crosses the budget / over budget; closed months over / under budget; "
            "thresholds in finops.yaml forecast.*). Grain: billing month x budgeted team."
        ),
    )

    thresholds = forecast
    checks = [
        sql_check(
            "cost_forecast",
            "intervals_ordered",
            partitions,
            "Every forecast has both intervals, ordered lower_95 <= lower_80 <= forecast <= "
            "upper_80 <= upper_95.",
        ),
        sql_check(
            "cost_forecast",
            "team_actuals_match_showback",
            partitions,
            "In a closed month each team's actual equals its showback_monthly cost exactly.",
        ),
        sql_check(
            "cost_forecast",
            "reporting_currency_missing",
            partitions,
            "Warning: months and currency pairs without an exchange rate to the reporting "
            "currency; the forecast is then per billing currency with NULL reporting amounts.",
            severity=dg.AssetCheckSeverity.WARN,
        ),
        sql_check(
            "budget_variance",
            "status_follows_thresholds",
            partitions,
            "Status and variance follow the configured thresholds and the row's figures.",
            extra_params=lambda: {
                "at_risk_at": thresholds.at_risk_at,
                "over_budget_at": thresholds.over_budget_at,
            },
        ),
    ]
    return [cost_forecast, budget_variance], checks


def domain(
    showback: ShowbackSection, forecast: ForecastSettings, partitions: dg.PartitionsDefinition
) -> Domain:
    assets, checks = build_forecast_assets(showback, forecast, partitions, [SHOWBACK_MONTHLY])
    return Domain(assets, checks)
