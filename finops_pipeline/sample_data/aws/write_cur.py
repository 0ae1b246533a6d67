"""Write a legacy Cost and Usage Report as AWS delivers it to S3.

Layout: ``<prefix>/<report>/<YYYYMMDD-YYYYMMDD>/<assemblyId>/<report>-00001.csv.gz`` plus the
period's ``<report>-Manifest.json`` whose ``reportKeys`` name the current assembly. A
restated month keeps its superseded assembly next to the new one, as AWS does when a report
is not set to overwrite. Numbers are written the way CUR writes Java doubles (``12.0``,
``1.81E-8``), which still parse exactly as decimals.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from ..charges import Charge, plain
from ..estate import Estate
from ..ids import Ids
from ..periods import Month
from .common import bill_columns
from .cur_columns import header, manifest_type

PREFIX = "cur"
REPORT = "kestrel-daily-cur"


def cur_number(value: Decimal) -> str:
    """Java ``Double.toString`` style: plain between 1e-3 and 1e7, else scientific."""
    if value == 0:
        return "0.0"
    if Decimal("0.001") <= abs(value) < Decimal("10000000"):
        text = plain(value)
        return text if "." in text else text + ".0"
    mantissa, _, exponent = format(value.normalize(), "E").partition("E")
    if "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}E{int(exponent)}"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return cur_number(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return str(value)


def _rows(estate: Estate, month: Month, lines: list[Charge], final: bool) -> list[dict]:
    out = []
    for c in lines:
        n = c.native
        row = {k: v for k, v in n.items() if not k.startswith("_")}
        row.update(bill_columns(estate, month, c, final))
        start, end = n["_start"], n["_end"]
        row["identity/TimeInterval"] = f"{start:%Y-%m-%dT%H:%M:%SZ}/{end:%Y-%m-%dT%H:%M:%SZ}"
        row["lineItem/UsageStartDate"] = start
        row["lineItem/UsageEndDate"] = end
        for key, value in (n.get("_tags") or {}).items():
            row[f"resourceTags/{key}"] = value
        out.append(row)
    return out


def _gzip_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    position = {col: i for i, col in enumerate(columns)}
    for row in rows:
        cells = [""] * len(columns)
        for key, value in row.items():
            if value is not None:
                cells[position[key]] = _cell(value)
        writer.writerow(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
    ):
        gz.write(text.getvalue().encode("utf-8"))


def write_assembly(
    estate: Estate, outdir: Path, month: Month, lines: list[Charge], assembly: str, final: bool
) -> tuple[str, list[str]]:
    """Write one assembly's CSV; returns its key (relative to the source root) and header."""
    rows = _rows(estate, month, lines, final)
    columns = header(set().union(*rows))
    key = f"{PREFIX}/{REPORT}/{month.compact}/{assembly}/{REPORT}-00001.csv.gz"
    _gzip_csv(outdir / estate.source / key, columns, rows)
    return key, columns


def write_manifest(
    estate: Estate, outdir: Path, month: Month, key: str, assembly: str, columns: list[str]
) -> None:
    """The period manifest; ``reportKeys`` points at the assembly that is current."""
    bucket = f"kestrel-billing-{estate.billing_account_id}"
    base = f"{PREFIX}/{REPORT}/{month.compact}/{assembly}/{REPORT}"
    manifest = {
        "assemblyId": assembly,
        "account": estate.billing_account_id,
        "columns": [
            {"category": c.split("/")[0], "name": c.split("/", 1)[1], "type": manifest_type(c)}
            for c in columns
        ],
        "charset": "UTF-8",
        "compression": "GZIP",
        "contentType": "text/csv",
        "reportId": hashlib.sha256(f"{estate.billing_account_id}:{REPORT}".encode()).hexdigest(),
        "reportName": REPORT,
        "billingPeriod": {
            "start": f"{month.start:%Y%m%d}T000000.000Z",
            "end": f"{month.end:%Y%m%d}T000000.000Z",
        },
        "bucket": bucket,
        "reportKeys": [key],
        "additionalArtifactKeys": [
            {"artifactType": "RedshiftCommands", "name": f"{base}-RedshiftCommands.sql"},
            {"artifactType": "RedshiftManifest", "name": f"{base}-RedshiftManifest.json"},
        ],
    }
    path = outdir / estate.source / PREFIX / REPORT / month.compact / f"{REPORT}-Manifest.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_month(
    estate: Estate,
    outdir: Path,
    month: Month,
    lines: list[Charge],
    ids: Ids,
    original: list[Charge] | None = None,
) -> dict:
    """Write one billing period; ``original`` adds a superseded first delivery."""
    result = {}
    if original is not None:
        old = ids.guid()
        result["original_path"] = write_assembly(estate, outdir, month, original, old, False)[0]
    assembly = ids.guid()
    key, columns = write_assembly(estate, outdir, month, lines, assembly, True)
    write_manifest(estate, outdir, month, key, assembly, columns)
    result["path"] = key
    return result
