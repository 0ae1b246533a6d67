"""Creating a billing export table in bqemulator from the sample's Parquet files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from google.api_core.client_options import ClientOptions
from google.api_core.retry import Retry
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

PROJECT = "billing-proj"


def client(url: str) -> bigquery.Client:
    return bigquery.Client(
        project=PROJECT,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=url),
    )


def _field(name: str, kind: pa.DataType, mode: str = "NULLABLE") -> bigquery.SchemaField:
    if pa.types.is_list(kind):
        return _field(name, kind.value_type, "REPEATED")
    if pa.types.is_struct(kind):
        children = [_field(f.name, f.type) for f in kind]
        return bigquery.SchemaField(name, "RECORD", mode=mode, fields=children)
    simple = {"string": "STRING", "double": "FLOAT", "int64": "INTEGER", "bool": "BOOLEAN"}
    if pa.types.is_timestamp(kind):
        return bigquery.SchemaField(name, "TIMESTAMP", mode=mode)
    return bigquery.SchemaField(name, simple[str(kind)], mode=mode)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def create_export_table(bq: bigquery.Client, table_id: str, files: list[Path]) -> int:
    """A day-partitioned table with the export's schema, holding the files' rows."""
    data = pa.concat_tables([pq.read_table(f) for f in files])
    dataset = table_id.rsplit(".", 1)[0]
    bq.create_dataset(dataset, exists_ok=True)
    table = bigquery.Table(table_id, schema=[_field(f.name, f.type) for f in data.schema])
    table.time_partitioning = bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY)
    bq.create_table(table, exists_ok=True)
    return insert(bq, table_id, data.to_pylist())


def insert(bq: bigquery.Client, table_id: str, rows: list[dict]) -> int:
    for start in range(0, len(rows), 500):
        errors = bq.insert_rows_json(
            table_id, [_json(r) for r in rows[start : start + 500]], retry=Retry(timeout=30)
        )
        assert errors == [], errors[:3]
    return len(rows)
