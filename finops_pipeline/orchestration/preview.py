"""The one place that accepts Dagster's preview notice for partitioned asset checks.

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


def allow_partitioned_checks() -> None:
    warnings.filterwarnings("ignore", message=PARTITIONED_CHECKS_NOTICE)
