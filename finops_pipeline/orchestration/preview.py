"""The one place that accepts Dagster's preview and beta notices for what we rely on: partitioned
asset checks, and single-run backfills.

Every asset check here is partitioned by billing month (an asset check on a partitioned
asset needs the same partitions_def), which Dagster 1.13 still calls a preview feature and
announces with a warning each time a check is defined. We rely on it knowingly, so the notice
says nothing a finops user can act on. `finops_pipeline.resources`, where the billing-month
partitions come from, calls `allow_partitioned_checks` on import, so any module that builds
checks on those partitions (the domains, the tests) is covered. The CLI and the code location
also hide Dagster's other stability notices (dagster_run.quiet_dagster_warnings).
"""

from __future__ import annotations

import warnings

PARTITIONED_CHECKS_NOTICE = "Specifying a partitions_def on an AssetCheckSpec"
# The derived assets take one run for a backfill (month_assets.ONE_RUN_PER_BACKFILL), a
# parameter Dagster 1.13 calls beta; month_assets calls this on import. The jobs that also
# land (raw assets) or report keep one run per month for a backfill, which Dagster says.
BACKFILL_POLICY_NOTICE = "Parameter `backfill_policy` of function"
MIXED_POLICIES_NOTICE = "Asset job .* materializes assets with varying BackfillPolicies"


def allow_partitioned_checks() -> None:
    warnings.filterwarnings("ignore", message=PARTITIONED_CHECKS_NOTICE)


def allow_single_run_backfills() -> None:
    warnings.filterwarnings("ignore", message=BACKFILL_POLICY_NOTICE)
    warnings.filterwarnings("ignore", message=MIXED_POLICIES_NOTICE)
