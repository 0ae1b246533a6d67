"""A FOCUS-shaped table in bqemulator: rows of the sample's GCP billing export put through the
column logic of Google's published FOCUS view template ("last updated March 19, 2024", as
copied in public repositories), so the table has the view's names and BigQuery types.

Followed from the template: BilledCost = EffectiveCost = CAST(cost AS NUMERIC) + the credits;
ContractedCost = cost, ListCost = cost_at_list (NUMERIC); BillingPeriodStart / End at Pacific
midnight of invoice.month; ChargeCategory from cost_type (lower case, as the template writes
it); Tags as the key/value/x_type/x_inherited/x_namespace list of labels, system labels,
project labels and tags; x_ExportTime = export_time; x_Credits, x_Project, x_ServiceId.
Left out (they need the pricing export, which the sample has not): ListUnitPrice and
ServiceCategory are NULL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
from google.cloud import bigquery

from tests.connectors.bigquery_helpers import insert

PACIFIC = ZoneInfo("America/Los_Angeles")
NINE = Decimal("0.000000001")  # NUMERIC's scale
F = bigquery.SchemaField


def _rec(name: str, fields: list[F], mode: str = "NULLABLE") -> F:
    return F(name, "RECORD", mode=mode, fields=fields)


SCHEMA = [
    F("AvailabilityZone", "STRING"), F("BilledCost", "NUMERIC"), F("BillingAccountId", "STRING"),
    F("BillingCurrency", "STRING"), F("BillingPeriodStart", "TIMESTAMP"),
    F("BillingPeriodEnd", "TIMESTAMP"), F("ChargeCategory", "STRING"), F("ChargeClass", "STRING"),
    F("ChargeDescription", "STRING"), F("ChargePeriodStart", "TIMESTAMP"),
    F("ChargePeriodEnd", "TIMESTAMP"), F("ConsumedQuantity", "NUMERIC"),
    F("ConsumedUnit", "STRING"), F("ContractedCost", "NUMERIC"),
    F("ContractedUnitPrice", "NUMERIC"), F("EffectiveCost", "NUMERIC"), F("ListCost", "NUMERIC"),
    F("ListUnitPrice", "NUMERIC"), F("PricingCategory", "STRING"), F("PricingQuantity", "FLOAT"),
    F("PricingUnit", "STRING"), F("ProviderName", "STRING"), F("PublisherName", "STRING"),
    F("RegionId", "STRING"), F("ResourceId", "STRING"), F("ResourceName", "STRING"),
    F("ServiceCategory", "STRING"), F("ServiceName", "STRING"), F("SkuId", "STRING"),
    F("SkuPriceId", "STRING"), F("SubAccountId", "STRING"),
    _rec("Tags", [F("key", "STRING"), F("value", "STRING"), F("x_type", "STRING"),
                  F("x_inherited", "BOOLEAN"), F("x_namespace", "STRING")], "REPEATED"),
    _rec("x_Credits", [F("Name", "STRING"), F("Amount", "NUMERIC"), F("FullName", "STRING"),
                       F("Id", "STRING"), F("Type", "STRING")], "REPEATED"),
    F("x_CostType", "STRING"), F("x_CurrencyConversionRate", "NUMERIC"),
    F("x_ExportTime", "TIMESTAMP"), F("x_Location", "STRING"),
    _rec("x_Project", [F("id", "STRING"), F("number", "STRING"), F("name", "STRING"),
                       F("ancestry_numbers", "STRING")]),
    F("x_ServiceId", "STRING"),
]  # fmt: skip

CATEGORY = {"regular": "usage", "tax": "tax", "rounding_error": "adjustment",
            "adjustment": "adjustment"}  # fmt: skip


def _num(value: float | None) -> Decimal | None:
    """CAST(float AS NUMERIC): the float's shortest decimal form, rounded to 9 places."""
    return None if value is None else Decimal(repr(value)).quantize(NINE)


def _tags(row: dict) -> list[dict]:
    def kv(items: list[dict] | None, kind: str, inherited: bool) -> list[dict]:
        return [{"key": t["key"], "value": t["value"], "x_type": kind,
                 "x_inherited": inherited, "x_namespace": "n/a"} for t in items or []]  # fmt: skip

    project = row["project"] or {}
    tags = [{"key": t["key"], "value": t["value"], "x_type": "tag",
             "x_inherited": t["inherited"], "x_namespace": t["namespace"]}
            for t in row["tags"] or []]  # fmt: skip
    return (kv(row["labels"], "label", False) + kv(row["system_labels"], "system_label", False)
            + kv(project.get("labels"), "project_label", True) + tags)  # fmt: skip


def focus_row(row: dict) -> dict[str, Any]:
    """One detailed-export row as Google's FOCUS view presents it."""
    month = row["invoice"]["month"]
    start = datetime(int(month[:4]), int(month[4:]), 1, tzinfo=PACIFIC)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    credits = row["credits"] or []
    cost = _num(row["cost"]) or Decimal(0)
    billed = cost + sum((_num(c["amount"]) or Decimal(0) for c in credits), Decimal(0))
    regular = row["cost_type"] == "regular"
    location, sku, price = row["location"] or {}, row["sku"] or {}, row["price"] or {}
    project, resource = row["project"] or {}, row["resource"] or {}
    return {
        "AvailabilityZone": location.get("zone"), "BilledCost": billed,
        "BillingAccountId": row["billing_account_id"], "BillingCurrency": row["currency"],
        "BillingPeriodStart": start.astimezone(UTC),
        "BillingPeriodEnd": datetime(end.year, end.month, end.day, tzinfo=PACIFIC).astimezone(UTC),
        "ChargeCategory": CATEGORY.get(row["cost_type"], "error"),
        "ChargeClass": "correction" if row["adjustment_info"] else None,
        "ChargeDescription": sku.get("description"),
        "ChargePeriodStart": row["usage_start_time"], "ChargePeriodEnd": row["usage_end_time"],
        "ConsumedQuantity": _num(row["usage"]["amount"]) if regular else None,
        "ConsumedUnit": row["usage"]["unit"] if regular else None,
        "ContractedCost": cost, "ContractedUnitPrice": _num(price.get("effective_price")),
        "EffectiveCost": billed, "ListCost": _num(row["cost_at_list"]), "ListUnitPrice": None,
        "PricingCategory": "standard" if regular else None,
        "PricingQuantity": price.get("pricing_unit_quantity") if regular else None,
        "PricingUnit": price.get("unit") if regular else None,
        "ProviderName": "Google Cloud",
        "PublisherName": "Google Cloud" if row["transaction_type"] == "GOOGLE"
        else row["seller_name"],
        "RegionId": location.get("region"), "ResourceId": resource.get("global_name"),
        "ResourceName": resource.get("name"), "ServiceCategory": None,
        "ServiceName": row["service"]["description"], "SkuId": sku.get("id") if regular else None,
        "SkuPriceId": None, "SubAccountId": row["billing_account_id"], "Tags": _tags(row),
        "x_Credits": [{"Name": c["name"], "Amount": _num(c["amount"]), "FullName": c["full_name"],
                       "Id": c["id"], "Type": c["type"]} for c in credits],
        "x_CostType": row["cost_type"],
        "x_CurrencyConversionRate": _num(row["currency_conversion_rate"]),
        "x_ExportTime": row["export_time"], "x_Location": location.get("location"),
        "x_Project": {k: project.get(k) for k in ("id", "number", "name", "ancestry_numbers")},
        "x_ServiceId": row["service"]["id"],
    }  # fmt: skip


def focus_rows(files: list[Path], per_month: int) -> list[dict]:
    """The first `per_month` rows of each export file (one file per invoice month), in FOCUS."""
    rows: list[dict] = []
    for path in files:
        rows += [focus_row(r) for r in pq.read_table(path).slice(0, per_month).to_pylist()]
    return rows


def write_local(rows: list[dict], folder: Path) -> None:
    """The same rows as Parquet (NUMERIC as decimal128(38, 9)), one BILLING_PERIOD folder per
    month: what a local `ingest_path` of these rows reads."""
    types = {"NUMERIC": pa.decimal128(38, 9), "TIMESTAMP": pa.timestamp("us", tz="UTC"),
             "FLOAT": pa.float64(), "STRING": pa.string()}  # fmt: skip
    flat = [f for f in SCHEMA if f.field_type != "RECORD"]
    by_month: dict[str, list[dict]] = {}
    for row in rows:
        by_month.setdefault(f"{row['BillingPeriodStart']:%Y-%m}", []).append(row)
    for month, month_rows in by_month.items():
        arrays = {f.name: pa.array([r[f.name] for r in month_rows], types[f.field_type])
                  for f in flat}  # fmt: skip
        target = folder / f"BILLING_PERIOD={month}" / "part-000.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(arrays), target)


def create_focus_table(
    bq: bigquery.Client, table_id: str, rows: list[dict], drop: tuple[str, ...] = ()
) -> int:
    """A table with the FOCUS view's schema (less `drop`) holding `rows` (NUMERIC sent as
    decimal text)."""
    schema = [f for f in SCHEMA if f.name not in drop]
    bq.create_dataset(table_id.rsplit(".", 1)[0], exists_ok=True)
    bq.create_table(bigquery.Table(table_id, schema=schema), exists_ok=True)
    kept = [{k: v for k, v in r.items() if k not in drop} for r in rows]
    return insert(bq, table_id, [jsonable(r) for r in kept])


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value
