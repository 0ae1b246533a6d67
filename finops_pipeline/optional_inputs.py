"""Warning checks for the optional inputs: business metrics (metric pools in showback, and
unit costs) and budgets.

Not configured, the one table that needs them is empty by choice (the check passes and its
description says how to enable it). Configured but the file is missing, that table is built
without it instead of failing the run, and this check warns in `finops run`'s output and
the Dagster UI, naming the file and the finops.yaml key. Exchange rates have their
own check on showback (`reporting_currency_missing`).
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg

from finops_pipeline.orchestration.month_assets import CheckEvent, judge_each_month
from finops_pipeline.settings import Settings

CHECK_NAME = "optional_inputs_present"


def _state(path: Path | None, inline: bool, what: str, key: str, table: str) -> tuple[bool, str]:
    """Passes when the input is there or was never asked for (the table is empty by choice,
    as with the generic defaults); warns when a configured file is missing."""
    if path is not None and path.is_file():
        return True, f"{what}: {path}"
    if path is None and inline:
        return True, f"{what}: configured inline"
    if path is None:
        return True, f"no {what} configured: {table} is empty; set `{key}` in finops.yaml"
    return False, f"{path}: {what} file not found ({key}): {table} is built without it"


def build_optional_input_checks(
    settings: Settings, partitions: dg.PartitionsDefinition
) -> list[dg.AssetChecksDefinition]:
    metrics = settings.metrics.path if settings.metrics is not None else None
    budgets = settings.forecast.budgets_path
    inputs: list[tuple[str, Callable[[], tuple[bool, str]]]] = [
        (
            "showback_monthly",
            lambda: _state(
                metrics,
                False,
                "business metrics",
                "metrics.path",
                "showback_monthly's metric pools",
            ),
        ),
        (
            "unit_costs",
            lambda: _state(metrics, False, "business metrics", "metrics.path", "unit_costs"),
        ),
        (
            "budget_variance",
            lambda: _state(
                budgets,
                bool(settings.forecast.budgets),
                "budgets",
                "forecast.budgets_path",
                "budget_variance",
            ),
        ),
    ]
    return [_check(table, state, partitions) for table, state in inputs]


def _check(
    table: str, state: Callable[[], tuple[bool, str]], partitions: dg.PartitionsDefinition
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name=CHECK_NAME,
        partitions_def=partitions,
        blocking=False,
        description=f"The optional input {table} needs is configured and readable (warning).",
    )
    def _present(context: dg.AssetCheckExecutionContext) -> Iterator[CheckEvent]:
        passed, description = state()
        result = dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.WARN,
            description=description,
            metadata={"input": description},
        )
        yield from judge_each_month(context, lambda month: result)  # the same for every month

    return _present
