"""GCP billing export: every file shape BigQuery (or pandas) writes lands the same FOCUS rows.

One set of BigQuery-shaped rows is written as newline JSON, as Parquet with BigQuery's nested
types, and as the pandas CSV flattening (dotted headers, Python-repr lists); each must give
the same charges, credit rows, tags and totals.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.ingest import gcp_nested
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.warehouse import run_sql_file

KV = pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))
TS = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema([
    ("billing_account_id", pa.string()),
    ("service", pa.struct([("id", pa.string()), ("description", pa.string())])),
    ("sku", pa.struct([("id", pa.string()), ("description", pa.string())])),
    ("usage_start_time", TS),
    ("usage_end_time", TS),
    ("project", pa.struct([("id", pa.string()), ("number", pa.string()), ("name", pa.string()),
                           ("labels", KV), ("ancestry_numbers", pa.string())])),
    ("labels", KV),
    ("system_labels", KV),
    ("location", pa.struct([("location", pa.string()), ("country", pa.string()),
                            ("region", pa.string()), ("zone", pa.string())])),
    ("resource", pa.struct([("name", pa.string()), ("global_name", pa.string())])),
    ("tags", pa.list_(pa.struct([("key", pa.string()), ("value", pa.string()),
                                 ("inherited", pa.bool_()), ("namespace", pa.string())]))),
    ("export_time", TS),
    ("cost", pa.float64()),
    ("currency", pa.string()),
    ("currency_conversion_rate", pa.float64()),
    ("usage", pa.struct([("amount", pa.float64()), ("unit", pa.string()),
                         ("amount_in_pricing_units", pa.float64()),
                         ("pricing_unit", pa.string())])),
    ("credits", pa.list_(pa.struct([("name", pa.string()), ("amount", pa.float64()),
                                    ("full_name", pa.string()), ("id", pa.string()),
                                    ("type", pa.string())]))),
    ("invoice", pa.struct([("month", pa.string())])),
    ("cost_type", pa.string()),
    ("adjustment_info", pa.struct([("id", pa.string()), ("description", pa.string()),
                                   ("mode", pa.string()), ("type", pa.string())])),
    ("subscription", pa.struct([("instance_id", pa.string())])),
    ("cost_at_list", pa.float64()),
])  # fmt: skip

SUD = {"name": "Sustained Usage Discount", "amount": -1.25, "full_name": None,
       "id": "sud-1", "type": "SUSTAINED_USAGE_DISCOUNT"}  # fmt: skip
CUD = {"name": "Committed Usage Discount: CPU", "amount": -2.5, "full_name": None,
       "id": "Committed Usage Discount: CPU", "type": "COMMITTED_USAGE_DISCOUNT"}  # fmt: skip
PROMO = {"name": "Google's \"startup\" credit", "amount": -0.75, "full_name": None,
         "id": "promo-1", "type": "PROMOTION"}  # fmt: skip


def _row(cost: float, *, service: str = "Compute Engine", sku: str = "N2 Instance Core",
         project: str | None = "proj-a", project_labels: dict[str, str] | None = None,
         labels: dict[str, str] | None = None, system_labels: dict[str, str] | None = None,
         credits: list[dict] | None = None, cost_type: str = "regular", month: str = "202401",
         start: str = "2024-01-10 05:00:00", adjustment: dict | None = None,
         subscription: str | None = None, tags: list[dict] | None = None) -> dict[str, Any]:  # fmt: skip
    def kv(d: dict[str, str] | None) -> list[dict[str, str]]:
        return [{"key": k, "value": v} for k, v in (d or {}).items()]

    began = datetime.fromisoformat(start).replace(tzinfo=UTC)
    return {
        "billing_account_id": "01ABCD-234567-89EF01",
        "service": {"id": "6F81-5844-456A" if service == "Compute Engine" else "X-1",
                    "description": service},
        "sku": {"id": "SKU-" + "".join(w[0] for w in sku.split()).upper(),
                "description": sku},
        "usage_start_time": began,
        "usage_end_time": began.replace(hour=began.hour + 1),
        "project": {"id": project, "number": "123", "name": project and project.upper(),
                    "labels": kv(project_labels), "ancestry_numbers": "/1/123/"},
        "labels": kv(labels),
        "system_labels": kv(system_labels),
        "location": {"location": "us-central1", "country": "US", "region": "us-central1",
                     "zone": "us-central1-a"},
        "resource": {"name": "vm-1", "global_name": "//compute.googleapis.com/vm-1"},
        "tags": tags or [],
        "export_time": began.replace(day=began.day + 1),
        "cost": cost,
        "currency": "USD",
        "currency_conversion_rate": 1.0,
        "usage": {"amount": 3600.0, "unit": "seconds", "amount_in_pricing_units": 1.0,
                  "pricing_unit": "hour"},
        "credits": credits or [],
        "invoice": {"month": month},
        "cost_type": cost_type,
        "adjustment_info": adjustment or {"id": None, "description": None, "mode": None,
                                          "type": None},
        "subscription": {"instance_id": subscription},
        "cost_at_list": cost * 1.25 if cost_type == "regular" else None,
    }  # fmt: skip


def sample_rows(month: str = "202401") -> list[dict[str, Any]]:
    return [
        _row(10.5, project_labels={"team": "platform", "env": "prod"},
             labels={"team": "payments"}, system_labels={"compute.googleapis.com/machine_spec":
                                                          "n2-standard-4"},
             credits=[SUD, CUD, PROMO], month=month,
             tags=[{"key": "cost-center", "value": "cc1", "inherited": True,
                    "namespace": "123456789012"}]),
        _row(0.123456, service="Cloud Storage", sku="Standard Storage", project="proj-b",
             project_labels={"team": "data"}, month=month),
        _row(5.0, sku="Commitment v1: Cpu in Americas for 1 Year", subscription="cud-123",
             month=month),
        _row(0.84, service="Invoice", sku="Tax", cost_type="tax", month=month),
        _row(-3.0, sku="N2 Instance Core", cost_type="adjustment", month=month,
             start="2023-12-20 00:00:00",
             adjustment={"id": "adj-1", "description": "Usage correction for December",
                         "mode": "PARTIAL_CORRECTION", "type": "USAGE_CORRECTION"}),
        _row(0.001, service="Invoice", sku="Rounding error", cost_type="rounding_error",
             project=None, month=month),
    ]  # fmt: skip


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")  # BigQuery's JSON export spelling
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _flatten(row: dict[str, Any]) -> dict[str, str]:
    """pandas-style: structs become dotted columns, lists their Python repr, None ''."""
    out: dict[str, str] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                out[f"{key}.{sub}"] = _flatten({"v": inner})["v"]
        elif isinstance(value, list):
            out[key] = repr(value)
        elif isinstance(value, datetime):
            out[key] = value.isoformat(sep=" ")
        else:
            out[key] = "" if value is None else str(value)
    return out


def write_export(rows: list[dict[str, Any]], folder: Path, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "jsonl":
        path = folder / "export.jsonl"
        path.write_text("".join(json.dumps(_json_value(r)) + "\n" for r in rows))
    elif kind == "parquet":
        path = folder / "export.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), path)
    else:
        path = folder / "export.csv"
        flat = [_flatten(r) for r in rows]
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(flat[0]))
            writer.writeheader()
            writer.writerows(flat)
    return path


def _dec(value: float) -> Decimal:
    return Decimal(repr(value))


KINDS = ["jsonl", "parquet", "csv"]


@pytest.mark.parametrize("kind", KINDS)
def test_export_lands_with_credit_rows_and_reconciles(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, kind: str
) -> None:
    rows = sample_rows()
    report = ingest_and_refresh(warehouse, write_export(rows, tmp_path, kind), source="gcp")
    [outcome] = report.files
    assert outcome.status == "loaded", outcome.reason
    assert outcome.format == "gcp-billing" and outcome.detected
    assert outcome.rows == len(rows)
    invoice = sum(_dec(r["cost"]) + sum(_dec(c["amount"]) for c in r["credits"]) for r in rows)
    assert outcome.totals == {"USD": invoice}

    focus = warehouse.execute(
        "select count(*), sum(BilledCost), sum(EffectiveCost) from focus_costs"
    ).fetchone()
    # + 3 credit rows, + the CUD fee's unused part (its CPU credit covers part of the hour)
    assert focus == (len(rows) + 4, invoice, invoice)
    assert all(r.ok for r in reconcile(warehouse))


@pytest.mark.parametrize("kind", KINDS)
def test_each_credit_is_its_own_credit_row_on_the_usage_row_dimensions(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, kind: str
) -> None:
    ingest_and_refresh(warehouse, write_export(sample_rows(), tmp_path, kind), source="gcp")
    credit_rows = warehouse.execute(
        "select ChargeDescription, BilledCost, EffectiveCost, ListCost, x_ChargeType, "
        "SubAccountId, ResourceId, ServiceName, SkuId, ChargePeriodStart, Tags->>'team', "
        "CommitmentDiscountCategory, CommitmentDiscountStatus "
        "from focus_costs where ChargeCategory = 'Credit' order by BilledCost"
    ).fetchall()
    common = ("proj-a", "//compute.googleapis.com/vm-1", "Compute Engine", "SKU-NIC",
              datetime(2024, 1, 10, 5), "payments")  # fmt: skip
    assert credit_rows == [
        ("Committed Usage Discount: CPU", Decimal("-2.5"), Decimal("-2.5"), Decimal("-2.5"),
         "COMMITTED_USAGE_DISCOUNT", *common, "Usage", None),
        ("Sustained Usage Discount", Decimal("-1.25"), Decimal("-1.25"), Decimal("-1.25"),
         "SUSTAINED_USAGE_DISCOUNT", *common, None, None),
        ("Google's \"startup\" credit", Decimal("-0.75"), Decimal("-0.75"), Decimal("-0.75"),
         "PROMOTION", *common, None, None),
    ]  # fmt: skip
    usage = warehouse.execute(
        "select BilledCost, ListCost, PricingCategory, CommitmentDiscountCategory, "
        "CommitmentDiscountStatus, x_InstanceType from focus_costs "
        "where ChargeCategory = 'Usage' and SubAccountId = 'proj-a' "
        "and CommitmentDiscountStatus is distinct from 'Unused'"
    ).fetchall()
    assert usage == [(Decimal("10.5"), Decimal("13.125"), "Committed", "Usage", "Used",
                      "n2-standard-4")]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_cost_types_map_to_focus_charge_categories(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, kind: str
) -> None:
    ingest_and_refresh(warehouse, write_export(sample_rows(), tmp_path, kind), source="gcp")
    got = warehouse.execute(
        "select x_ChargeType, ChargeCategory, ChargeClass, ChargeFrequency, PricingCategory, "
        "CommitmentDiscountId, ChargeDescription, BilledCost from focus_costs "
        "where ChargeCategory <> 'Credit' order by BilledCost"
    ).fetchall()
    assert got == [
        ("adjustment", "Adjustment", "Correction", "One-Time", None, None,
         "Usage correction for December", Decimal("-3")),
        # the CUD fee's unused part (tests/unit/test_gcp_cud_amortization.py)
        ("regular", "Usage", None, "Usage-Based", "Committed", "cud-123",
         "Commitment v1: Cpu in Americas for 1 Year", Decimal("0")),
        ("rounding_error", "Adjustment", None, "One-Time", None, None, "Rounding error",
         Decimal("0.001")),
        ("regular", "Usage", None, "Usage-Based", "Standard", None, "Standard Storage",
         Decimal("0.123456")),
        ("tax", "Tax", None, "One-Time", None, None, "Tax", Decimal("0.84")),
        ("regular", "Purchase", None, "Recurring", "Committed", "cud-123",
         "Commitment v1: Cpu in Americas for 1 Year", Decimal("5")),
        ("regular", "Usage", None, "Usage-Based", "Committed", "Committed Usage Discount: CPU",
         "N2 Instance Core", Decimal("10.5")),
    ]  # fmt: skip
    # InvoiceIssuerName: Google issues the invoice, and Google is the provider
    # (mappings/provider_entities.csv), so FOCUS's name for it is the ProviderName
    periods = warehouse.execute(
        "select distinct BillingPeriodStart, BillingPeriodEnd, ProviderName, PublisherName, "
        "InvoiceIssuerName, BillingAccountId from focus_costs"
    ).fetchall()
    assert periods == [(datetime(2024, 1, 1), datetime(2024, 2, 1), "Google Cloud",
                        "Google Cloud", "Google Cloud", "01ABCD-234567-89EF01")]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_tags_merge_project_resource_system_labels_and_namespaced_tags(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, kind: str
) -> None:
    ingest_and_refresh(warehouse, write_export(sample_rows(), tmp_path, kind), source="gcp")
    tags = dict(warehouse.execute(
        "select SubAccountId, Tags from focus_costs where ChargeCategory = 'Usage' "
        "and CommitmentDiscountStatus is distinct from 'Unused'"
    ).fetchall())  # fmt: skip
    assert json.loads(tags["proj-a"]) == {
        "team": "payments",  # the resource label wins over the project's
        "env": "prod",  # inherited from the project
        "compute.googleapis.com/machine_spec": "n2-standard-4",
        "123456789012/cost-center": "cc1",
    }
    assert json.loads(tags["proj-b"]) == {"team": "data"}


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_bad_cost_is_rejected_naming_row_and_column(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, kind: str
) -> None:
    rows = sample_rows()
    rows[2]["cost"] = "12,5"
    report = ingest_and_refresh(warehouse, write_export(rows, tmp_path, kind), source="gcp")
    [outcome] = report.files
    assert outcome.status == "rejected"
    assert "data row 3" in outcome.reason and "column 'cost'" in outcome.reason
    assert "12,5" in outcome.reason


def test_bad_credit_amount_is_rejected_naming_the_credits_column(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = sample_rows()
    rows[1]["credits"] = [{**SUD, "amount": "n/a"}]
    report = ingest_and_refresh(warehouse, write_export(rows, tmp_path, "csv"), source="gcp")
    [outcome] = report.files
    assert outcome.status == "rejected"
    assert "data row 2" in outcome.reason and "column 'credits'" in outcome.reason


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet"])
def test_invoice_month_must_match_the_invoice_month_folder(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, kind: str
) -> None:
    """The folder name must not leak in as a column (DuckDB's hive partitioning is off)."""
    folder = tmp_path / "invoice_month=202401"
    write_export(sample_rows(month="202402"), folder, kind)
    report = ingest_and_refresh(warehouse, tmp_path, source="gcp")
    [outcome] = report.files
    assert outcome.status == "rejected"
    assert "2024-02" in outcome.reason and "2024-01" in outcome.reason
    assert warehouse.execute("select count(*) from raw_gcp_billing").fetchone() == (0,)


def test_invoice_month_folder_that_agrees_loads(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    write_export(sample_rows(), tmp_path / "invoice_month=202401", "parquet")
    report = ingest_and_refresh(warehouse, tmp_path, source="gcp")
    assert [f.status for f in report.files] == ["loaded"]


# ---- the Python-repr -> JSON conversion on its own ---------------------------------------------

TRICKY = [
    [],
    [{"key": "env", "value": "prod"}],
    [{"key": "o'brien", "value": 'say "hi"'}],
    [{"key": "both", "value": 'it\'s "x"'}],
    [{"key": "slashes", "value": "a\\b\\x41\\'z\\"}],
    [{"key": "controls", "value": "line\nnext\ttab\x07bell\r"}],
    [{"key": "unicode", "value": "café 日本 😀 \U000f0000 \u200b"}],
    [{"key": "none", "value": None}],
    [{"name": "SUD", "amount": -0.0123, "full_name": None, "id": "x", "type": "T"}],
    [{"a": True, "b": False, "c": 5, "d": -1e16, "e": 1.385e-05}],
]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    run_sql_file(connection, "macros.sql")
    return connection


@pytest.mark.parametrize("value", TRICKY, ids=range(len(TRICKY)))
def test_python_repr_becomes_equal_json(con: duckdb.DuckDBPyConnection, value: list) -> None:
    for text in (repr(value), json.dumps(value)):
        [converted] = con.execute(
            f"select {gcp_nested.repr_to_json('x')} from (select ? as x)", [text]
        ).fetchone()
        assert json.loads(converted) == value


@pytest.mark.parametrize(
    "text", ["[{'a': inf}]", "[Decimal('1')]", "[{'a': 1}", "[1 2]", "{'a': nan}"]
)
def test_text_that_is_not_a_literal_is_rejected(con: duckdb.DuckDBPyConnection, text: str) -> None:
    with pytest.raises(duckdb.Error, match="not a JSON or Python list"):
        con.execute(f"select {gcp_nested.credits_strict('x', 'VARCHAR')} from (select ? as x)",
                    [text])  # fmt: skip
    [bad] = con.execute(
        f"select {gcp_nested.credits_bad('x', 'VARCHAR')} from (select ? as x)", [text]
    ).fetchone()
    assert bad is True


@pytest.mark.parametrize("text", ["", "None", "[]", "{}"])
def test_empty_label_lists_are_null(con: duckdb.DuckDBPyConnection, text: str) -> None:
    [tags] = con.execute(
        f"select {gcp_nested.kv_list_strict('x', 'VARCHAR')} from (select ? as x)", [text]
    ).fetchone()
    assert tags is None
