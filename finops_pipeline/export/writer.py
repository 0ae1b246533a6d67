"""Write focus_costs as a FOCUS dataset: one folder per billing period, swapped in whole.

Each period is written into a hidden temporary folder beside its target and renamed into
place only once every file is complete; the previous folder is moved aside first and
removed after, so a reader never sees a half-written period and a failed export leaves
the previous one. Money stays DECIMAL(38, 12) in Parquet and exact decimal text in CSV;
timestamps are UTC (Parquet TIMESTAMP adjusted to UTC; CSV ISO 8601 with `Z`).
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_pipeline.errors import FinopsError
from finops_pipeline.export.columns import focus_columns
from finops_pipeline.export.metadata import (
    METADATA_FILE,
    PERIOD_FILE,
    period_record,
    write_metadata,
)
from finops_pipeline.warehouse import quote_identifier, table_exists

FORMATS = ("parquet", "csv")
JSON_COLUMNS = {"Tags", "SkuPriceDetails", "ContractApplied", "AllocatedMethodDetails",
                "AllocatedTags"}  # fmt: skip


class ExportError(FinopsError):
    """An export that cannot run as asked (nothing to export, mixed output folder)."""


@dataclass(frozen=True)
class ExportRequest:
    out: Path
    focus_version: str = "1.2"
    file_format: str = "parquet"
    month: date | None = None
    source: str | None = None
    with_extensions: bool = False


@dataclass(frozen=True)
class PeriodExport:
    period: date
    rows: int
    folder: Path
    columns: list[str]


def export_focus(
    con: duckdb.DuckDBPyConnection,
    request: ExportRequest,
    on_period: Callable[[PeriodExport], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> list[PeriodExport]:
    """Export every billing period selected by the request; returns one entry per period."""
    if request.file_format not in FORMATS:
        raise ExportError(f"--format {request.file_format!r} is not one of {', '.join(FORMATS)}")
    focus_columns(request.focus_version)  # validates the version
    if not table_exists(con, "focus_costs"):
        raise ExportError("the warehouse has no focus_costs table; run `finops ingest` first")
    periods = _periods(con, request)
    if not periods:
        what = f" for source {request.source!r}" if request.source else ""
        when = f" in {request.month:%Y-%m}" if request.month else ""
        raise ExportError(f"focus_costs has no rows{what}{when}: nothing to export")
    request.out.mkdir(parents=True, exist_ok=True)
    _check_folder(request)
    if on_start:
        on_start(len(periods))
    done = []
    for period in periods:
        result = _export_period(con, request, period)
        done.append(result)
        if on_period:
            on_period(result)
    write_metadata(request.out, request.focus_version, request.file_format, request.source)
    return done


def _where(request: ExportRequest) -> tuple[str, list]:
    clauses, params = [], []
    if request.source:
        clauses.append("x_SourceName = ?")
        params.append(request.source)
    if request.month:
        clauses.append("BillingPeriodStart = ?")
        params.append(datetime(request.month.year, request.month.month, 1))
    return ("where " + " and ".join(clauses)) if clauses else "", params


def _periods(con: duckdb.DuckDBPyConnection, request: ExportRequest) -> list[date]:
    where, params = _where(request)
    rows = con.execute(
        f"select distinct cast(BillingPeriodStart as date) from focus_costs {where} order by 1",
        params,
    ).fetchall()
    return [row[0] for row in rows]


def _check_folder(request: ExportRequest) -> None:
    """One output folder holds one kind of export: mixing versions, formats or source
    selections would leave periods that disagree with the metadata file."""
    path = request.out / METADATA_FILE
    if not path.exists():
        return
    try:
        existing = json.loads(path.read_text(encoding="utf-8")).get("x_Export", {})
    except json.JSONDecodeError:
        return
    wanted = {
        "FocusVersion": request.focus_version,
        "Format": request.file_format,
        "Source": request.source,
    }
    for key, value in wanted.items():
        if key in existing and existing[key] != value:
            raise ExportError(
                f"{request.out} holds an export with {key} {existing[key]!r}, not {value!r}; "
                "export into another --out folder (or delete it first)"
            )


def _present_columns(con: duckdb.DuckDBPyConnection, request: ExportRequest) -> list[str]:
    """Every column of the FOCUS version, always: a fixed schema is what a Power BI template
    or a data lake table expects, and a column the source does not fill is null."""
    available = {row[0] for row in con.execute("describe focus_costs").fetchall()}
    columns = [c for c in focus_columns(request.focus_version) if c in available]
    if request.with_extensions:
        columns += sorted(c for c in available if c.startswith("x_"))
    return columns


def _select_sql(columns: list[str], file_format: str, where: str) -> str:
    parts = []
    for name in columns:
        col = quote_identifier(name)
        if name in JSON_COLUMNS:
            parts.append(f"cast({col} as varchar) as {col}")
        elif name in {"BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
                      "ChargePeriodEnd"}:  # fmt: skip
            if file_format == "csv":
                parts.append(f"strftime({col}, '%Y-%m-%dT%H:%M:%SZ') as {col}")
            else:
                parts.append(f"cast({col} as timestamptz) as {col}")
        else:
            parts.append(col)
    return f"select {', '.join(parts)} from focus_costs {where}"


def _export_period(
    con: duckdb.DuckDBPyConnection, request: ExportRequest, period: date
) -> PeriodExport:
    scoped = replace(request, month=period)
    where, params = _where(scoped)
    columns = _present_columns(con, request)
    final = request.out / f"billing_period={period:%Y-%m}"
    staging = request.out / f".{final.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        data_file = staging / f"part-0.{request.file_format}"
        options = "format parquet, compression zstd" if request.file_format == "parquet" else (
            "format csv, header true"
        )  # fmt: skip
        con.execute(
            f"copy ({_select_sql(columns, request.file_format, where)}) to "
            f"'{_sql_path(data_file)}' ({options})",
            params,
        )
        record = period_record(con, where, params, period, columns, data_file.name)
        (staging / PERIOD_FILE).write_text(json.dumps(record, indent=2, default=_json_default))
        _swap(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PeriodExport(period=period, rows=int(record["RowCount"]), folder=final, columns=columns)


def _swap(staging: Path, final: Path) -> None:
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
