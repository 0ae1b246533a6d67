"""Run the Dagster jobs in-process (for `finops run` and the tests), on a real instance.

`finops ui` and `finops run` share one DAGSTER_HOME (./.dagster_home unless set), so runs
started from the command line show up in the UI with their asset checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import dagster as dg

DAGSTER_YAML = """\
telemetry:
  enabled: false
nux:
  enabled: false
run_queue:
  max_concurrent_runs: 1
"""


# The CLI reports one line per month; Dagster's step-by-step DEBUG log stays in the UI.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def dagster_home() -> Path:
    """DAGSTER_HOME, or ./.dagster_home created with telemetry off, no first-visit dialog
    (nux) and one run at a time."""
    home = Path(os.environ.get("DAGSTER_HOME") or ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_partitions(
    defs: dg.Definitions,
    job_name: str,
    partition_keys: list[str],
    on_done: Callable[[str, dg.ExecuteInProcessResult], None] | None = None,
) -> list[dg.ExecuteInProcessResult]:
    """Execute `job_name` once per partition, in order, on the persistent instance."""
    dagster_home()
    job = defs.resolve_job_def(job_name)
    results = []
    with dg.DagsterInstance.get() as instance:
        for key in partition_keys:
            result = job.execute_in_process(
                partition_key=key, instance=instance, raise_on_error=False, run_config=QUIET
            )
            results.append(result)
            if on_done:
                on_done(key, result)
    return results


def split_failed_checks(result: dg.ExecuteInProcessResult) -> tuple[list[str], list[str]]:
    """Failed checks as (error severity, warning severity): only errors fail a run's exit code,
    as only they block downstream assets."""
    errors, warnings = [], []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            is_warning = evaluation.severity == dg.AssetCheckSeverity.WARN
            (warnings if is_warning else errors).append(name)
    return errors, warnings


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    failures = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            failures.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failures
