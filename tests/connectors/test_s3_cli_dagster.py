"""`finops ingest s3://...` and the same source from finops.yaml through Dagster, against
moto's S3 server on 127.0.0.1."""

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
from tests.connectors.s3_helpers import month_totals, s3_client, upload_tree


def _reference(folder: Path, source: str, tmp_path: Path) -> dict[str, Decimal]:
    con = connect(tmp_path / "reference.duckdb")
    ingest_and_refresh(con, folder, source)
    totals = month_totals(con, source)
    con.close()
    return totals


def test_cli_ingest_s3_location(moto_port, sample_exports, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    upload_tree(s3_client(moto_port), "cli-bucket", sample_exports / "aws-cur-legacy")
    warehouse = tmp_path / "cli.duckdb"
    args = ["ingest", "s3://cli-bucket/cur", "--endpoint-url", f"http://127.0.0.1:{moto_port}",
            "--source", "aws-cli", "--warehouse", str(warehouse)]  # fmt: skip
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2 delivery(ies) fetched, 0 unchanged" in first.output
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "0 delivery(ies) fetched, 2 unchanged" in second.output
    assert (tmp_path / "finops_staging" / "aws-cli" / "kestrel-daily-cur").is_dir()
    con = duckdb.connect(str(warehouse), read_only=True)
    got = month_totals(con, "aws-cli")
    con.close()
    assert got == _reference(sample_exports / "aws-cur-legacy", "aws-cli", tmp_path)


def test_cli_ingest_s3_missing_bucket_is_one_line(moto_port, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app,
        ["ingest", "s3://absent-bucket/x", "--endpoint-url", f"http://127.0.0.1:{moto_port}",
         "--warehouse", str(tmp_path / "w.duckdb")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "NoSuchBucket" in result.output and "Traceback" not in result.output


def test_configured_s3_source_materialises_through_dagster(
    moto_port, sample_exports, tmp_path
) -> None:
    upload_tree(s3_client(moto_port), "dagster-bucket", sample_exports / "aws-cur-legacy")
    config = tmp_path / "finops.yaml"
    config.write_text(
        "partitions_start: '2026-01-01'\n"
        "sources:\n"
        "  - name: aws-cloud\n"
        "    location: s3://dagster-bucket/cur\n"
        f"    endpoint_url: http://127.0.0.1:{moto_port}\n"
        "    staging_dir: staging\n"
    )
    settings = load_settings(config)
    assert settings.sources[0].staging_dir == tmp_path / "staging"
    warehouse = tmp_path / "dagster.duckdb"
    defs = build_definitions(settings, str(warehouse))
    job = defs.resolve_job_def("billing_month_refresh")
    with dg.instance_for_test() as instance:
        for key in ("2026-02-01", "2026-03-01"):
            result = job.execute_in_process(partition_key=key, instance=instance)
            assert result.success and not failed_checks(result)
            fetched = [
                m.metadata["deliveries_fetched"].value
                for m in (e.materialization for e in result.get_asset_materialization_events())
                if m.asset_key == dg.AssetKey(["raw", "aws_cloud"])
            ]
            assert fetched == [1]
    con = duckdb.connect(str(warehouse), read_only=True)
    got = month_totals(con, "aws-cloud")
    con.close()
    assert got == _reference(sample_exports / "aws-cur-legacy", "aws-cloud", tmp_path)
