"""Dagster assets that land each configured source's exports, one billing month at a time."""

import re
from datetime import date

import dagster as dg
import duckdb

from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.ingest.service import IngestReport, ingest_path
from finops_pipeline.resources import WarehouseResource, partition_month

GROUP = "ingest"


def raw_asset_key(source_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", re.sub(r"[^0-9a-zA-Z_]", "_", source_name)])


def build_raw_asset(
    source: SourceSettings, partitions: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    """Landing of one source: its deliveries for the partition's month replace that month."""

    @dg.asset(
        key=raw_asset_key(source.name),
        group_name=GROUP,
        partitions_def=partitions,
        description=(
            f"Raw landing of source '{source.name}' ({source.format}) from {source.where}. "
            "Grain: one row per provider line item, in the raw table of its format, with "
            "lineage columns. A restated month replaces that month for this source atomically."
        ),
        kinds={"duckdb"},
        metadata={"source_path": source.where, "format": source.format},
    )
    def _raw(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        period = partition_month(context.partition_key)
        with warehouse.connection() as con:
            if source.location:
                return _sync_cloud_source(context, con, source, period)
            assert source.path is not None
            if not source.path.exists():
                context.log.warning(f"source path {source.path} does not exist; nothing to land")
                return dg.MaterializeResult(metadata={"files_loaded": 0, "missing_path": True})
            report = ingest_path(con, source.path, source.name, source.format, period=period)
        return _result(context, source, report)

    return _raw


def _sync_cloud_source(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    source: SourceSettings,
    period: date,
) -> dg.MaterializeResult:
    """Fetch the partition's month from the cloud location (only what changed), then land it."""
    from finops_pipeline.connectors.sync import sync_source

    synced = sync_source(con, source, period=period)
    context.log.info(
        f"{source.where}: {len(synced.fetched)} delivery(ies) fetched, "
        f"{len(synced.unchanged)} unchanged"
    )
    return _result(context, source, synced.ingest, {"deliveries_fetched": len(synced.fetched)})


def _result(
    context: dg.AssetExecutionContext,
    source: SourceSettings,
    report: IngestReport,
    extra: dict | None = None,
) -> dg.MaterializeResult:
    for rejected in report.rejected:
        context.log.error(f"rejected: {rejected.reason}")
    metadata = {
        "files_loaded": report.count("loaded"),
        "files_skipped_duplicate": report.count("skipped_duplicate"),
        "files_rejected": report.count("rejected"),
        "rows_loaded": sum(f.rows for f in report.files if f.status == "loaded"),
        **(extra or {}),
    }
    if report.rejected:
        raise dg.Failure(
            description=f"{len(report.rejected)} file(s) rejected for {source.name}; "
            "the good files were loaded",
            metadata={**metadata, "first_error": report.rejected[0].reason or ""},
        )
    return dg.MaterializeResult(metadata=metadata)
