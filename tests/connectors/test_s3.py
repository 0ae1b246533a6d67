"""S3 connector against moto's S3 server on 127.0.0.1 (a real HTTP endpoint; boto3 unchanged).

Legacy CUR and CUR 2.0 Data Exports land and reconcile with a local load of the same files;
a second run downloads nothing; a restated period replaces the old assembly; a missing bucket,
a refused GetObject and a connection cut mid-body each give a clear error with nothing loaded.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.errors import IngestError
from finops_pipeline.refresh import ingest_and_refresh, sync_and_refresh
from finops_pipeline.settings import SourceSettings
from finops_pipeline.warehouse import connect
from tests.connectors.cutting_proxy import CuttingProxy
from tests.connectors.s3_helpers import month_totals, s3_client, upload_tree
from tests.fixtures.cur import cur_rows, write_cur


def _source(name: str, location: str, port: int, staging: Path) -> SourceSettings:
    return SourceSettings(
        name=name,
        location=location,
        endpoint_url=f"http://127.0.0.1:{port}",
        staging_dir=staging,
    )


def _local_totals(folder: Path, source: str, tmp_path: Path) -> dict[str, Decimal]:
    con = connect(tmp_path / "reference.duckdb")
    try:
        ingest_and_refresh(con, folder, source)
        return month_totals(con, source)
    finally:
        con.close()


def test_legacy_cur_first_load_then_no_op(
    warehouse, moto_port, sample_exports, staging, tmp_path
) -> None:
    client = s3_client(moto_port)
    upload_tree(client, "cur-first", sample_exports / "aws-cur-legacy")
    source = _source("aws-legacy", "s3://cur-first/cur", moto_port, staging)

    first = sync_and_refresh(warehouse, source)
    assert len(first.fetched) == 2 and first.ingest.count("loaded") == 2
    expected = _local_totals(sample_exports / "aws-cur-legacy", "aws-legacy", tmp_path)
    assert month_totals(warehouse, "aws-legacy") == expected
    assert len(expected) == 2
    assert all(row.ok for row in reconcile(warehouse))
    state = warehouse.execute(
        "select role, count(*) from connector_state where source_name = 'aws-legacy' "
        "group by 1 order by 1"
    ).fetchall()
    assert state == [("data", 2), ("manifest", 2)]

    logged = warehouse.execute("select count(*) from load_log").fetchone()[0]
    second = sync_and_refresh(warehouse, source)
    assert second.fetched == [] and len(second.unchanged) == 2
    assert warehouse.execute("select count(*) from load_log").fetchone()[0] == logged
    assert month_totals(warehouse, "aws-legacy") == expected


def test_restated_legacy_period_replaces_the_older_assembly(
    warehouse, moto_port, sample_exports, staging, tmp_path
) -> None:
    client = s3_client(moto_port)
    upload_tree(client, "cur-restated", sample_exports / "aws-cur-legacy")
    source = _source("aws-restated", "s3://cur-restated/cur", moto_port, staging)
    sync_and_refresh(warehouse, source)
    before = month_totals(warehouse, "aws-restated")

    # AWS writes a new assembly beside the old one and points the period manifest at it.
    period = "cur/kestrel-daily-cur/20260301-20260401"
    new_key = f"{period}/restated-assembly/kestrel-daily-cur-00001.csv.gz"
    data = write_cur(tmp_path / "restated.csv.gz", cur_rows("2026-03", ["7.25", "0.75"]), gz=True)
    client.upload_file(str(data), "cur-restated", new_key)
    manifest_key = f"{period}/kestrel-daily-cur-Manifest.json"
    manifest = json.loads(client.get_object(Bucket="cur-restated", Key=manifest_key)["Body"].read())
    manifest.update(assemblyId="restated-assembly", reportKeys=[new_key])
    client.put_object(Bucket="cur-restated", Key=manifest_key, Body=json.dumps(manifest).encode())

    report = sync_and_refresh(warehouse, source)
    assert report.fetched == [period]
    after = month_totals(warehouse, "aws-restated")
    assert after["2026-03"] == Decimal("8.00")
    assert after["2026-02"] == before["2026-02"]
    raw = warehouse.execute(
        "select count(*) from raw_aws_cur where x_source_name = 'aws-restated' "
        "and x_billing_period = '2026-03-01'"
    ).fetchone()[0]
    assert raw == 2
    mirrored = sorted(p.name for p in (staging / "aws-restated" / "kestrel-daily-cur"
                                       / "20260301-20260401").iterdir())  # fmt: skip
    assert mirrored == ["kestrel-daily-cur-Manifest.json", "restated-assembly"]
    assert all(row.ok for row in reconcile(warehouse))


def test_cur2_data_exports_follow_their_manifests(
    warehouse, moto_port, sample_exports, staging, tmp_path
) -> None:
    folder = sample_exports / "aws-cur2"
    manifest = json.loads(next(folder.rglob("*-Manifest.json")).read_text())
    bucket = manifest["dataFiles"][0][5:].split("/")[0]
    upload_tree(s3_client(moto_port), bucket, folder)
    source = _source("aws-cur2", f"s3://{bucket}/data-exports", moto_port, staging)

    report = sync_and_refresh(warehouse, source)
    assert len(report.fetched) == 2
    assert month_totals(warehouse, "aws-cur2") == _local_totals(folder, "aws-cur2", tmp_path)
    assert sync_and_refresh(warehouse, source).fetched == []
    versions = warehouse.execute(
        "select distinct version from connector_state where source_name = 'aws-cur2'"
    ).fetchall()
    assert len(versions) == 2 and all(v[0] for v in versions)  # the executionIds


def test_missing_bucket_names_the_source_and_bucket(warehouse, moto_port, staging) -> None:
    source = _source("aws-gone", "s3://no-such-bucket/cur", moto_port, staging)
    with pytest.raises(IngestError) as caught:
        sync_and_refresh(warehouse, source)
    message = str(caught.value)
    assert "s3://no-such-bucket/cur" in message
    assert "source 'aws-gone'" in message and "NoSuchBucket" in message


def test_refused_get_object_names_the_permission_to_grant(
    warehouse, moto_port, sample_exports, staging, monkeypatch
) -> None:
    """moto enforces IAM policies once /moto-api/reset-auth is called (a server feature)."""
    import boto3
    import requests

    client = s3_client(moto_port)
    upload_tree(client, "cur-locked", sample_exports / "aws-cur-legacy")
    iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{moto_port}", region_name="us-east-1")
    iam.create_user(UserName="lister")
    iam.put_user_policy(
        UserName="lister",
        PolicyName="list-only",
        PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
                           "Resource": "arn:aws:s3:::cur-locked"}],
        }),
    )  # fmt: skip
    key = iam.create_access_key(UserName="lister")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    auth = f"http://127.0.0.1:{moto_port}/moto-api/reset-auth"
    requests.post(auth, data=b"0", timeout=10).raise_for_status()
    try:
        with pytest.raises(IngestError) as caught:
            sync_and_refresh(
                warehouse, _source("aws-locked", "s3://cur-locked/cur", moto_port, staging)
            )
    finally:
        requests.post(auth, data=b"inf", timeout=10).raise_for_status()
    message = str(caught.value)
    assert "source 'aws-locked'" in message and "access denied" in message
    assert "grant s3:GetObject on arn:aws:s3:::cur-locked/cur/*" in message
    assert warehouse.execute("select count(*) from connector_state").fetchone()[0] == 0


def test_connection_cut_mid_download_retries_then_fails_cleanly(
    warehouse, moto_port, sample_exports, staging
) -> None:
    client = s3_client(moto_port)
    upload_tree(client, "cur-flaky", sample_exports / "aws-cur-legacy")
    big = max(
        (o for o in client.list_objects_v2(Bucket="cur-flaky")["Contents"]),
        key=lambda o: o["Size"],
    )
    proxy = CuttingProxy(moto_port, cut_after=big["Size"] // 3)
    try:
        source = _source("aws-flaky", "s3://cur-flaky/cur", proxy.port, staging)
        proxy.cuts = 1_000  # every data download is cut
        with pytest.raises(IngestError) as caught:
            sync_and_refresh(warehouse, source)
        assert "network failure" in str(caught.value)
        assert "source 'aws-flaky'" in str(caught.value)
        assert proxy.cut_count >= 2  # retried before giving up
        assert warehouse.execute("select count(*) from load_log").fetchone()[0] == 0
        assert warehouse.execute("select count(*) from connector_state").fetchone()[0] == 0
        leftovers = [p for p in staging.rglob("*") if ".part" in p.name or "incoming" in p.name]
        assert leftovers == []

        proxy.cuts, proxy.cut_count = 1, 0  # one cut: the retry completes the download
        report = sync_and_refresh(warehouse, source)
        assert proxy.cut_count == 1
        assert len(report.fetched) == 2 and report.ingest.count("loaded") == 2
        assert all(row.ok for row in reconcile(warehouse))
    finally:
        proxy.stop()


def test_restated_data_is_read_exactly(tmp_path: Path) -> None:
    """The helper used above writes what it says: a gzip CUR of the given costs."""
    path = write_cur(tmp_path / "x.csv.gz", cur_rows("2026-03", ["7.25", "0.75"]), gz=True)
    assert b"7.25" in gzip.decompress(path.read_bytes())


def test_a_failed_delivery_keeps_the_earlier_ones_built(
    warehouse, moto_port, sample_exports, staging
) -> None:
    """February lands; March's manifest names a missing file: February is in focus_costs."""
    client = s3_client(moto_port)
    upload_tree(client, "cur-half", sample_exports / "aws-cur-legacy")
    manifest_key = "cur/kestrel-daily-cur/20260301-20260401/kestrel-daily-cur-Manifest.json"
    manifest = json.loads(client.get_object(Bucket="cur-half", Key=manifest_key)["Body"].read())
    manifest["reportKeys"] = ["cur/kestrel-daily-cur/20260301-20260401/x/missing.csv.gz"]
    client.put_object(Bucket="cur-half", Key=manifest_key, Body=json.dumps(manifest).encode())
    source = _source("aws-half", "s3://cur-half/cur", moto_port, staging)
    with pytest.raises(IngestError, match=r"missing\.csv\.gz.*not in the bucket"):
        sync_and_refresh(warehouse, source)
    assert list(month_totals(warehouse, "aws-half")) == ["2026-02"]
    assert all(row.ok for row in reconcile(warehouse))
    periods = warehouse.execute(
        "select distinct billing_period from connector_state where source_name = 'aws-half'"
    ).fetchall()
    assert [p[0].isoformat() for p in periods] == ["2026-02-01"]
