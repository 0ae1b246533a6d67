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
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import dagster as dg
import duckdb

from finops_pipeline.resources import WarehouseResource, partition_month

Metadata = Mapping[str, Any]


@dataclass(frozen=True)
class MonthBuild:
    """What a table's build gets: the open warehouse, the partition's billing month, and the
    run's log (warnings there show in the run's event log and `finops run --verbose`)."""

    con: duckdb.DuckDBPyConnection
    month: date
    log: dg.DagsterLogManager


def _metadata(built: int | Metadata) -> Metadata:
    return built if isinstance(built, Mapping) else {"rows": built}


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
    )
    def _table(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        month = partition_month(context.partition_key)
        with warehouse.connection() as con:
            built = build(MonthBuild(con, month, context.log))
        return dg.MaterializeResult(metadata=dict(_metadata(built)))

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

    @dg.multi_asset(name=name, specs=list(specs), partitions_def=partitions, can_subset=False)
    def _tables(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        month = partition_month(context.partition_key)
        with warehouse.connection() as con:
            built = build(MonthBuild(con, month, context.log))
        for spec in specs:
            metadata = _metadata(built[spec.key.to_user_string()])
            yield dg.MaterializeResult(asset_key=spec.key, metadata=dict(metadata))

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
    """The check `name` of `asset`: `evaluate` judges the partition's month on the open
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
    ) -> dg.AssetCheckResult:
        month = partition_month(context.partition_key)
        with warehouse.connection() as con:
            return evaluate(con, month)

    return _check
