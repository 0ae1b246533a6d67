"""Dagster asset `finance_report`: the monthly allocation report of one billing month.

Group `reports`, so the monthly close job (every asset of the group) writes it after the
marts it reads are rebuilt.
"""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from finops_pipeline.orchestration.domains import Domain
from finops_pipeline.report.build import write_report
from finops_pipeline.report.settings import ReportSettings
from finops_pipeline.resources import WarehouseResource, partition_month
from finops_pipeline.showback.rules import ShowbackSection

GROUP = "reports"


def build_report_asset(
    showback: ShowbackSection,
    report: ReportSettings,
    partitions: dg.PartitionsDefinition,
    upstream: Sequence[dg.AssetKey],
) -> dg.AssetsDefinition:
    @dg.asset(
        name="finance_report",
        group_name=GROUP,
        partitions_def=partitions,
        deps=list(upstream),
        kinds={"html", "excel", "python"},
        description=(
            "The monthly allocation report finance partners read: headline reconciled to each "
            "export's invoice, showback by team vs last month, shared pools, unallocated cost "
            "with tag fixes, tag compliance, anomalies and waste, data completeness and "
            "restatements, method. Files (HTML, XLSX, CSV, PDF as configured in report.formats) "
            "go to report.output_dir; each run appends the teams' totals to report_log. "
            "Grain: one report per billing month."
        ),
    )
    def finance_report(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        month = partition_month(context.partition_key)
        out_dir = report.directory(Path(warehouse.path))
        with warehouse.connection() as con:
            result = write_report(
                con,
                showback,
                month,
                out_dir,
                report.formats,
                top=report.top,
                warehouse=warehouse.path,
            )
        files = {fmt: [str(p) for p in paths] for fmt, paths in result.paths.items()}
        metadata: dict = {
            "report_id": result.report_id,
            "build_seconds": round(result.seconds, 2),
            "files": dg.MetadataValue.json(files),
        }
        if result.html:
            metadata["html"] = dg.MetadataValue.path(str(result.html))
        return dg.MaterializeResult(metadata=metadata)

    return finance_report


def domain(
    showback: ShowbackSection,
    report: ReportSettings,
    partitions: dg.PartitionsDefinition,
    upstream: Sequence[dg.AssetKey],
) -> Domain:
    """The report, written after every table it may read (`upstream`) is rebuilt."""
    return Domain([build_report_asset(showback, report, partitions, upstream)])
