"""The one shape of a derived asset: a month-partitioned table built by a model.

Every derived table is rebuilt one billing month at a time by a plain-Python build function
of its domain (`waste.build.build_waste_findings`, ...), which Dagster must not need to know
about. What is left for the asset is always the same: open the warehouse, hand the build the
partition's month, record what was built as the materialisation's metadata, close the
warehouse. `partitioned_table_asset` writes that once, in the spirit of
`sql_checks.sql_check` for checks; `partitioned_tables_asset` does the same for one build
that writes several tables together (a `multi_asset` that cannot be subset), and
`partitioned_check` for a check that judges one month of a table from the warehouse.

A build gets a `MonthBuild` and returns the metadata to record: a number of rows (recorded
as `rows`), or a mapping of metadata (for several tables, one mapping per table name).
It runs while the connection is open, so it may measure what it wrote
(`orchestration.materializations.materialization_metadata`).

A run covers one month (what the UI, the schedules and `finops run` launch) or a range of
months (`month_runner.build_month_range`: `finops demo`, the fixtures, a single-run backfill
in the UI), so Dagster's cost per run and per step is paid once, not once per month. An asset
then builds each month of the range in order, oldest first (anomalies and the forecast read
the months before), and records each month's metadata on that month's materialization; a
check judges each month and reports one evaluation per month (`partition` set), so a failed
month is named and a failed blocking check still stops the downstream assets. A one-month run
behaves as before: one result, the build's own error.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dagster as dg
import duckdb

# not exported by dagster: what an evaluation points at (the UI links a check to it)
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)

from finops_pipeline.dagster_run import one_line
from finops_pipeline.errors import FinopsError
from finops_pipeline.orchestration.preview import allow_single_run_backfills
from finops_pipeline.resources import WarehouseResource, partition_month

allow_single_run_backfills()

Metadata = Mapping[str, Any]
CheckEvent = dg.AssetCheckResult | dg.AssetCheckEvaluation | dg.Output


@dataclass(frozen=True)
class MonthBuild:
    """What a table's build gets: the open warehouse, the partition's billing month, the
    run's log (warnings there show in the run's event log and `finops run --verbose`), the
    run's tags (how a run narrows a build, e.g. `core.assets.FOCUS_SCOPE_TAG`) and every month
    of the run, oldest first (a build that is cheaper in one statement for the whole range
    does it on the first month)."""

    con: duckdb.DuckDBPyConnection
    month: date
    log: dg.DagsterLogManager
    tags: Mapping[str, str] = field(default_factory=dict)
    months: tuple[date, ...] = ()


# A run over several months builds them in one step: the backfill the UI launches for these
# assets is one run over the selected months, as `finops demo` runs it.
ONE_RUN_PER_BACKFILL = dg.BackfillPolicy.single_run()


class MonthFailed(FinopsError):
    """A month of a multi-month run failed: which month, and the build's one-line reason
    (the class name kept when it is not an error finops raises for users, i.e. a bug)."""

    def __init__(self, month: date, error: Exception) -> None:
        super().__init__(f"{month:%Y-%m}: {one_line(error)}")


def _metadata(built: int | Metadata) -> Metadata:
    return built if isinstance(built, Mapping) else {"rows": built}


def build_each_month(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    build: Callable[[MonthBuild], Any],
) -> list[tuple[str, Any]]:
    """(partition key, what `build` returned) for each month of the run, oldest first, on one
    connection, built by the warehouse's engine (DuckDB, or Spark into the lake). In a multi-month run a failure names its month (the months before it stay
    built: each build replaces its month atomically)."""
    keys = context.partition_keys
    months = tuple(partition_month(key) for key in keys)
    built: list[tuple[str, Any]] = []
    with warehouse.connection() as con, warehouse.building():
        for key, month in zip(keys, months, strict=True):
            try:
                run = MonthBuild(con, month, context.log, context.run.tags, months)
                built.append((key, build(run)))
            except Exception as error:
                if len(keys) == 1:
                    raise  # a one-month run reports the build's own error, as always
                raise MonthFailed(month, error) from error
    return built


def _record(
    context: dg.AssetExecutionContext, key: dg.AssetKey, built: list[tuple[str, Any]]
) -> dg.MaterializeResult:
    """The materialisation of `key`: each month's metadata on that month's event."""
    for partition, metadata in built:
        context.add_asset_metadata(
            dict(_metadata(metadata)), asset_key=key, partition_key=partition
        )
    return dg.MaterializeResult(asset_key=key)


def partitioned_table_asset(
    name: str,
    *,
    build: Callable[[MonthBuild], int | Metadata],
    partitions: dg.PartitionsDefinition,
    group: str,
    deps: Sequence[dg.AssetKey | str],
    kinds: set[str],
    description: str,
) -> dg.AssetsDefinition:
    """The asset `name` (= table = SQL model = contract stem), rebuilt one month at a time."""

    @dg.asset(
        name=name,
        group_name=group,
        partitions_def=partitions,
        deps=list(deps),
        kinds=kinds,
        description=description,
        backfill_policy=ONE_RUN_PER_BACKFILL,
    )
    def _table(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        return _record(context, context.assets_def.key, build_each_month(context, warehouse, build))

    return _table


def partitioned_tables_asset(
    name: str,
    specs: Sequence[dg.AssetSpec],
    *,
    build: Callable[[MonthBuild], Mapping[str, int | Metadata]],
    partitions: dg.PartitionsDefinition,
) -> dg.AssetsDefinition:
    """Several tables one build writes together (`name`: the step that builds them); the
    build returns each table's metadata by table name, in the order the specs name them."""

    @dg.multi_asset(
        name=name,
        specs=list(specs),
        partitions_def=partitions,
        can_subset=False,
        backfill_policy=ONE_RUN_PER_BACKFILL,
    )
    def _tables(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        built = build_each_month(context, warehouse, build)
        for spec in specs:
            table = spec.key.to_user_string()
            yield _record(context, spec.key, [(key, tables[table]) for key, tables in built])

    return _tables


def partitioned_check(
    asset: str | dg.AssetKey | dg.AssetsDefinition,
    name: str,
    *,
    evaluate: Callable[[duckdb.DuckDBPyConnection, date], dg.AssetCheckResult],
    partitions: dg.PartitionsDefinition,
    description: str,
    blocking: bool = False,
) -> dg.AssetChecksDefinition:
    """The check `name` of `asset`: `evaluate` judges each month of the run on the open
    warehouse (a check on a partitioned asset needs the same partitions)."""

    @dg.asset_check(
        asset=asset,
        name=name,
        partitions_def=partitions,
        blocking=blocking,
        description=description,
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[CheckEvent]:
        with warehouse.connection() as con:
            yield from judge_each_month(context, lambda month: evaluate(con, month))

    return _check


def judge_each_month(
    context: dg.AssetCheckExecutionContext, judge: Callable[[date], dg.AssetCheckResult]
) -> Iterator[CheckEvent]:
    """`judge` each month of the run, oldest first. One month: its result, as Dagster
    records it. Several: one evaluation per month, with its partition and (as Dagster does
    for one) the month's latest materialisation of the asset; a failed blocking evaluation
    fails the step, which stops the downstream assets."""
    keys = context.partition_keys
    if len(keys) == 1:
        yield judge(partition_month(keys[0]))
        return
    [spec] = context.check_specs
    for key in keys:
        result = judge(partition_month(key))
        yield dg.AssetCheckEvaluation(
            asset_key=spec.asset_key,
            check_name=spec.name,
            passed=result.passed,
            metadata=result.metadata,
            severity=result.severity,
            description=result.description,
            blocking=spec.blocking,
            partition=key,
            target_materialization_data=_latest_materialization(context, spec.asset_key, key),
        )
    # the check's (Nothing) output, which an evaluation yielded by itself does not emit
    yield dg.Output(None, output_name=context.op_def.output_defs[0].name)


def _latest_materialization(
    context: dg.AssetCheckExecutionContext, asset: dg.AssetKey, partition: str
) -> AssetCheckEvaluationTargetMaterializationData | None:
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=asset, asset_partitions=[partition]), limit=1
    ).records
    if not records:
        return None
    return AssetCheckEvaluationTargetMaterializationData(
        run_id=records[0].event_log_entry.run_id,
        storage_id=records[0].storage_id,
        timestamp=records[0].timestamp,
    )
