"""BigQuery connector against bqemulator on 127.0.0.1 (REST API; the client is unchanged but
for its endpoint and anonymous credentials).

Where the emulator deviates from BigQuery: it accepts the `_PARTITIONTIME` filter but we do not
rely on it pruning anything (every emulator row sits in today's partition, so the filters used
here keep them all); it does not enforce IAM, so the refusal message is checked on the real
google-api-core exception type; and the BigQuery Storage API is not used (the
google-cloud-bigquery-storage package is not installed, so rows come through REST).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from google.api_core import exceptions as gexc

from finops_pipeline.connectors.bigquery_errors import bigquery_errors
from finops_pipeline.connectors.bigquery_sql import bigquery_sql, partition_filters
from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.errors import IngestError
from finops_pipeline.refresh import ingest_and_refresh, sync_and_refresh
from finops_pipeline.settings import SourceSettings
from finops_pipeline.warehouse import connect
from tests.connectors.bigquery_helpers import PROJECT, client, create_export_table, insert
from tests.connectors.cutting_proxy import CuttingProxy
from tests.connectors.s3_helpers import month_totals


def _source(name: str, table: str, url: str, staging: Path) -> SourceSettings:
    return SourceSettings(name=name, location=f"bigquery://{table}", endpoint_url=url,
                          since="2026-02", staging_dir=staging)  # fmt: skip


def _reference(folder: Path, source: str, tmp_path: Path) -> dict[str, Decimal]:
    con = connect(tmp_path / f"reference-{source}.duckdb")
    ingest_and_refresh(con, folder, source, "gcp-billing")
    totals = month_totals(con, source)
    con.close()
    return totals


@pytest.fixture
def export_table(bigquery_url, sample_exports, request) -> str:
    table = f"{PROJECT}.billing.gcp_billing_export_v1_{request.node.name[5:20]}"
    files = sorted((sample_exports / "gcp-billing").rglob("*.parquet"))
    create_export_table(client(bigquery_url), table, files)
    return table


@pytest.mark.parametrize("name", ["bigquery_changed_months", "bigquery_month"])
def test_the_sql_sent_is_bounded_by_a_partition_filter(name: str) -> None:
    sql = bigquery_sql(name, "my-proj.billing.gcp_billing_export_v1_0A1B2C")
    assert "`my-proj`.`billing`.`gcp_billing_export_v1_0A1B2C`" in sql
    filters = partition_filters(sql)
    assert len(filters) == 1 and "@partition_from" in filters[0].sql(dialect="bigquery")


def test_first_load_then_no_op(
    warehouse, bigquery_url, export_table, sample_exports, staging, tmp_path
) -> None:
    source = _source("gcp", export_table, bigquery_url, staging)
    first = sync_and_refresh(warehouse, source)
    assert len(first.fetched) == 2 and not first.ingest.rejected
    expected = _reference(sample_exports / "gcp-billing", "gcp", tmp_path)
    assert month_totals(warehouse, "gcp") == expected and len(expected) == 2
    assert all(row.ok for row in reconcile(warehouse))
    assert sorted(p.name for p in (staging / "gcp").iterdir()) == [
        "invoice_month=202602", "invoice_month=202603"]  # fmt: skip
    second = sync_and_refresh(warehouse, source)
    assert second.fetched == [] and len(second.unchanged) == 2


def test_a_late_export_restates_only_its_month(
    warehouse, bigquery_url, export_table, staging
) -> None:
    bq = client(bigquery_url)
    source = _source("gcp-late", export_table, bigquery_url, staging)
    sync_and_refresh(warehouse, source)
    before = month_totals(warehouse, "gcp-late")

    row = next(iter(bq.query(
        f"select * from `{export_table}` where invoice.month = '202602' limit 1").result()))  # fmt: skip
    late = copy.deepcopy(dict(row.items()))
    late.update(cost=12.5, credits=[], export_time=datetime(2026, 3, 9, tzinfo=UTC))
    insert(bq, export_table, [late])

    report = sync_and_refresh(warehouse, source)
    assert report.fetched == [f"{export_table}#202602"]
    after = month_totals(warehouse, "gcp-late")
    assert after["2026-02"] == before["2026-02"] + Decimal("12.5")
    assert after["2026-03"] == before["2026-03"]
    assert all(r.ok for r in reconcile(warehouse))


def test_missing_table_names_the_source_and_table(warehouse, bigquery_url, staging) -> None:
    source = _source("gcp-gone", f"{PROJECT}.billing.no_such_table", bigquery_url, staging)
    with pytest.raises(IngestError) as caught:
        sync_and_refresh(warehouse, source)
    message = str(caught.value)
    assert "source 'gcp-gone'" in message and "not found" in message
    assert f"{PROJECT}.billing.no_such_table" in message


def test_refusal_names_the_permissions_to_grant() -> None:
    """bqemulator has no IAM: the mapping is checked on the exception the client raises."""
    with (
        pytest.raises(IngestError) as caught,
        bigquery_errors("gcp", "bigquery://p.d.t", "p.d.t", "p"),
    ):
        raise gexc.Forbidden("Access Denied: Table p:d.t: User does not have permission")
    message = str(caught.value)
    assert "grant bigquery.jobs.create on project p (roles/bigquery.jobUser)" in message
    assert "bigquery.tables.getData on p.d.t (roles/bigquery.dataViewer;" in message


def test_connection_cut_mid_result_fails_cleanly_then_recovers(
    warehouse, bigquery_url, export_table, staging, short_bigquery_retries
) -> None:
    port = int(bigquery_url.rsplit(":", 1)[1])
    proxy = CuttingProxy(port, cut_after=50_000)
    try:
        source = _source("gcp-flaky", export_table, proxy.url, staging)
        proxy.cuts = 10_000
        with pytest.raises(IngestError) as caught:
            sync_and_refresh(warehouse, source)
        assert "network failure" in str(caught.value) and proxy.cut_count >= 2
        assert warehouse.execute("select count(*) from load_log").fetchone()[0] == 0
        assert [p for p in staging.rglob("*") if ".part" in p.name or "incoming" in p.name] == []
        proxy.cuts, proxy.cut_count = 1, 0
        report = sync_and_refresh(warehouse, source)
        assert proxy.cut_count == 1 and len(report.fetched) == 2
        assert all(r.ok for r in reconcile(warehouse))
    finally:
        proxy.stop()
