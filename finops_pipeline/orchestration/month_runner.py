"""The one way the derived tables are built: the Dagster job `build_derived`, one billing
month per run, in the order of the asset graph.

`finops run`, `finops demo` and the test fixtures that need built marts all come here, so
the graph (each domain's `assets.py` naming what it reads) is the only place that knows
which table is built before which. Nothing else calls two domains' build functions in a row
(tests/unit/test_one_orchestrator.py).

Why one run per month rather than one run over a range of months (a single-run backfill
policy, which would need every asset and check body to handle a partition range): `finops
run` reports, skips and records each month on its own, and a failed step fails only its
month. The cost is Dagster's overhead per month (README, "Dagster").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dagster as dg

    from finops_pipeline.settings import Settings

JOB = "build_derived"
OnDone = Callable[[str, "dg.ExecuteInProcessResult"], None]


def partition_keys(months: Sequence[date]) -> list[str]:
    """Billing months -> the job's partition keys (`YYYY-MM-01`), oldest first."""
    return [f"{m:%Y-%m-01}" for m in sorted(set(months))]


def loaded_month_keys(warehouse: Path) -> list[str]:
    """The partition key of every month loaded in `warehouse` (none when it is absent)."""
    from contextlib import closing

    from finops_pipeline.core.focus import loaded_months
    from finops_pipeline.warehouse import connect

    if not warehouse.exists():
        return []
    with closing(connect(warehouse)) as con:  # loaded_months may create raw tables
        return partition_keys(loaded_months(con))


def build_months(
    settings: Settings,
    warehouse: Path,
    keys: Sequence[str],
    *,
    on_done: OnDone | None = None,
    verbose: bool = False,
) -> list[dg.ExecuteInProcessResult]:
    """Run `build_derived` for each partition key in `keys`, oldest first, in-process on the
    instance `finops ui` shares (DAGSTER_HOME, else `.dagster_home` beside the warehouse).

    The warehouse must not be open for writing in this process: each step opens it.
    `on_done(key, result)` is called after each month (what `finops run` prints)."""
    from finops_pipeline.dagster_run import run_partitions
    from finops_pipeline.definitions import build_definitions

    defs = build_definitions(settings, str(warehouse))
    return run_partitions(
        defs, JOB, list(keys), on_done=on_done, verbose=verbose, home_beside=warehouse.parent
    )


def build_every_month(settings: Settings, warehouse: Path) -> list[str]:
    """Build the derived tables of every loaded month; one line per month whose run failed
    (`YYYY-MM-01: <failed steps and blocking checks>`). What a fixture or a benchmark needs:
    the tables as `finops run` builds them, and why not when they could not be."""
    from finops_pipeline.dagster_run import split_failed_checks, step_failures

    failed: list[str] = []

    def note(key: str, result: dg.ExecuteInProcessResult) -> None:
        checks = split_failed_checks(result)[0]
        if not result.success or checks:
            steps = [f"step {f.step}: {f.reason}" for f in step_failures(result)]
            failed.append(f"{key}: {'; '.join(steps + checks) or 'failed'}")

    build_months(settings, warehouse, loaded_month_keys(warehouse), on_done=note)
    return failed
