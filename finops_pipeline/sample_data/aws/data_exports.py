"""AWS Data Exports delivery: partitioned Parquet files plus a per-period manifest.

Both the CUR 2.0 and the FOCUS export land as
``<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet`` with a
``metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`` next to the data folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..estate import Estate
from ..ids import Ids
from ..periods import Month

STRING = pa.string()
DOUBLE = pa.float64()
TIMESTAMP = pa.timestamp("ms")
STR_MAP = pa.map_(pa.string(), pa.string())
DOUBLE_MAP = pa.map_(pa.string(), pa.float64())


def write_parquet(path: Path, schema: pa.Schema, columns: dict[str, list[Any]]) -> None:
    """Write columns (already in Python types) with a fixed schema; deterministic output."""
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema]
    table = pa.Table.from_arrays(arrays, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="snappy", write_statistics=True)


def map_items(d: dict | None) -> list[tuple[str, Any]] | None:
    return None if not d else list(d.items())


def write_period(
    estate: Estate,
    outdir: Path,
    export: str,
    month: Month,
    schema: pa.Schema,
    columns: dict[str, list[Any]],
    query: str,
    ids: Ids,
    table: str,
) -> str:
    """Write one billing period and its manifest; returns the data file key."""
    prefix = "data-exports"
    period = f"BILLING_PERIOD={month.key}"
    key = f"{prefix}/{export}/data/{period}/{export}-00001.snappy.parquet"
    write_parquet(outdir / estate.source / key, schema, columns)
    rows = len(next(iter(columns.values()))) if columns else 0
    bucket = f"kestrel-data-exports-{estate.billing_account_id}"
    manifest = {
        "version": "1.0",
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{estate.billing_account_id}:export/"
        f"{export}-{ids.guid()}",
        "exportName": export,
        "executionId": ids.guid(),
        "billingPeriod": {
            "start": f"{month.start:%Y-%m-%dT00:00:00.000Z}",
            "end": f"{month.end:%Y-%m-%dT00:00:00.000Z}",
        },
        "queryStatement": query,
        "tableName": table,
        "dataFiles": [f"s3://{bucket}/{key}"],
        "numberOfRecords": rows,
        "columns": [{"name": f.name, "type": str(f.type)} for f in schema],
        "compression": "PARQUET",
        "format": "PARQUET",
    }
    mpath = (
        outdir / estate.source / prefix / export / "metadata" / period / f"{export}-Manifest.json"
    )
    mpath.parent.mkdir(parents=True, exist_ok=True)
    mpath.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return key
