"""Cost-details values shared by the Azure writers (names, additional info, invoice ids)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, timedelta
from pathlib import Path

from ..charges import Charge, plain
from ..estate import Commitment, Estate
from ..periods import Month
from .catalog import REGIONS
from .charges import ACTUAL_ONLY

DEPARTMENTS = {
    "payments": "Payments",
    "search": "Search",
    "data-platform": "Data Platform",
    "mobile": "Mobile",
    "ml": "Machine Learning",
    None: "Platform Engineering",
}


def period_folder(month: Month) -> str:
    """Cost Management names period folders with an inclusive end date."""
    return f"{month.start:%Y%m%d}-{month.end - timedelta(days=1):%Y%m%d}"


def invoice_id(estate: Estate, month: Month) -> str:
    digest = hashlib.sha256(f"{estate.billing_account_id}:{month.key}".encode()).hexdigest()
    return "G" + str(int(digest[:12], 16) % 10**9).zfill(9)


def tags_members(tags: dict[str, str]) -> str:
    """EA/MCA actual-cost style: JSON object members without the surrounding braces."""
    return ",".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in tags.items())


def guid_of(arm_id: str) -> str:
    return arm_id.rstrip("/").rsplit("/", 1)[-1]


def additional_info(c: Charge) -> str:
    n = c.native
    meter, resource, benefit = n["_meter"], n["_resource"], n["_benefit"]
    if meter is None or not meter.attrs.get("vm_size") or resource is None:
        return ""
    info: dict[str, object] = {
        "UsageType": "ComputeHR",
        "ImageType": "Canonical",
        "ServiceType": meter.attrs["vm_size"],
        "VMName": resource.name,
        "VCPUs": int("".join(ch for ch in meter.attrs["MeterName"].split()[0] if ch.isdigit())),
    }
    if benefit is not None and benefit.kind == "azure_ri":
        info.update(
            ReservationOrderId=benefit.attrs["order"],
            ReservationId=guid_of(benefit.id),
            ConsumptionMeter=meter.attrs["MeterId"],
            RINormalizationRatio=1.0,
        )
    return json.dumps(info, separators=(",", ":"))


def term_months(c: Commitment | None) -> str:
    return "" if c is None else str(round((c.end - c.start).days / 365 * 12))


def write_csv(path: Path, columns: list[str], rows: list[dict], *, bom: bool, crlf: bool) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.getvalue().encode("utf-8-sig" if bom else "utf-8"))


def mdy(d: date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def semantic(estate: Estate, month: Month, c: Charge, amortized: bool) -> dict:
    """Column values in neutral names; the EA and MCA writers rename them."""
    n = c.native
    meter, resource, benefit, sub = n["_meter"], n["_resource"], n["_benefit"], n["_sub"]
    attrs = meter.attrs if meter else {}
    region = resource.region if resource else (meter.key.split(":")[1] if meter else "")
    price = n["EffectivePriceAmortized"] if amortized else n["EffectivePriceActual"]
    purchase = c.kind in ACTUAL_ONLY
    product = (
        benefit.attrs["product"]
        if benefit is not None and (purchase or meter is None)
        else attrs.get("ProductName", "")
    )
    return {
        "sub": sub,
        "resource_group": sub.attrs["rg"] if resource else "",
        "location": REGIONS[region] if region else None,
        "product": product,
        "category": attrs.get("MeterCategory", ""),
        "subcategory": attrs.get("MeterSubCategory"),
        "meter_id": attrs.get("MeterId", ""),
        "meter_name": attrs.get("MeterName", ""),
        "meter_region": attrs.get("MeterRegion", ""),
        "unit": attrs.get("UnitOfMeasure", "1 Hour" if c.kind.startswith("Unused") else ""),
        "quantity": plain(n["Quantity"]),
        "price": plain(price),
        "cost": plain(c.effective if amortized else c.billed),
        "payg_cost": plain(n["Quantity"] * n["PayGPrice"]) if meter else "0",
        "consumed": attrs.get("ConsumedService", ""),
        "resource_id": resource.id if resource else "",
        "resource_name": resource.name if resource else "",
        "tags": resource.tags if resource else {},
        "info": additional_info(c),
        "reservation_id": guid_of(benefit.id) if benefit and benefit.kind == "azure_ri" else "",
        "reservation_name": benefit.name if benefit and benefit.kind == "azure_ri" else "",
        "unit_price": plain(n["UnitPrice"]) if meter else "",
        "payg_price": plain(n["PayGPrice"]) if meter else "",
        "order_id": benefit.attrs["order"] if benefit else "",
        "order_name": benefit.attrs["product"] if benefit else "",
        "term": term_months(benefit),
        "charge_type": c.kind,
        "frequency": n["Frequency"],
        "pricing_model": n["PricingModel"],
        "credit_eligible": not purchase,
        "part": attrs.get("PartNumber", ""),
        "family": attrs.get("ServiceFamily", "Compute"),
        "benefit_id": benefit.id if benefit else "",
        "benefit_name": benefit.name if benefit else "",
        "department": DEPARTMENTS.get(sub.team, "Platform Engineering"),
        "invoice": "" if month.is_open else invoice_id(estate, month),
    }
