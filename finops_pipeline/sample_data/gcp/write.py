"""Write Google Cloud detailed billing export rows, one file per invoice month.

Rows follow the BigQuery ``gcp_billing_export_resource_v1`` schema (nested records and
repeated label lists). Months are newline-delimited JSON, as ``bq extract`` writes them,
except the last two, written as Parquet with the same nested structure.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..charges import Charge
from ..estate import Estate, Resource

_KV = pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))
_TS = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("sku", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("usage_start_time", _TS),
        ("usage_end_time", _TS),
        (
            "project",
            pa.struct(
                [
                    ("id", pa.string()),
                    ("number", pa.string()),
                    ("name", pa.string()),
                    ("labels", _KV),
                    ("ancestry_numbers", pa.string()),
                    (
                        "ancestors",
                        pa.list_(
                            pa.struct(
                                [("resource_name", pa.string()), ("display_name", pa.string())]
                            )
                        ),
                    ),
                ]
            ),
        ),
        ("labels", _KV),
        ("system_labels", _KV),
        (
            "location",
            pa.struct(
                [
                    ("location", pa.string()),
                    ("country", pa.string()),
                    ("region", pa.string()),
                    ("zone", pa.string()),
                ]
            ),
        ),
        ("resource", pa.struct([("name", pa.string()), ("global_name", pa.string())])),
        (
            "tags",
            pa.list_(
                pa.struct(
                    [
                        ("key", pa.string()),
                        ("value", pa.string()),
                        ("inherited", pa.bool_()),
                        ("namespace", pa.string()),
                    ]
                )
            ),
        ),
        (
            "price",
            pa.struct(
                [
                    ("effective_price", pa.float64()),
                    ("tier_start_amount", pa.float64()),
                    ("unit", pa.string()),
                    ("pricing_unit_quantity", pa.float64()),
                ]
            ),
        ),
        ("transaction_type", pa.string()),
        ("seller_name", pa.string()),
        ("export_time", _TS),
        ("cost", pa.float64()),
        ("currency", pa.string()),
        ("currency_conversion_rate", pa.float64()),
        ("cost_at_list", pa.float64()),
        (
            "usage",
            pa.struct(
                [
                    ("amount", pa.float64()),
                    ("unit", pa.string()),
                    ("amount_in_pricing_units", pa.float64()),
                    ("pricing_unit", pa.string()),
                ]
            ),
        ),
        (
            "credits",
            pa.list_(
                pa.struct(
                    [
                        ("name", pa.string()),
                        ("amount", pa.float64()),
                        ("full_name", pa.string()),
                        ("id", pa.string()),
                        ("type", pa.string()),
                    ]
                )
            ),
        ),
        ("invoice", pa.struct([("month", pa.string()), ("publisher_type", pa.string())])),
        ("cost_type", pa.string()),
        (
            "adjustment_info",
            pa.struct(
                [
                    ("id", pa.string()),
                    ("description", pa.string()),
                    ("mode", pa.string()),
                    ("type", pa.string()),
                ]
            ),
        ),
    ]
)


def _kv(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in d.items()]


def _location(region: str, zone: str) -> dict:
    if region in ("US", "us"):
        return {"location": "US", "country": "US", "region": None, "zone": None}
    if region == "global":
        return {"location": "global", "country": None, "region": None, "zone": None}
    return {"location": zone or region, "country": "US", "region": region, "zone": zone or None}


def resource_global_name(resource: Resource, project_id: str, service: str) -> str:
    """resource.global_name as the export writes it (FOCUS ResourceId)."""
    if "machine_spec" in resource.attrs:
        return (
            f"//compute.googleapis.com/projects/{project_id}/zones/{resource.zone}/"
            f"instances/{resource.id}"
        )
    return (
        f"//{service.lower().replace(' ', '')}.googleapis.com/projects/{project_id}/{resource.name}"
    )


def export_row(e: Estate, c: Charge) -> dict:
    n = c.native
    meter, project, resource = n["_meter"], n["_project"], n["_resource"]
    qty = n["_qty"]
    factor = int(meter.attrs["factor"]) if meter else 1
    pa_ = project.attrs
    labels = resource.tags if resource else {}
    system = []
    if resource is not None and "machine_spec" in resource.attrs:
        system = _kv(
            {
                "compute.googleapis.com/machine_spec": resource.attrs["machine_spec"],
                "compute.googleapis.com/cores": resource.attrs["cores"],
                "compute.googleapis.com/memory": resource.attrs["memory"],
            }
        )
    region = resource.region if resource else "global"
    global_name = resource_global_name(resource, project.id, meter.service) if resource else None
    cost = float(n["cost"])
    rate = float(meter.rate) if meter else None
    return {
        "billing_account_id": e.billing_account_id,
        "service": {
            "id": meter.attrs["service_id"] if meter else "",
            "description": meter.service if meter else n["service_description"],
        },
        "sku": {
            "id": meter.attrs["sku_id"] if meter else "",
            "description": meter.attrs["sku_description"] if meter else n["sku_description"],
        },
        "usage_start_time": datetime.combine(c.day, time()),
        "usage_end_time": datetime.combine(c.day + timedelta(days=1), time()),
        "project": {
            "id": project.id,
            "number": pa_["number"],
            "name": project.name,
            "labels": _kv({"team": project.team or "platform", "env": "prod"}),
            "ancestry_numbers": pa_["ancestry"],
            "ancestors": [
                {"resource_name": f"projects/{pa_['number']}", "display_name": project.id},
                {"resource_name": f"folders/{pa_['folder']}", "display_name": "production"},
                {
                    "resource_name": f"organizations/{pa_['org']}",
                    "display_name": "kestrel-commerce.com",
                },
            ],
        },
        "labels": _kv(labels),
        "system_labels": system,
        "location": _location(region, resource.zone if resource else ""),
        "resource": {"name": resource.name if resource else None, "global_name": global_name},
        "tags": [],
        "price": {
            "effective_price": rate,
            "tier_start_amount": 0.0 if meter else None,
            "unit": meter.unit if meter else None,
            "pricing_unit_quantity": 1.0 if meter else None,
        },
        "transaction_type": "GOOGLE",
        "seller_name": "Google",
        "export_time": n["export_time"],
        "cost": cost,
        "currency": e.currency,
        "currency_conversion_rate": 1.0,
        "cost_at_list": cost,
        "usage": {
            "amount": float(qty * factor) if meter else 0.0,
            "unit": meter.attrs["usage_unit"] if meter else None,
            "amount_in_pricing_units": float(qty) if meter else 0.0,
            "pricing_unit": meter.unit if meter else None,
        },
        "credits": [{**cr, "amount": float(cr["amount"])} for cr in n["credits"]],
        "invoice": {"month": c.month.replace("-", ""), "publisher_type": "GOOGLE"},
        "cost_type": n["cost_type"],
        "adjustment_info": n.get("adjustment_info"),
    }


def _json_default(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")  # type: ignore[attr-defined]


def write_month(e: Estate, rows: list[Charge], outdir: Path, month: str, parquet: bool) -> Path:
    folder = outdir / e.source / "billing_export" / f"invoice_month={month.replace('-', '')}"
    folder.mkdir(parents=True, exist_ok=True)
    records = [export_row(e, c) for c in rows]
    if parquet:
        path = folder / "part-000.parquet"
        table = pa.Table.from_pylist(records, schema=SCHEMA)
        pq.write_table(table, path, compression="snappy")
        return path
    path = folder / "part-000.json"
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for r in records:
            fh.write(json.dumps(r, default=_json_default, separators=(",", ":")) + "\n")
    return path
