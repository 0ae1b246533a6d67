"""Uploading sample export trees to the local S3 server, and reading totals back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import boto3
import duckdb


def s3_client(port: int):
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")


def upload_tree(client, bucket: str, folder: Path) -> list[str]:
    """Put every file under `folder` at its relative path (providers' keys are like that)."""
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
    keys = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = path.relative_to(folder).as_posix()
        client.upload_file(str(path), bucket, key)
        keys.append(key)
    return keys


def month_totals(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Decimal]:
    return dict(
        con.execute(
            "select strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost) from focus_costs "
            "where x_SourceName = ? group by 1 order by 1",
            [source],
        ).fetchall()
    )
