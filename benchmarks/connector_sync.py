"""What a cloud sync costs: first load, a no-op re-run, and one restated month, from S3.

    python benchmarks/connector_sync.py [--months 13] [--scale 1]

Writes the demo's legacy CUR for N months, uploads it to moto's S3 server on 127.0.0.1 (a
real HTTP endpoint; needs the test extra), then times `sync_and_refresh` against it: the first
load (every period downloaded and landed), a second run (listing only, nothing downloaded),
and a run after one period's manifest was rewritten (that period downloaded again; its
identical file is then skipped by the load log's checksum).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from finops_pipeline.refresh import sync_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import SourceSettings
from finops_pipeline.warehouse import connect


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    url = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id="bench", aws_secret_access_key="bench")  # fmt: skip
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root / "data", end_month="2026-03", months=args.months, scale=args.scale)
            folder = root / "data" / "aws-cur-legacy"
            s3.create_bucket(Bucket="bench")
            files = sorted(p for p in folder.rglob("*") if p.is_file())
            for path in files:
                s3.upload_file(str(path), "bench", path.relative_to(folder).as_posix())
            size = sum(p.stat().st_size for p in files) / 1e6
            print(f"{len(files)} objects, {size:.1f} MB, {args.months} months (scale {args.scale})")
            source = SourceSettings(name="bench", location="s3://bench/cur", endpoint_url=url,
                                    staging_dir=root / "staging")  # fmt: skip
            os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
            con = connect(root / "w.duckdb")
            for label in ("first load", "no-op re-run"):
                started = time.perf_counter()
                report = sync_and_refresh(con, source)
                print(f"{label}: {time.perf_counter() - started:.2f} s "
                      f"({len(report.fetched)} fetched, {len(report.unchanged)} unchanged)")  # fmt: skip
            manifest = next(k["Key"] for k in s3.list_objects_v2(Bucket="bench")["Contents"]
                            if k["Key"].endswith("-Manifest.json"))  # fmt: skip
            body = s3.get_object(Bucket="bench", Key=manifest)["Body"].read()
            s3.put_object(Bucket="bench", Key=manifest, Body=body + b" ")  # a new manifest ETag
            started = time.perf_counter()
            report = sync_and_refresh(con, source)
            print(f"one manifest rewritten: {time.perf_counter() - started:.2f} s "
                  f"({len(report.fetched)} fetched)")  # fmt: skip
            con.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
