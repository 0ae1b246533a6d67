"""What the Spark tests compare with DuckDB after `finops run`: one list for the standalone
cluster test and the every-shared-export test."""

from __future__ import annotations

# Every table `finops run` builds, compared row for row (money exact).
BUILT_TABLES = (
    "focus_costs",
    "tag_violations",
    "tag_compliance",
    "waste_findings",
    "allocation_ledger",
    "showback_monthly",
    "unit_costs",
    "cost_anomalies",
    "cost_anomaly_coverage",
    "cost_forecast",
    "budget_variance",
)
# Columns that differ between two builds by design: the build's clock, the load's id.
PER_BUILD_COLUMNS = {
    "cost_anomalies": ("detected_at", "updated_at"),
    "focus_costs": ("x_LoadId",),
}
