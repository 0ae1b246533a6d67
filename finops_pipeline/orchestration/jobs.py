"""The asset jobs, one billing month per run: what `finops run`, the schedules and the UI's
launchpad start. Each selects by group, so a table added to a domain joins them by itself."""

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

INGEST_GROUP = "ingest"
REPORTS_GROUP = "reports"


def build_jobs() -> list[UnresolvedAssetJobDefinition]:
    return [
        dg.define_asset_job(
            "billing_month_refresh",
            selection=dg.AssetSelection.all(),
            description="Land every source and rebuild the derived tables for one billing month.",
        ),
        dg.define_asset_job(
            "build_derived",
            selection=dg.AssetSelection.all()
            - dg.AssetSelection.groups(INGEST_GROUP, REPORTS_GROUP),
            description="Rebuild every derived table of one billing month from what is loaded.",
        ),
        dg.define_asset_job(
            "daily_refresh",
            selection=dg.AssetSelection.all() - dg.AssetSelection.groups(REPORTS_GROUP),
            description=(
                "Land every source and rebuild every table except the reports for one billing "
                "month (the daily schedule runs it for the current and the previous month)."
            ),
        ),
        dg.define_asset_job(
            "month_close",
            selection=dg.AssetSelection.all(),
            description="Land, rebuild and report one closed billing month, finance report included.",
        ),
    ]
