"""The datasets the FOCUS validator judges: every demo source and every shared sample export
that loads, each ingested as its own source and exported with `finops export`'s writer.

Shared by tests/conformance/test_focus_validator.py and benchmarks/focus_validator.py, so the
figures in the README come from the same datasets the test checks.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from finops_pipeline.export.writer import ExportRequest, export_focus
from finops_pipeline.ingest.reader import file_kind
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import DEMO_SOURCES, demo_settings

DEMO_END_MONTH = "2026-11"
DEMO_MONTHS = 2  # a closed (invoiced) month and the open month


def shared_files(shared: Path) -> list[Path]:
    return sorted(p for p in shared.rglob("*") if p.is_file() and file_kind(p) is not None)


def load_all(con: duckdb.DuckDBPyConnection, root: Path, shared: Path | None) -> list[str]:
    """Ingest the demo sources and the shared files that load; returns the source names."""
    data = root / "demo"
    generate(data, end_month=DEMO_END_MONTH, months=DEMO_MONTHS)
    policy = demo_settings(data).tag_policy
    sources = []
    for name in DEMO_SOURCES:
        ingest_and_refresh(con, data / name, name, policy=policy)
        sources.append(name)
    for path in shared_files(shared) if shared else []:
        name = f"{path.parent.name}/{path.name.split('.')[0]}"
        report = ingest_and_refresh(con, path, name)
        if all(f.status == "loaded" for f in report.files):
            sources.append(name)
    return sources


def export_sources(
    con: duckdb.DuckDBPyConnection, sources: list[str], out: Path, focus_version: str = "1.2"
) -> list[Path]:
    """One export folder per source; returns every data file written."""
    files = []
    for source in sources:
        target = out / source.replace("/", "--")
        for period in export_focus(
            con, ExportRequest(out=target, focus_version=focus_version, source=source)
        ):
            files.extend(sorted(period.folder.glob("part-*")))
    return files
