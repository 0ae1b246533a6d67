"""Write a Microsoft Cost Management FOCUS 1.0 export (CSV, with Microsoft's ``x_`` columns).

FOCUS exports use the newer export layout: ``<path>/<ExportName>/<YYYYMMDD-YYYYMMDD>/<runId>/
part_0_0001.csv`` with a ``manifest.json`` beside the data. Missing values are empty strings
(never ``NULL``); dates are ``YYYY-MM-DDTHH:MM:SSZ`` (the 1.0r2 data version).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ...focus_spec import focus_columns
from ..charges import Charge, plain
from ..estate import Estate
from ..ids import Ids
from ..periods import Month
from .catalog import REGIONS
from .common import DEPARTMENTS, additional_info, invoice_id, period_folder, term_months
from .common import write_csv as _write_csv

# Microsoft's FOCUS 1.0r2 carries the FOCUS 1.0 columns (the spec's one column list) without
# AvailabilityZone, plus BillingAccountType and SubAccountType ahead of FOCUS 1.2, then its own
# x_ columns; all in alphabetical order.
FOCUS_PART = sorted(
    {*focus_columns("1.0"), "BillingAccountType", "SubAccountType"} - {"AvailabilityZone"}
)
MICROSOFT_COLUMNS = [
    "x_AccountId",
    "x_AccountName",
    "x_AccountOwnerId",
    "x_BilledCostInUsd",
    "x_BilledUnitPrice",
    "x_BillingAccountId",
    "x_BillingAccountName",
    "x_BillingExchangeRate",
    "x_BillingExchangeRateDate",
    "x_BillingProfileId",
    "x_BillingProfileName",
    "x_ContractedCostInUsd",
    "x_CostAllocationRuleName",
    "x_CostCenter",
    "x_CustomerId",
    "x_CustomerName",
    "x_EffectiveCostInUsd",
    "x_EffectiveUnitPrice",
    "x_InvoiceId",
    "x_InvoiceIssuerId",
    "x_InvoiceSectionId",
    "x_InvoiceSectionName",
    "x_ListCostInUsd",
    "x_PartnerCreditApplied",
    "x_PartnerCreditRate",
    "x_PricingBlockSize",
    "x_PricingCurrency",
    "x_PricingSubcategory",
    "x_PricingUnitDescription",
    "x_PublisherCategory",
    "x_PublisherId",
    "x_ResellerId",
    "x_ResellerName",
    "x_ResourceGroupName",
    "x_ResourceType",
    "x_ServicePeriodEnd",
    "x_ServicePeriodStart",
    "x_SkuDescription",
    "x_SkuDetails",
    "x_SkuIsCreditEligible",
    "x_SkuMeterCategory",
    "x_SkuMeterId",
    "x_SkuMeterName",
    "x_SkuMeterSubcategory",
    "x_SkuOfferId",
    "x_SkuOrderId",
    "x_SkuOrderName",
    "x_SkuPartNumber",
    "x_SkuRegion",
    "x_SkuServiceFamily",
    "x_SkuTerm",
    "x_SkuTier",
]
COLUMNS = [*FOCUS_PART, *MICROSOFT_COLUMNS]
EXPORT = "kestrel-digital-focus-daily"
ROOT = "focus/kestrel-digital"
_UNITS = {
    "1 Hour": ("Hours", 1),
    "1 GB/Month": ("GB/Month", 1),
    "1/Month": ("Units/Month", 1),
    "10K": ("Units", 10000),
    "1 GB": ("GB", 1),
}
_RESOURCE_TYPES = {
    "virtualmachines": "Virtual machine",
    "storageaccounts": "Storage account",
    "databases": "SQL database",
    "serverfarms": "App Service plan",
    "databaseaccounts": "Azure Cosmos DB account",
    "publicipaddresses": "Public IP address",
    "workspaces": "Log Analytics workspace",
}


def _ts(d: date) -> str:
    return f"{d:%Y-%m-%d}T00:00:00Z"


def focus_row(estate: Estate, month: Month, c: Charge) -> dict:
    n = c.native
    meter, resource, benefit, sub = n["_meter"], n["_resource"], n["_benefit"], n["_sub"]
    attrs = meter.attrs if meter else {}
    qty = n["Quantity"]
    unit, block = _UNITS.get(attrs.get("UnitOfMeasure", "1 Hour"), ("Hours", 1))
    purchase = c.kind in ("Purchase", "Refund")
    list_cost = qty * n["PayGPrice"] if meter else c.billed
    is_sp = benefit is not None and benefit.kind == "azure_sp"
    region = resource.region if resource else ""
    status = None
    if benefit is not None and not purchase:
        status = "Unused" if c.kind.startswith("Unused") else "Used"
    profile = estate.attrs["focus_billing_account_id"]
    arm_type = attrs.get("ResourceType", "")
    return {
        "BilledCost": plain(c.billed),
        "EffectiveCost": plain(c.effective),
        "BillingAccountId": profile,
        "BillingAccountName": estate.attrs["profile_name"],
        "BillingAccountType": "Billing Profile",
        "BillingCurrency": "USD",
        "BillingPeriodStart": _ts(month.start),
        "BillingPeriodEnd": _ts(month.end),
        "ChargeCategory": "Purchase" if purchase else "Usage",
        "ChargeDescription": benefit.attrs["product"]
        if purchase or meter is None
        else attrs["ProductName"],
        "ChargeFrequency": "Usage-Based"
        if not purchase
        else "Recurring"
        if n["Frequency"] == "Recurring"
        else "One-Time",
        "ChargePeriodStart": _ts(c.day),
        "ChargePeriodEnd": _ts(c.day + timedelta(days=1)),
        "CommitmentDiscountCategory": ("Spend" if is_sp else "Usage") if benefit else None,
        "CommitmentDiscountId": benefit.id if benefit else None,
        "CommitmentDiscountName": benefit.name if benefit else None,
        "CommitmentDiscountStatus": status,
        "CommitmentDiscountType": ("Savings Plan" if is_sp else "Reservation") if benefit else None,
        "ConsumedQuantity": plain(qty) if not purchase else None,
        "ConsumedUnit": unit if not purchase else None,
        "ContractedCost": plain(list_cost),
        "ContractedUnitPrice": plain(n["UnitPrice"]),
        "ListCost": plain(list_cost),
        "ListUnitPrice": plain(n["PayGPrice"]),
        "InvoiceIssuerName": "Microsoft",
        "ProviderName": "Microsoft",
        "PublisherName": "Microsoft",
        "PricingCategory": "Committed" if status else "Standard",
        "PricingQuantity": plain(qty / block),
        "PricingUnit": unit,
        "RegionId": region or None,
        "RegionName": REGIONS[region][1] if region else None,
        "ResourceId": resource.id.lower() if resource else (benefit.id if benefit else None),
        "ResourceName": resource.name if resource else None,
        "ResourceType": _RESOURCE_TYPES.get(arm_type.rsplit("/", 1)[-1], "") if resource else None,
        "ServiceCategory": meter.category if meter else "Compute",
        "ServiceName": meter.service
        if meter
        else "Azure Savings Plan for Compute"
        if is_sp
        else "Virtual Machines",
        "SkuId": attrs.get("PartNumber"),
        "SkuPriceId": attrs.get("PartNumber"),
        "SubAccountId": f"/subscriptions/{sub.id}",
        "SubAccountName": sub.name,
        "SubAccountType": "Subscription",
        "Tags": json.dumps(resource.tags) if resource and resource.tags else "{}",
        "x_BilledCostInUsd": plain(c.billed),
        "x_BilledUnitPrice": plain(n["EffectivePriceActual"]),
        "x_BillingAccountId": estate.billing_account_id,
        "x_BillingAccountName": estate.billing_account_name,
        "x_BillingExchangeRate": "1",
        "x_BillingExchangeRateDate": _ts(month.start),
        "x_BillingProfileId": estate.attrs["profile"],
        "x_BillingProfileName": estate.attrs["profile_name"],
        "x_ContractedCostInUsd": plain(list_cost),
        "x_EffectiveCostInUsd": plain(c.effective),
        "x_EffectiveUnitPrice": plain(n["EffectivePriceAmortized"]),
        "x_InvoiceId": None if month.is_open else invoice_id(estate, month),
        "x_InvoiceSectionId": estate.attrs["section"],
        "x_InvoiceSectionName": DEPARTMENTS.get(sub.team, "Platform Engineering"),
        "x_ListCostInUsd": plain(list_cost),
        "x_PricingBlockSize": str(block),
        "x_PricingCurrency": "USD",
        "x_PricingSubcategory": ("Committed Spend" if is_sp else "Committed Usage")
        if status
        else "Standard",
        "x_PricingUnitDescription": attrs.get("UnitOfMeasure", "1 Hour"),
        "x_PublisherCategory": "Cloud Provider",
        "x_ResourceGroupName": sub.attrs["rg"] if resource else None,
        "x_ResourceType": arm_type if resource else None,
        "x_SkuDescription": attrs.get("ProductName"),
        "x_SkuDetails": additional_info(c) or None,
        "x_SkuIsCreditEligible": "False" if purchase else "True",
        "x_SkuMeterCategory": attrs.get("MeterCategory"),
        "x_SkuMeterId": attrs.get("MeterId"),
        "x_SkuMeterName": attrs.get("MeterName"),
        "x_SkuMeterSubcategory": attrs.get("MeterSubCategory"),
        "x_SkuOfferId": "MS-AZR-0017G",
        "x_SkuOrderId": benefit.attrs["order"] if benefit else None,
        "x_SkuOrderName": benefit.attrs["product"] if benefit else None,
        "x_SkuPartNumber": attrs.get("PartNumber"),
        "x_SkuRegion": attrs.get("MeterRegion"),
        "x_SkuServiceFamily": attrs.get("ServiceFamily", "Compute"),
        "x_SkuTerm": term_months(benefit) or None,
    }


def write_month(
    estate: Estate, outdir: Path, month: Month, lines: list[Charge], ids: Ids
) -> tuple[str, int]:
    rows = [focus_row(estate, month, c) for c in lines]
    run = ids.guid()
    folder = f"{ROOT}/{EXPORT}/{period_folder(month)}/{run}"
    key = f"{folder}/part_0_0001.csv"
    path = outdir / estate.source / key
    _write_csv(path, COLUMNS, rows, bom=False, crlf=False)
    submitted = datetime.combine(
        min(month.end, month.data_days[-1] + timedelta(days=1)), time(5, 12)
    )
    manifest = {
        "manifestVersion": "2024-04-01",
        "byteCount": path.stat().st_size,
        "blobCount": 1,
        "dataRowCount": len(rows),
        "exportConfig": {
            "exportName": EXPORT,
            "resourceId": f"/providers/Microsoft.Billing/"
            f"billingAccounts/{estate.billing_account_id}/providers/"
            f"Microsoft.CostManagement/exports/{EXPORT}",
            "dataVersion": "1.0r2",
            "apiVersion": "2023-07-01-preview",
            "type": "FocusCost",
            "timeFrame": "MonthToDate" if month.is_open else "TheLastMonth",
            "granularity": "Daily",
        },
        "deliveryConfig": {
            "partitionData": True,
            "dataOverwriteBehavior": "OverwritePreviousReport",
            "fileFormat": "Csv",
            "containerUri": "/subscriptions/kestrel-finops/storageAccounts/stkcfinopsexports",
            "rootFolderPath": ROOT,
        },
        "runInfo": {
            "executionType": "Scheduled",
            "submittedTime": f"{submitted:%Y-%m-%dT%H:%M:%S}Z",
            "runId": run,
            "startDate": _ts(month.start),
            "endDate": f"{month.data_days[-1]:%Y-%m-%d}T00:00:00Z",
        },
        "blobs": [{"blobName": key, "byteCount": path.stat().st_size, "dataRowCount": len(rows)}],
    }
    (path.parent / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return f"{estate.source}/{key}", len(rows)
