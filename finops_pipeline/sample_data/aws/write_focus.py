"""Write the AWS Data Exports "FOCUS 1.0 with AWS columns" table (Parquet).

The same CUR line items become FOCUS rows the way AWS's FOCUS export presents them:
Savings Plan negations disappear (covered usage is billed at 0), and each RI fee or Savings
Plan recurring fee becomes a Purchase row plus, when some commitment went unused, a Usage row
with ``CommitmentDiscountStatus = Unused``. Sums of BilledCost and EffectiveCost equal the
CUR invoice and amortized totals of the same lines.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from ...focus_spec import focus_columns
from ..charges import ZERO, Charge
from ..estate import Estate
from ..ids import Ids
from ..periods import Month
from .catalog import REGIONS
from .common import account_names, invoicing_entity
from .data_exports import DOUBLE, DOUBLE_MAP, STR_MAP, STRING, TIMESTAMP, map_items, write_period

EXPORT = "kestrel-labs-focus"
CATEGORY = {
    "AmazonEC2": "Compute",
    "AWSLambda": "Compute",
    "AmazonEKS": "Compute",
    "AmazonS3": "Storage",
    "AmazonRDS": "Databases",
    "AmazonDynamoDB": "Databases",
    "AmazonCloudWatch": "Management and Governance",
    "awskms": "Security",
    "AmazonCloudFront": "Networking",
    "AmazonAthena": "Analytics",
    "ComputeSavingsPlans": "Compute",
}
# FOCUS 1.0 (the spec's one column list) plus the AWS columns of the FOCUS_1_0_AWS table.
AWS_COLUMNS = ["x_CostCategories", "x_Discounts", "x_Operation", "x_ServiceCode", "x_UsageType"]
FOCUS_COLUMNS = [*focus_columns("1.0"), *AWS_COLUMNS]
_DOUBLES = {
    "BilledCost",
    "ConsumedQuantity",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "ListCost",
    "ListUnitPrice",
    "PricingQuantity",
}
_TIMES = {"BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart"}
_MAPS = {"Tags", "x_CostCategories"}
SCHEMA = pa.schema(
    [
        (
            c,
            DOUBLE
            if c in _DOUBLES
            else TIMESTAMP
            if c in _TIMES
            else STR_MAP
            if c in _MAPS
            else DOUBLE_MAP
            if c == "x_Discounts"
            else STRING,
        )
        for c in FOCUS_COLUMNS
    ]
)
_CATEGORY = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "Fee": "Purchase",
    "RIFee": "Purchase",
    "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit",
    "Refund": "Credit",
}
_SPLIT = ("RIFee", "SavingsPlanRecurringFee")  # fee rows whose unused part becomes its own row
_FREQUENCY = {
    "Usage": "Usage-Based",
    "Purchase": "Recurring",
    "Tax": "Recurring",
    "Credit": "One-Time",
}


def _commitment(n: dict) -> tuple[str | None, str | None]:
    if n.get("savingsPlan/SavingsPlanARN"):
        return n["savingsPlan/SavingsPlanARN"], "Savings Plan"
    if n.get("reservation/ReservationARN"):
        return n["reservation/ReservationARN"], "Reserved Instance"
    return None, None


def focus_rows(estate: Estate, month: Month, c: Charge, names: dict[str, str]) -> list[dict]:
    """The FOCUS rows one CUR line becomes (none for a Savings Plan negation)."""
    n, kind = c.native, c.kind
    if kind == "SavingsPlanNegation":
        return []
    category = _CATEGORY[kind]
    cid, ctype = _commitment(n)
    qty = n.get("lineItem/UsageAmount")
    region = n.get("product/regionCode") or None
    one_time = kind in ("SavingsPlanUpfrontFee",) or (kind == "Fee" and cid)
    rate, od_cost = n.get("pricing/publicOnDemandRate"), n.get("pricing/publicOnDemandCost")
    billed = ZERO if kind in ("DiscountedUsage", "SavingsPlanCoveredUsage") else c.billed
    team = next((a.team for a in estate.accounts if a.id == c.sub_account), None)
    row: dict[str, Any] = {
        "AvailabilityZone": n.get("lineItem/AvailabilityZone") or None,
        "BilledCost": billed,
        "EffectiveCost": ZERO if kind in _SPLIT else c.effective,
        "BillingAccountId": estate.billing_account_id,
        "BillingAccountName": estate.billing_account_name,
        "BillingCurrency": "USD",
        "ChargeCategory": category,
        "ChargeClass": None,
        "ChargeDescription": n.get("lineItem/LineItemDescription"),
        "ChargeFrequency": "One-Time" if one_time else _FREQUENCY[category],
        "ChargePeriodStart": n["_start"],
        "ChargePeriodEnd": n["_end"],
        "CommitmentDiscountCategory": {"Savings Plan": "Spend", "Reserved Instance": "Usage"}.get(
            ctype or ""
        )
        if category == "Usage" or category == "Purchase"
        else None,
        "CommitmentDiscountId": cid,
        "CommitmentDiscountName": None,
        "CommitmentDiscountStatus": "Used"
        if kind in ("DiscountedUsage", "SavingsPlanCoveredUsage")
        else None,
        "CommitmentDiscountType": ctype,
        "ConsumedQuantity": qty if category == "Usage" else None,
        "ConsumedUnit": n.get("pricing/unit") if category == "Usage" else None,
        "PricingQuantity": qty,
        "PricingUnit": n.get("pricing/unit"),
        "ListUnitPrice": rate,
        "ListCost": od_cost if od_cost is not None else c.billed,
        "ContractedUnitPrice": rate,
        "ContractedCost": od_cost if od_cost is not None else c.billed,
        "InvoiceIssuerName": invoicing_entity(estate),
        "ProviderName": "AWS",
        "PublisherName": "Amazon Web Services, Inc.",
        "PricingCategory": None
        if category == "Tax"
        else "Other"
        if category == "Credit"
        else "Committed"
        if cid and category == "Usage"
        else "Standard",
        "RegionId": region,
        "RegionName": REGIONS[region][1] if region in REGIONS else None,
        "ResourceId": n.get("lineItem/ResourceId") or None,
        "ResourceName": None,
        "ResourceType": None,
        "ServiceCategory": CATEGORY.get(n.get("lineItem/ProductCode", ""), "Other"),
        "ServiceName": c.service or None,
        "SkuId": n.get("product/sku"),
        "SkuPriceId": n.get("pricing/RateCode"),
        "SubAccountId": c.sub_account,
        "SubAccountName": names.get(c.sub_account),
        "Tags": map_items(n.get("_tags")),
        "x_CostCategories": map_items({"team": team or "shared"}),
        "x_Discounts": None,
        "x_Operation": n.get("lineItem/Operation") or None,
        "x_ServiceCode": n.get("lineItem/ProductCode"),
        "x_UsageType": n.get("lineItem/UsageType"),
    }
    rows = [row]
    if kind in _SPLIT and c.effective > 0:
        unused = dict(
            row,
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            BilledCost=ZERO,
            EffectiveCost=c.effective,
            CommitmentDiscountStatus="Unused",
            PricingCategory="Committed",
            ResourceId=cid,
            ListCost=ZERO,
            ContractedCost=ZERO,
            ChargeDescription=f"Unused {ctype} commitment",
        )
        rows.append(unused)
    return rows


def write_month(
    estate: Estate, outdir: Path, month: Month, lines: list[Charge], ids: Ids
) -> tuple[str, int]:
    names = account_names(estate)
    start = datetime(month.start.year, month.start.month, 1)
    end = datetime(month.end.year, month.end.month, 1)
    rows = [r for c in lines for r in focus_rows(estate, month, c, names)]
    for r in rows:
        r["BillingPeriodStart"], r["BillingPeriodEnd"] = start, end
    columns = {}
    for col in FOCUS_COLUMNS:
        values = [r.get(col) for r in rows]
        if col in _DOUBLES:
            values = [
                None if v is None else float(v) if isinstance(v, Decimal) else v for v in values
            ]
        columns[col] = values
    query = f"SELECT {', '.join(FOCUS_COLUMNS)} FROM FOCUS_1_0_AWS"
    key = write_period(estate, outdir, EXPORT, month, SCHEMA, columns, query, ids, "FOCUS_1_0_AWS")
    return key, len(rows)
