"""`finops ingest bigquery://...`, and an azure:// plus a bigquery:// source from finops.yaml
materialised through Dagster, against Azurite and bqemulator on 127.0.0.1."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.dagster_run import failed_checks
from finops_pipeline.definitions import build_definitions
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.settings import load_settings
from finops_pipeline.warehouse import connect
from tests.connectors.azure_helpers import container, upload_tree
from tests.connectors.bigquery_helpers import PROJECT, client, create_export_table
from tests.connectors.s3_helpers import month_totals


def _reference(folder: Path, source: str, fmt: str, tmp_path: Path) -> dict[str, Decimal]:
    con = connect(tmp_path / f"reference-{source}.duckdb")
    ingest_and_refresh(con, folder, source, fmt)
    totals = month_totals(con, source)
    con.close()
    return totals


def _bigquery_table(url: str, sample_exports: Path, name: str) -> str:
    table = f"{PROJECT}.billing.{name}"
    files = sorted((sample_exports / "gcp-billing").rglob("*.parquet"))
    create_export_table(client(url), table, files)
    return table


def test_cli_ingest_bigquery_location(bigquery_url, sample_exports, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = _bigquery_table(bigquery_url, sample_exports, "gcp_billing_export_v1_cli")
    warehouse = tmp_path / "cli.duckdb"
    args = ["ingest", f"bigquery://{table}", "--endpoint-url", bigquery_url, "--since",
            "2026-02", "--source", "gcp-cli", "--warehouse", str(warehouse)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 delivery(ies) fetched, 0 unchanged" in result.output
    con = duckdb.connect(str(warehouse), read_only=True)
    got = month_totals(con, "gcp-cli")
    con.close()
    assert got == _reference(sample_exports / "gcp-billing", "gcp-cli", "gcp-billing", tmp_path)


def test_configured_azure_and_bigquery_sources_through_dagster(
    azurite_url, azurite_key, bigquery_url, sample_exports, tmp_path
) -> None:
    upload_tree(container(azurite_url, "dagster"), sample_exports / "azure-focus")
    table = _bigquery_table(bigquery_url, sample_exports, "gcp_billing_export_v1_dagster")
    config = tmp_path / "finops.yaml"
    config.write_text(
        "partitions_start: '2026-01-01'\n"
        "sources:\n"
        "  - name: azure-cloud\n"
        "    location: azure://devstoreaccount1/dagster/focus\n"
        f"    endpoint_url: {azurite_url}\n"
        "  - name: gcp-cloud\n"
        f"    location: bigquery://{table}\n"
        f"    endpoint_url: {bigquery_url}\n"
        "    since: 2026-02\n"
    )
    warehouse = tmp_path / "dagster.duckdb"
    defs = build_definitions(load_settings(config), str(warehouse))
    job = defs.resolve_job_def("billing_month_refresh")
    with dg.instance_for_test() as instance:
        for key in ("2026-02-01", "2026-03-01"):
            result = job.execute_in_process(partition_key=key, instance=instance)
            assert result.success and not failed_checks(result)
    con = duckdb.connect(str(warehouse), read_only=True)
    azure, gcp = month_totals(con, "azure-cloud"), month_totals(con, "gcp-cloud")
    state = con.execute(
        "select source_name, count(distinct delivery_key) from connector_state group by 1 "
        "order by 1"
    ).fetchall()
    con.close()
    assert azure == _reference(sample_exports / "azure-focus", "azure-cloud", "auto", tmp_path)
    assert gcp == _reference(sample_exports / "gcp-billing", "gcp-cloud", "gcp-billing", tmp_path)
    assert state == [("azure-cloud", 2), ("gcp-cloud", 2)]
    assert (tmp_path / "finops_staging" / "gcp-cloud" / "invoice_month=202603").is_dir()
