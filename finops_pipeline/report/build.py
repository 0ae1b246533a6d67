"""Write the monthly report's files and record what they showed (report_log).

One entry point for `finops report`, the `finance_report` asset and `finops demo`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.errors import FinopsError
from finops_pipeline.report.gather import gather_report
from finops_pipeline.report.log import record_report
from finops_pipeline.report.model import Report
from finops_pipeline.report.settings import REPORT_FORMATS
from finops_pipeline.showback.rules import ShowbackSection

FORMATS = REPORT_FORMATS
DEFAULT_FORMATS = ("html", "xlsx", "csv")


@dataclass
class ReportResult:
    report: Report
    report_id: str
    paths: dict[str, list[Path]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def html(self) -> Path | None:
        return next(iter(self.paths.get("html", [])), None)


def parse_formats(text: str | Iterable[str]) -> list[str]:
    """'html,xlsx' -> ['html', 'xlsx']; an unknown name is an error naming the valid ones."""
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = [item.strip().lower() for item in items if item.strip()]
    unknown = [item for item in chosen if item not in FORMATS]
    if unknown or not chosen:
        raise FinopsError(
            f"--format {','.join(unknown) or '(empty)'}: expected a comma-separated list of "
            f"{', '.join(FORMATS)}"
        )
    return list(dict.fromkeys(chosen))


def write_report(
    con: duckdb.DuckDBPyConnection,
    section: ShowbackSection,
    month: date,
    out_dir: Path,
    formats: Iterable[str] = DEFAULT_FORMATS,
    *,
    top: int = 10,
    warehouse: str = "",
    today: date | None = None,
) -> ReportResult:
    """Gather, render each format into `out_dir`, then append to report_log."""
    from finops_pipeline.report.render_csv import write_csvs
    from finops_pipeline.report.render_html import write_html
    from finops_pipeline.report.render_xlsx import write_xlsx

    started = time.perf_counter()
    wanted = parse_formats(formats)
    report = gather_report(con, section, month, top=top, warehouse=warehouse, today=today)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"finance_report_{report.month_label}"
    paths: dict[str, list[Path]] = {}
    if "html" in wanted or "pdf" in wanted:
        paths["html"] = [write_html(report, stem.with_suffix(".html"))]
    if "xlsx" in wanted:
        paths["xlsx"] = [write_xlsx(report, stem.with_suffix(".xlsx"))]
    if "csv" in wanted:
        paths["csv"] = write_csvs(con, report.billing_month, out_dir)
    if "pdf" in wanted:
        from finops_pipeline.report.render_pdf import write_pdf

        paths["pdf"] = [write_pdf(paths["html"][0], stem.with_suffix(".pdf"))]
    report_id = record_report(con, report.billing_month, report.generated_at)
    return ReportResult(report, report_id, paths, time.perf_counter() - started)
