"""The monthly allocation report for finance: gathered from the warehouse, rendered as HTML,
XLSX, CSV and PDF, and logged so the next report can show what changed after close."""

from finops_pipeline.report.build import FORMATS, ReportResult, write_report

__all__ = ["FORMATS", "ReportResult", "write_report"]
