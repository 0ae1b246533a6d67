"""Azure Blob connector against Azurite on 127.0.0.1: partitioned exports (manifest.json per
run, newest run of a month wins) and non-partitioned ones (newest file of the period folder)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.errors import IngestError
from finops_pipeline.refresh import ingest_and_refresh, sync_and_refresh
from finops_pipeline.settings import SourceSettings
from finops_pipeline.warehouse import connect
from tests.connectors.azure_helpers import container, upload_tree
from tests.connectors.cutting_proxy import CuttingProxy
from tests.connectors.s3_helpers import month_totals

ACCOUNT = "devstoreaccount1"


def _source(name: str, location: str, url: str, staging: Path) -> SourceSettings:
    return SourceSettings(name=name, location=location, endpoint_url=url, staging_dir=staging)


def _reference(folder: Path, source: str, tmp_path: Path) -> dict[str, Decimal]:
    con = connect(tmp_path / f"reference-{source}.duckdb")
    try:
        ingest_and_refresh(con, folder, source)
        return month_totals(con, source)
    finally:
        con.close()


@pytest.mark.parametrize(
    ("sample", "under"),
    [("azure-focus", "focus"), ("azure-ea-actual", "costexports")],
    ids=["partitioned-focus", "non-partitioned-actual"],
)
def test_first_load_then_no_op(
    warehouse, azurite_url, azurite_key, sample_exports, staging, tmp_path, sample, under
) -> None:
    upload_tree(container(azurite_url, sample), sample_exports / sample)
    source = _source(sample, f"azure://{ACCOUNT}/{sample}/{under}", azurite_url, staging)
    first = sync_and_refresh(warehouse, source)
    assert len(first.fetched) == 2 and not first.ingest.rejected
    expected = _reference(sample_exports / sample, sample, tmp_path)
    assert month_totals(warehouse, sample) == expected and len(expected) == 2
    assert all(row.ok for row in reconcile(warehouse))
    second = sync_and_refresh(warehouse, source)
    assert second.fetched == [] and len(second.unchanged) == 2


def test_rerun_of_a_month_newest_run_wins(
    warehouse, azurite_url, azurite_key, sample_exports, staging, tmp_path
) -> None:
    client = container(azurite_url, "reruns")
    upload_tree(client, sample_exports / "azure-focus")
    source = _source("az-rerun", f"azure://{ACCOUNT}/reruns/focus", azurite_url, staging)
    sync_and_refresh(warehouse, source)

    # Re-run of March: a new run folder with its own manifest, holding fewer rows.
    local = tmp_path / "after"
    shutil.copytree(sample_exports / "azure-focus", local)
    march = next(local.rglob("20260301-20260331"))
    old_run = next(march.iterdir())
    new_run = march / "rerun-0002"
    new_run.mkdir()
    lines = (old_run / "part_0_0001.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (new_run / "part_0_0001.csv").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    manifest = json.loads((old_run / "manifest.json").read_text())
    rel = new_run.relative_to(local).as_posix()
    manifest["runInfo"]["runId"] = "rerun-0002"
    manifest["blobs"] = [{"blobName": f"{rel}/part_0_0001.csv"}]
    (new_run / "manifest.json").write_text(json.dumps(manifest))
    for name in ("part_0_0001.csv", "manifest.json"):  # the manifest last, as Azure does
        with (new_run / name).open("rb") as data:
            client.upload_blob(f"{rel}/{name}", data, overwrite=True)

    report = sync_and_refresh(warehouse, source)
    assert len(report.fetched) == 1 and report.fetched[0].endswith("20260301-20260331")
    shutil.rmtree(old_run)  # the reference: only the newest run of March
    expected = _reference(local, "az-rerun", tmp_path)
    got = month_totals(warehouse, "az-rerun")
    assert got == expected
    state = warehouse.execute(
        "select distinct version from connector_state where source_name = 'az-rerun' "
        "and billing_period = '2026-03-01'"
    ).fetchall()
    assert state == [("rerun-0002",)]


def test_missing_container_names_the_source(warehouse, azurite_url, azurite_key, staging) -> None:
    source = _source("az-gone", f"azure://{ACCOUNT}/no-such-container/x", azurite_url, staging)
    with pytest.raises(IngestError) as caught:
        sync_and_refresh(warehouse, source)
    assert "source 'az-gone'" in str(caught.value) and "ContainerNotFound" in str(caught.value)


def test_refused_key_names_the_role_to_assign(
    warehouse, azurite_url, sample_exports, staging, monkeypatch
) -> None:
    upload_tree(container(azurite_url, "locked"), sample_exports / "azure-focus")
    monkeypatch.setenv("AZURE_STORAGE_KEY", "d3Jvbmcga2V5IGZvciB0aGlzIGFjY291bnQ=")
    source = _source("az-locked", f"azure://{ACCOUNT}/locked/focus", azurite_url, staging)
    with pytest.raises(IngestError) as caught:
        sync_and_refresh(warehouse, source)
    message = str(caught.value)
    assert "source 'az-locked'" in message and "access denied" in message
    assert f"assign Storage Blob Data Reader on storage account '{ACCOUNT}'" in message


def test_connection_cut_mid_download_fails_cleanly_then_recovers(
    warehouse, azurite_url, azurite_key, sample_exports, staging
) -> None:
    upload_tree(container(azurite_url, "flaky"), sample_exports / "azure-focus")
    port = int(azurite_url.split(":")[2].split("/")[0])
    proxy = CuttingProxy(port, cut_after=200_000)
    try:
        url = f"http://127.0.0.1:{proxy.port}/{ACCOUNT}"
        source = _source("az-flaky", f"azure://{ACCOUNT}/flaky/focus", url, staging)
        proxy.cuts = 1_000
        with pytest.raises(IngestError) as caught:
            sync_and_refresh(warehouse, source)
        assert "network failure" in str(caught.value) and proxy.cut_count >= 2
        assert warehouse.execute("select count(*) from load_log").fetchone()[0] == 0
        assert [p for p in staging.rglob("*") if ".part" in p.name or "incoming" in p.name] == []
        proxy.cuts, proxy.cut_count = 1, 0
        report = sync_and_refresh(warehouse, source)
        assert proxy.cut_count == 1 and len(report.fetched) == 2
        assert all(row.ok for row in reconcile(warehouse))
    finally:
        proxy.stop()


def test_cli_ingest_azure_location(
    azurite_url, azurite_key, sample_exports, tmp_path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from finops_pipeline.cli import app

    monkeypatch.chdir(tmp_path)
    upload_tree(container(azurite_url, "cli"), sample_exports / "azure-focus")
    warehouse = tmp_path / "cli.duckdb"
    args = ["ingest", f"azure://{ACCOUNT}/cli/focus", "--endpoint-url", azurite_url,
            "--source", "az-cli", "--warehouse", str(warehouse)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 delivery(ies) fetched, 0 unchanged" in result.output
    con = connect(warehouse)
    got = month_totals(con, "az-cli")
    con.close()
    assert got == _reference(sample_exports / "azure-focus", "az-cli", tmp_path)
    bad = CliRunner().invoke(app, ["ingest", "azure://acct", "--source", "x"])
    assert bad.exit_code == 2 and "expected azure://account/container/path" in bad.output
    assert "validation error" not in bad.output
