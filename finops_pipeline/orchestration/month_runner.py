"""The one way the derived tables are built: the Dagster job `build_derived`, in the order of
the asset graph.

`finops run`, `finops demo` and the test fixtures that need built marts all come here, so
the graph (each domain's `assets.py` naming what it reads) is the only place that knows
which table is built before which. Nothing else calls two domains' build functions in a row
(tests/unit/test_one_orchestrator.py).

Two ways to run it over several months:
- `build_month_range`: ONE run over the range of months (each run of consecutive months):
  every step builds or judges all its months in order (orchestration/month_assets.py), so
  Dagster's cost per run and per step (~1-3 s a month on this machine) is paid once. A failed
  step stops what depends on it for every month of the range; the failures name their month.
  What `finops demo`, the fixtures and the benchmarks use.
- `build_months`: one run per month, so `finops run` reports, skips and records each month
  on its own, and a failed step fails only its month.

After a command-line load, `refresh_focus_range` runs the same job over the loaded months,
narrowed to focus_costs and to the (source, billing period) pairs the load left pending: the
one way `finops ingest` rebuilds focus_costs (its materializations are the run's own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
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


def month_partition_key(month: str) -> str:
    """'2024-05' (as users type it) -> '2024-05-01' (the partition key). Here, not in
    resources.py: `finops run` needs it before it knows whether Dagster is needed at all,
    and importing Dagster is half of a rerun that skips every month (issue 16)."""
    try:
        return datetime.strptime(month, "%Y-%m").strftime("%Y-%m-01")
    except ValueError as exc:
        raise ValueError(f"month {month!r} is not YYYY-MM") from exc


def loaded_month_keys(warehouse: Path) -> list[str]:
    """The partition key of every month loaded in `warehouse` (none when it is absent)."""
    from contextlib import closing

    from finops_pipeline.core.focus import loaded_months
    from finops_pipeline.warehouse import connect

    if not warehouse.exists():
        return []
    with closing(connect(warehouse)) as con:  # loaded_months may create raw tables
        return partition_keys(loaded_months(con))


def consecutive_ranges(keys: Sequence[str]) -> list[tuple[str, str]]:
    """(first, last) of each run of consecutive months in `keys`: a range run builds every
    month between its ends, so a month that is not loaded splits the range."""
    ranges: list[tuple[str, str]] = []
    previous = -2
    for key in sorted(set(keys)):
        index = int(key[:4]) * 12 + int(key[5:7])
        if index == previous + 1:
            ranges[-1] = (ranges[-1][0], key)
        else:
            ranges.append((key, key))
        previous = index
    return ranges


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

    defs = build_definitions(settings, str(warehouse), cover=keys)
    return run_partitions(
        defs, JOB, list(keys), on_done=on_done, verbose=verbose, home_beside=warehouse.parent
    )


def build_month_range(
    settings: Settings, warehouse: Path, keys: Sequence[str], *, verbose: bool = False
) -> list[tuple[str, str, dg.ExecuteInProcessResult]]:
    """Run `build_derived` once over each run of consecutive months in `keys`, oldest range
    first, on the same instance as `build_months`: (first, last, result) per range."""
    from finops_pipeline.dagster_run import run_partition_range
    from finops_pipeline.definitions import build_definitions

    defs = build_definitions(settings, str(warehouse), cover=keys)
    return [
        (first, last, run_partition_range(defs, JOB, first, last, verbose, warehouse.parent))
        for first, last in consecutive_ranges(keys)
    ]


def range_failures(first: str, last: str, result: dg.ExecuteInProcessResult) -> list[str]:
    """Why a run over `first`..`last` failed, each line naming its month: `YYYY-MM-01:
    <checks that failed with error severity>` per month, `<range>: step <step>: <reason>` per failed
    step (a build that failed names its month in the reason). Empty when it did not fail."""
    import dagster as dg

    from finops_pipeline.dagster_run import step_failures

    label = first if first == last else f"{first}..{last}"
    by_month: dict[str, list[str]] = {}
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            by_month.setdefault(evaluation.partition or label, []).append(name)
    lines = [f"{month}: {', '.join(checks)}" for month, checks in sorted(by_month.items())]
    lines += [f"{label}: step {f.step}: {f.reason}" for f in step_failures(result)]
    if not result.success and not lines:
        lines.append(f"{label}: failed")
    return lines


def refresh_focus_range(settings: Settings, warehouse: Path, months: Iterable[date]) -> None:
    """Rebuild focus_costs for the pairs pending in `months` after a load: one run of the job
    per run of consecutive months, selecting focus_costs only (the marts are `finops run`'s,
    the checks judge a month `finops run` builds) and tagged so the asset rebuilds only the
    pending pairs (core.assets.FOCUS_SCOPE_TAG), not every source of the months.

    A range's pairs are replaced in one transaction, so a failed range keeps its earlier
    focus_costs rows and its pairs pending (the other ranges are built). Raises RefreshFailed
    naming the ranges that failed. The warehouse must not be open for
    writing in this process."""
    from finops_pipeline.core.assets import FOCUS_COSTS, FOCUS_SCOPE_TAG, PENDING_SCOPE
    from finops_pipeline.dagster_run import run_partition_range
    from finops_pipeline.definitions import build_definitions
    from finops_pipeline.errors import RefreshFailed

    keys = partition_keys(list(months))
    if not keys:
        return
    # the partitions follow focus_costs' months, which a load of older or later ones is not
    # in yet: they cover the load's months (orchestration/partitions.py)
    defs = build_definitions(settings, str(warehouse), cover=keys)
    failures: list[str] = []
    for first, last in consecutive_ranges(keys):
        result = run_partition_range(
            defs, JOB, first, last, home_beside=warehouse.parent,
            assets=[FOCUS_COSTS], tags={FOCUS_SCOPE_TAG: PENDING_SCOPE},
        )  # fmt: skip
        failures += range_failures(first, last, result)
    if failures:
        raise RefreshFailed(failures)


def build_every_month(settings: Settings, warehouse: Path) -> list[str]:
    """Build the derived tables of every loaded month in one run (per run of consecutive
    months); what failed, one line per month or failed step (`range_failures`). What a
    fixture or a benchmark needs: the tables as `finops run` builds them, and why not when
    they could not be."""
    built = build_month_range(settings, warehouse, loaded_month_keys(warehouse))
    return [line for first, last, result in built for line in range_failures(first, last, result)]
