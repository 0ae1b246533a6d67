"""Azure Cost Management exports: the exports of a scope and their run history from a local
replay of the management API (see cost_management_server), the delivered files from Azurite."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.errors import IngestError
from finops_pipeline.refresh import ingest_and_refresh, sync_and_refresh
from finops_pipeline.settings import SourceSettings
from finops_pipeline.warehouse import connect
from tests.connectors.azure_helpers import container, upload_tree
from tests.connectors.cost_management_server import (
    READER_TOKEN,
    CostManagementServer,
    ExportSpec,
    run_from_manifest,
    runs_from_tree,
)
from tests.connectors.s3_helpers import month_totals

SCOPE = "/subscriptions/00000000-0000-0000-0000-000000000000"
EXPORT = "kestrel-digital-focus-daily"


@pytest.fixture
def replay(azurite_url, azurite_key, sample_exports, monkeypatch):
    folder = sample_exports / "azure-focus"
    upload_tree(container(azurite_url, "exports"), folder)
    spec = ExportSpec(EXPORT, "devstoreaccount1", "exports", "focus/kestrel-digital")
    spec.runs = runs_from_tree(folder, "exports")
    failed = json.loads(json.dumps(spec.runs[-1]))
    failed["name"], failed["properties"]["status"] = "failed-run", "Failed"
    failed["properties"]["submittedTime"] = "2030-01-01T00:00:00Z"  # newest, but failed
    spec.runs.append(failed)
    server = CostManagementServer(SCOPE, [spec])
    monkeypatch.setenv("AZURE_ACCESS_TOKEN", READER_TOKEN)
    try:
        yield server, spec
    finally:
        server.stop()


def _source(server, azurite_url, staging, **extra) -> SourceSettings:
    return SourceSettings(name="az-exports", location=f"azure-exports:{SCOPE}",
                          endpoint_url=server.url, blob_endpoint_url=azurite_url,
                          staging_dir=staging, **extra)  # fmt: skip


def _reference(folder: Path, tmp_path: Path) -> dict:
    con = connect(tmp_path / "reference.duckdb")
    ingest_and_refresh(con, folder, "az-exports")
    totals = month_totals(con, "az-exports")
    con.close()
    return totals


def test_exports_of_a_scope_load_and_reconcile(
    warehouse, replay, azurite_url, sample_exports, staging, tmp_path
) -> None:
    server, _spec = replay
    source = _source(server, azurite_url, staging, trigger_export=True)
    first = sync_and_refresh(warehouse, source)
    assert server.executed == [EXPORT]
    assert len(first.fetched) == 2 and not first.ingest.rejected
    assert month_totals(warehouse, "az-exports") == _reference(
        sample_exports / "azure-focus", tmp_path
    )
    assert all(row.ok for row in reconcile(warehouse))
    second = sync_and_refresh(warehouse, _source(server, azurite_url, staging))
    assert second.fetched == [] and len(second.unchanged) == 2


def test_a_rerun_of_the_month_replaces_it(
    warehouse, replay, azurite_url, sample_exports, staging, tmp_path
) -> None:
    server, spec = replay
    source = _source(server, azurite_url, staging, export=EXPORT)
    sync_and_refresh(warehouse, source)

    local = tmp_path / "after"
    shutil.copytree(sample_exports / "azure-focus", local)
    old_run = next(next(local.rglob("20260301-20260331")).iterdir())
    new_run = old_run.parent / "rerun-0002"
    new_run.mkdir()
    lines = (old_run / "part_0_0001.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (new_run / "part_0_0001.csv").write_text("".join(lines[: len(lines) // 3]), encoding="utf-8")
    manifest = json.loads((old_run / "manifest.json").read_text())
    rel = new_run.relative_to(local).as_posix()
    manifest["runInfo"].update(runId="rerun-0002", submittedTime="2026-04-02T06:00:00Z")
    manifest["blobs"] = [{"blobName": f"{rel}/part_0_0001.csv"}]
    (new_run / "manifest.json").write_text(json.dumps(manifest))
    blobs = container(azurite_url, "exports")
    for name in ("part_0_0001.csv", "manifest.json"):
        with (new_run / name).open("rb") as data:
            blobs.upload_blob(f"{rel}/{name}", data, overwrite=True)
    spec.runs.append(run_from_manifest(manifest, f"{rel}/manifest.json", "exports"))

    report = sync_and_refresh(warehouse, source)
    assert len(report.fetched) == 1
    shutil.rmtree(old_run)
    assert month_totals(warehouse, "az-exports") == _reference(local, tmp_path)
    versions = warehouse.execute(
        "select distinct version from connector_state where billing_period = '2026-03-01'"
    ).fetchall()
    assert versions == [("rerun-0002",)]


def test_missing_role_is_named(warehouse, replay, azurite_url, staging, monkeypatch) -> None:
    server, _spec = replay
    monkeypatch.setenv("AZURE_ACCESS_TOKEN", "token-without-the-role")
    with pytest.raises(IngestError) as caught:
        sync_and_refresh(warehouse, _source(server, azurite_url, staging))
    message = str(caught.value)
    assert "source 'az-exports'" in message and "AuthorizationFailed" in message
    assert f"assign Cost Management Reader on scope {SCOPE}" in message


def test_unknown_export_name_is_named(warehouse, replay, azurite_url, staging) -> None:
    server, _spec = replay
    with pytest.raises(IngestError, match="no export named 'nope'"):
        sync_and_refresh(warehouse, _source(server, azurite_url, staging, export="nope"))
