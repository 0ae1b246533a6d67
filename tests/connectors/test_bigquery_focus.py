"""A FOCUS-shaped BigQuery source (Google's FOCUS view over the detailed export) against
bqemulator.

The table is built from 60 rows per month of the sample's GCP detailed export, put through the
column logic of Google's published FOCUS view template (see bigquery_focus_helpers). Where the
emulator deviates from BigQuery: the source is a *table* with the view's schema (and, in one
test, a plain `select *` view over it), not Google's view over an export (its SQL needs the
pricing export and BigQuery-only functions), so partition pruning is not exercised; a view's
metadata carries no schema in bqemulator (the connector falls back to a dry run); IAM is not
enforced; rows come through REST.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.cloud import bigquery

from finops_pipeline.connectors.bigquery_focus import exact_money, is_focus_schema
from finops_pipeline.connectors.bigquery_sql import bigquery_sql, partition_filters
from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.errors import IngestError
from finops_pipeline.refresh import ingest_and_refresh, sync_and_refresh
from finops_pipeline.settings import SourceSettings
from finops_pipeline.warehouse import connect
from tests.connectors.bigquery_focus_helpers import (
    SCHEMA,
    create_focus_table,
    focus_rows,
    jsonable,
    write_local,
)
from tests.connectors.bigquery_helpers import PROJECT, client, insert
from tests.connectors.s3_helpers import month_totals

PER_MONTH = 60


def _source(name: str, table: str, url: str, staging: Path, **extra: str) -> SourceSettings:
    return SourceSettings(name=name, location=f"bigquery://{table}", endpoint_url=url,
                          since="2026-02", staging_dir=staging, **extra)  # fmt: skip


@pytest.fixture
def rows(sample_exports: Path) -> list[dict]:
    files = sorted((sample_exports / "gcp-billing").rglob("*.parquet"))
    return focus_rows(files, PER_MONTH)


@pytest.fixture
def focus_table(bigquery_url: str, rows: list[dict], request: pytest.FixtureRequest) -> str:
    table = f"{PROJECT}.gcp_billing_focus.focus_{request.node.name[5:25]}"
    create_focus_table(client(bigquery_url), table, rows)
    return table


@pytest.mark.parametrize(
    ("name", "bound"),
    [("bigquery_focus_changed_months", "@period_from"),
     ("bigquery_focus_month", "@billing_period_start")],
)  # fmt: skip
def test_the_focus_sql_is_bounded_on_the_billing_month(name: str, bound: str) -> None:
    sql = bigquery_sql(name, "my-proj.billing.focus_view")
    assert "`my-proj`.`billing`.`focus_view`" in sql
    filters = partition_filters(sql, "BillingPeriodStart")
    assert len(filters) == 1 and bound in filters[0].sql(dialect="bigquery")


def test_detects_the_focus_schema_not_the_export() -> None:
    export = [bigquery.SchemaField(n, "STRING") for n in ("cost", "usage_start_time", "invoice")]
    assert is_focus_schema(SCHEMA) and not is_focus_schema(export)


def test_money_stays_exact_in_arrow() -> None:
    """NUMERIC stays decimal128; BIGNUMERIC (decimal256) and FLOAT64 become exact text."""
    table = pa.table({
        "BilledCost": pa.array([Decimal("1.123456789")], pa.decimal128(38, 9)),
        "ListCost": pa.array([Decimal("2.5")], pa.decimal256(76, 38)),
        "PricingQuantity": pa.array([0.1], pa.float64()),
    })  # fmt: skip
    out = exact_money(table)
    assert out.schema.field("BilledCost").type == pa.decimal128(38, 9)
    assert out.column("ListCost").to_pylist()[0].startswith("2.5")
    assert out.column("PricingQuantity").to_pylist() == ["0.1"]


def _reference(rows: list[dict], tmp_path: Path) -> dict[str, Decimal]:
    folder = tmp_path / "local-focus"
    write_local(rows, folder)
    con = connect(tmp_path / "reference.duckdb")
    ingest_and_refresh(con, folder, "gcp-focus", "focus")
    totals = month_totals(con, "gcp-focus")
    con.close()
    return totals


def test_first_load_reconciles_then_no_op(
    warehouse, bigquery_url, focus_table, rows, staging, tmp_path
) -> None:
    source = _source("gcp-focus", focus_table, bigquery_url, staging)
    first = sync_and_refresh(warehouse, source)
    assert len(first.fetched) == 2 and not first.ingest.rejected
    assert {f.format for f in first.ingest.files} == {"focus"}
    expected = _reference(rows, tmp_path)
    assert month_totals(warehouse, "gcp-focus") == expected and len(expected) == 2
    source_total = sum((r["BilledCost"] for r in rows), Decimal(0))
    assert sum(expected.values()) == source_total
    assert all(row.ok for row in reconcile(warehouse))
    assert sorted(p.name for p in (staging / "gcp-focus").iterdir()) == [
        "BILLING_PERIOD=2026-02", "BILLING_PERIOD=2026-03"]  # fmt: skip
    staged = pq.read_schema(next((staging / "gcp-focus").rglob("*.parquet")))
    assert pa.types.is_decimal(staged.field("BilledCost").type)  # never a float
    tags = warehouse.execute(
        "select count(*) from focus_costs where x_SourceName = 'gcp-focus' "
        "and Tags->>'team' is not null").fetchone()[0]  # fmt: skip
    assert tags > 0  # the view's key/value list became a JSON object
    second = sync_and_refresh(warehouse, source)
    assert second.fetched == [] and len(second.unchanged) == 2


def test_a_restated_month_reloads_only_that_month(
    warehouse, bigquery_url, focus_table, rows, staging
) -> None:
    bq = client(bigquery_url)
    source = _source("gcp-focus-late", focus_table, bigquery_url, staging, format="focus")
    sync_and_refresh(warehouse, source)
    before = month_totals(warehouse, "gcp-focus-late")

    late = copy.deepcopy(next(r for r in rows if f"{r['BillingPeriodStart']:%Y%m}" == "202602"))
    late.update(BilledCost=Decimal("12.5"), EffectiveCost=Decimal("12.5"),
                x_ExportTime=datetime(2026, 3, 9, tzinfo=UTC))  # fmt: skip
    insert(bq, focus_table, [jsonable(late)])

    report = sync_and_refresh(warehouse, source)
    assert report.fetched == [f"{focus_table}#2026-02"]
    after = month_totals(warehouse, "gcp-focus-late")
    assert after["2026-02"] == before["2026-02"] + Decimal("12.5")
    assert after["2026-03"] == before["2026-03"]
    assert all(r.ok for r in reconcile(warehouse))


def test_without_an_export_time_a_cost_restated_in_place_is_seen(
    warehouse, bigquery_url, rows, staging
) -> None:
    """A view without x_ExportTime, and a restatement that keeps the row count (an UPDATE):
    only sum(BilledCost) can show it, which is why the changed-months query sums it."""
    bq = client(bigquery_url)
    table = f"{PROJECT}.gcp_billing_focus.focus_no_export_time"
    create_focus_table(bq, table, rows, drop=("x_ExportTime",))
    source = _source("gcp-focus-upd", table, bigquery_url, staging)
    sync_and_refresh(warehouse, source)
    before = month_totals(warehouse, "gcp-focus-upd")
    account = rows[0]["SubAccountId"]
    bq.query(
        f"update `{table}` set BilledCost = BilledCost + 1 "
        f"where ChargePeriodStart = @start and SubAccountId = @account and ResourceId = @res",
        job_config=bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter("start", "TIMESTAMP", rows[-1]["ChargePeriodStart"]),
            bigquery.ScalarQueryParameter("account", "STRING", account),
            bigquery.ScalarQueryParameter("res", "STRING", rows[-1]["ResourceId"]),
        ]),
    ).result()  # fmt: skip
    changed = sum(1 for r in rows if r["ChargePeriodStart"] == rows[-1]["ChargePeriodStart"]
                  and r["ResourceId"] == rows[-1]["ResourceId"])  # fmt: skip

    report = sync_and_refresh(warehouse, source)
    assert report.fetched == [f"{table}#2026-03"]
    after = month_totals(warehouse, "gcp-focus-upd")
    assert after["2026-03"] == before["2026-03"] + changed
    assert after["2026-02"] == before["2026-02"]


def test_missing_view_names_the_source_and_table(warehouse, bigquery_url, staging) -> None:
    table = f"{PROJECT}.gcp_billing_focus.no_such_view"
    source = _source("gcp-focus-gone", table, bigquery_url, staging, format="focus")
    with pytest.raises(IngestError) as caught:
        sync_and_refresh(warehouse, source)
    message = str(caught.value)
    assert "source 'gcp-focus-gone'" in message and "not found" in message
    assert table in message and "FOCUS view" in message


def test_format_focus_on_an_export_table_says_what_is_missing(
    warehouse, bigquery_url, staging
) -> None:
    bq = client(bigquery_url)
    table = f"{PROJECT}.billing.not_focus"
    bq.create_dataset(f"{PROJECT}.billing", exists_ok=True)
    schema = [bigquery.SchemaField("cost", "FLOAT"), bigquery.SchemaField("currency", "STRING")]
    bq.create_table(bigquery.Table(table, schema=schema), exists_ok=True)
    source = _source("gcp-not-focus", table, bigquery_url, staging, format="focus")
    with pytest.raises(IngestError) as caught:
        sync_and_refresh(warehouse, source)
    message = str(caught.value)
    assert "source 'gcp-not-focus'" in message and table in message
    assert "BilledCost" in message and "BillingPeriodStart" in message


def test_through_a_view(warehouse, bigquery_url, focus_table, rows, staging) -> None:
    """A logical view over the FOCUS-shaped table, as Google's view sits over the export.
    bqemulator returns no schema in a view's metadata (BigQuery does), so this also covers the
    dry-run fallback that reads the view's columns."""
    bq = client(bigquery_url)
    view = bigquery.Table(f"{focus_table}_view")
    view.view_query = f"select * from `{focus_table}`"
    bq.create_table(view, exists_ok=True)
    source = _source("gcp-focus-view", f"{focus_table}_view", bigquery_url, staging)
    report = sync_and_refresh(warehouse, source)
    assert len(report.fetched) == 2 and {f.format for f in report.ingest.files} == {"focus"}
    total = sum(month_totals(warehouse, "gcp-focus-view").values())
    assert total == sum((r["BilledCost"] for r in rows), Decimal(0))
    assert sync_and_refresh(warehouse, source).fetched == []
