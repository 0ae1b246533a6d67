"""Dagster assets that land each configured source's exports, one billing month at a time."""

import re

import dagster as dg

from finops_pipeline.ingest.service import ingest_path
from finops_pipeline.resources import WarehouseResource, partition_month
from finops_pipeline.settings import SourceSettings

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
            f"Raw landing of source '{source.name}' ({source.format}) from {source.path}. "
            "Grain: one row per provider line item, in the raw table of its format, with "
            "lineage columns. A restated month replaces that month for this source atomically."
        ),
        kinds={"duckdb"},
        metadata={"source_path": str(source.path), "format": source.format},
    )
    def _raw(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        period = partition_month(context.partition_key)
        con = warehouse.connect()
        try:
            if not source.path.exists():
                context.log.warning(f"source path {source.path} does not exist; nothing to land")
                return dg.MaterializeResult(metadata={"files_loaded": 0, "missing_path": True})
            report = ingest_path(
                con, source.path, source.name, source.format, period=period, rebuild=False
            )
        finally:
            con.close()
        for rejected in report.rejected:
            context.log.error(f"rejected: {rejected.reason}")
        metadata = {
            "files_loaded": report.count("loaded"),
            "files_skipped_duplicate": report.count("skipped_duplicate"),
            "files_rejected": report.count("rejected"),
            "rows_loaded": sum(f.rows for f in report.files if f.status == "loaded"),
        }
        if report.rejected:
            raise dg.Failure(
                description=f"{len(report.rejected)} file(s) rejected for {source.name}; "
                "the good files were loaded",
                metadata={**metadata, "first_error": report.rejected[0].reason or ""},
            )
        return dg.MaterializeResult(metadata=metadata)

    return _raw
