"""gs:// connector against gcp-storage-emulator on 127.0.0.1 (a real GCS JSON API server;
google-cloud-storage unchanged, pointed at it by the source's endpoint_url).

Three invoice months of the sample generator's GCP billing export (January as newline JSON,
February and March as Parquet, in `invoice_month=YYYYMM/` folders as an export job writes
them) land and reconcile to the cent with a local load of the same files; a second run
downloads nothing; a rewritten month reloads alone; a missing bucket and a connection cut
mid-download give a clear error with nothing half-loaded.

Where the emulator deviates from GCS: it never answers 403 (no IAM), so the refusal message
is tested on the real `Forbidden` exception type raised inside the error mapper; it gives
every upload a new generation like GCS does, and returns md5Hash/crc32c like GCS, but has no
composite objects (the CRC32C-only path is tested on a file directly).
"""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import google_crc32c
import pytest
from google.api_core import exceptions as gexc
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.connectors.gcs import _check_crc32c
from finops_pipeline.connectors.gcs_errors import gcs_errors
from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.dagster_run import failed_checks
from finops_pipeline.definitions import build_definitions
from finops_pipeline.errors import IngestError
from finops_pipeline.refresh import ingest_and_refresh, sync_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import SourceSettings, load_settings
from finops_pipeline.warehouse import connect
from tests.connectors.cutting_proxy import CuttingProxy
from tests.connectors.gcs_helpers import gcs_client, upload_tree
from tests.connectors.s3_helpers import month_totals

MONTHS = ["2026-01", "2026-02", "2026-03"]
MARCH = "billing/billing_export/invoice_month=202603"


@pytest.fixture(scope="module")
def gcp_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three months of the generator's GCP billing export (one more than `sample_exports`,
    so that both the JSON and the Parquet layouts are in the bucket)."""
    folder = tmp_path_factory.mktemp("gcs-exports")
    generate(folder, end_month=MONTHS[-1], months=len(MONTHS), seed=7)
    return folder / "gcp-billing"


def _source(name: str, location: str, url: str, staging: Path) -> SourceSettings:
    return SourceSettings(name=name, location=location, endpoint_url=url, staging_dir=staging)


def _local_totals(folder: Path, source: str, tmp_path: Path) -> dict[str, Decimal]:
    con = connect(tmp_path / f"reference-{source}.duckdb")
    try:
        ingest_and_refresh(con, folder, source)
        return month_totals(con, source)
    finally:
        con.close()


def _loads(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from load_log").fetchone()[0]


def test_first_load_reconciles_then_second_run_downloads_nothing(
    warehouse, gcs_url, gcp_export, staging, tmp_path
) -> None:
    upload_tree(gcs_client(gcs_url), "gcp-first", gcp_export, "billing")
    source = _source("gcp-gcs", "gs://gcp-first/billing", gcs_url, staging)

    first = sync_and_refresh(warehouse, source)
    assert len(first.fetched) == 3 and first.ingest.count("loaded") == 3
    expected = _local_totals(gcp_export, "gcp-gcs", tmp_path)
    assert sorted(expected) == MONTHS
    assert month_totals(warehouse, "gcp-gcs") == expected  # Decimal: to the cent and beyond
    assert all(row.ok for row in reconcile(warehouse))
    state = warehouse.execute(
        "select billing_period, etag from connector_state where source_name = 'gcp-gcs' order by 1"
    ).fetchall()
    assert [str(p) for p, _ in state] == [f"{m}-01" for m in MONTHS]
    assert all("/md5:" in etag for _, etag in state)  # generation/md5 recorded
    mirrored = sorted(p.name for p in (staging / "gcp-gcs" / "billing_export").iterdir())
    assert mirrored == ["invoice_month=202601", "invoice_month=202602", "invoice_month=202603"]

    loads = _loads(warehouse)
    downloaded: list[str] = []
    second = sync_and_refresh(warehouse, source, progress=lambda name, *_: downloaded.append(name))
    assert second.fetched == [] and len(second.unchanged) == 3
    assert downloaded == [] and _loads(warehouse) == loads
    assert month_totals(warehouse, "gcp-gcs") == expected


def test_rewritten_month_reloads_only_that_month(
    warehouse, gcs_url, gcp_export, staging, tmp_path
) -> None:
    client = gcs_client(gcs_url)
    upload_tree(client, "gcp-redelivered", gcp_export, "billing")
    source = _source("gcp-redo", "gs://gcp-redelivered/billing", gcs_url, staging)
    sync_and_refresh(warehouse, source)
    before = month_totals(warehouse, "gcp-redo")
    loads = _loads(warehouse)

    # The export job rewrites March with corrected rows (here: its first half).
    restated = tmp_path / "restated" / "billing_export" / "invoice_month=202603"
    restated.mkdir(parents=True)
    original = gcp_export / "billing_export" / "invoice_month=202603" / "part-000.parquet"
    duckdb.execute(
        f"copy (select * from read_parquet('{original}') limit (select count(*) // 2 from "
        f"read_parquet('{original}'))) to '{restated / 'part-000.parquet'}' (format parquet)"
    )
    blob = client.bucket("gcp-redelivered").blob(f"{MARCH}/part-000.parquet")
    blob.upload_from_filename(str(restated / "part-000.parquet"))

    report = sync_and_refresh(warehouse, source)
    assert report.fetched == [MARCH] and len(report.unchanged) == 2
    assert _loads(warehouse) == loads + 1
    after = month_totals(warehouse, "gcp-redo")
    assert (
        after["2026-03"] == _local_totals(restated.parent.parent, "gcp-redo", tmp_path)["2026-03"]
    )
    assert after["2026-03"] != before["2026-03"]
    assert {m: after[m] for m in MONTHS[:2]} == {m: before[m] for m in MONTHS[:2]}
    assert all(row.ok for row in reconcile(warehouse))


def test_missing_bucket_names_the_source_and_bucket(warehouse, gcs_url, staging) -> None:
    source = _source("gcp-gone", "gs://no-such-bucket/billing", gcs_url, staging)
    with pytest.raises(IngestError) as caught:
        sync_and_refresh(warehouse, source)
    message = str(caught.value)
    assert "gs://no-such-bucket/billing" in message
    assert "source 'gcp-gone'" in message and "bucket does not exist" in message
    assert warehouse.execute("select count(*) from connector_state").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("exception", "permission"),
    [
        (gexc.Forbidden("caller does not have storage.objects.list access"),
         "storage.objects.list"),
        (gexc.Forbidden("caller does not have storage.objects.get access"),
         "storage.objects.get"),
    ],
)  # fmt: skip
def test_refusal_names_the_permission_and_role(exception: Exception, permission: str) -> None:
    """The emulator has no IAM and never answers 403: the real exception type that
    google-cloud-storage raises for a 403 goes through the mapper instead."""
    where = "gs://locked/billing/x.parquet"
    with (
        pytest.raises(IngestError) as caught,
        gcs_errors("gcp-locked", where, permission, "locked"),
    ):
        raise exception
    message = str(caught.value)
    assert "source 'gcp-locked'" in message and "gs://locked/billing/x.parquet" in message
    assert "access denied" in message
    assert f"grant {permission} on gs://locked" in message
    assert "roles/storage.objectViewer" in message


def test_crc32c_only_objects_are_checked(tmp_path: Path) -> None:
    """Composite objects have no MD5 (the emulator cannot make them): CRC32C is checked."""
    part = tmp_path / ".x.parquet.part"
    part.write_bytes(b"billing bytes")
    good = base64.b64encode(google_crc32c.Checksum(b"billing bytes").digest()).decode()
    _check_crc32c(part, "gs://b/x.parquet", good)
    with pytest.raises(IngestError, match="CRC32C"):
        _check_crc32c(part, "gs://b/x.parquet", "AAAAAA==")
    assert not part.exists()


def test_connection_cut_mid_download_retries_then_fails_cleanly(
    warehouse, gcs_url, gcp_export, staging, short_gcs_retries
) -> None:
    client = gcs_client(gcs_url)
    upload_tree(client, "gcp-flaky", gcp_export, "billing")
    biggest = max(b.size for b in client.list_blobs("gcp-flaky"))
    port = int(gcs_url.rsplit(":", 1)[1])
    # Small enough that resuming from the byte reached cannot finish before the deadline.
    proxy = CuttingProxy(port, cut_after=biggest // 60)
    try:
        source = _source("gcp-flaky", "gs://gcp-flaky/billing", proxy.url, staging)
        proxy.cuts = 10_000  # every response past cut_after bytes is cut
        with pytest.raises(IngestError) as caught:
            sync_and_refresh(warehouse, source)
        assert "network failure" in str(caught.value)
        assert "source 'gcp-flaky'" in str(caught.value)
        assert proxy.cut_count >= 2  # DEFAULT_RETRY retried before giving up
        assert _loads(warehouse) == 0
        assert warehouse.execute("select count(*) from connector_state").fetchone()[0] == 0
        leftovers = [p for p in staging.rglob("*") if ".part" in p.name or "incoming" in p.name]
        assert leftovers == []

        proxy.cuts, proxy.cut_count = 1, 0  # one cut: the retry resumes and completes
        report = sync_and_refresh(warehouse, source)
        assert proxy.cut_count == 1
        assert len(report.fetched) == 3 and report.ingest.count("loaded") == 3
        assert all(row.ok for row in reconcile(warehouse))
    finally:
        proxy.stop()


def test_cli_ingest_gs_location(gcs_url, gcp_export, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    upload_tree(gcs_client(gcs_url), "gcp-cli", gcp_export, "billing")
    warehouse = tmp_path / "cli.duckdb"
    args = ["ingest", "gs://gcp-cli/billing", "--endpoint-url", gcs_url, "--source", "gcp-cli",
            "--warehouse", str(warehouse)]  # fmt: skip
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "3 delivery(ies) fetched, 0 unchanged" in first.output
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "0 delivery(ies) fetched, 3 unchanged" in second.output
    assert (tmp_path / "finops_staging" / "gcp-cli" / "billing_export").is_dir()
    con = duckdb.connect(str(warehouse), read_only=True)
    got = month_totals(con, "gcp-cli")
    con.close()
    assert got == _local_totals(gcp_export, "gcp-cli", tmp_path)


def test_configured_gs_source_materialises_through_dagster(gcs_url, gcp_export, tmp_path) -> None:
    upload_tree(gcs_client(gcs_url), "gcp-dagster", gcp_export, "billing")
    config = tmp_path / "finops.yaml"
    config.write_text(
        "partitions_start: '2026-01-01'\n"
        "sources:\n"
        "  - name: gcp-cloud\n"
        "    location: gs://gcp-dagster/billing\n"
        f"    endpoint_url: {gcs_url}\n"
        "    staging_dir: staging\n"
    )
    settings = load_settings(config)
    warehouse = tmp_path / "dagster.duckdb"
    defs = build_definitions(settings, str(warehouse))
    job = defs.resolve_job_def("billing_month_refresh")
    with dg.instance_for_test() as instance:
        for month in MONTHS:
            result = job.execute_in_process(partition_key=f"{month}-01", instance=instance)
            assert result.success and not failed_checks(result)
            fetched = [
                m.metadata["deliveries_fetched"].value
                for m in (e.materialization for e in result.get_asset_materialization_events())
                if m.asset_key == dg.AssetKey(["raw", "gcp_cloud"])
            ]
            assert fetched == [1]
    con = duckdb.connect(str(warehouse), read_only=True)
    got = month_totals(con, "gcp-cloud")
    con.close()
    assert got == _local_totals(gcp_export, "gcp-cloud", tmp_path)
