"""Write Azure cost-details exports: EA actual cost (PascalCase) and MCA amortized (camelCase).

Both use the classic Cost Management export layout
``<container path>/<ExportName>/<YYYYMMDD-YYYYMMDD>/<ExportName>_<guid>.csv``. The EA file is
actual cost in EUR with a UTF-8 BOM, CRLF line ends and M/D/YYYY dates; its headers are
those of a real EA cost-details file. The MCA file is amortized cost in USD with ISO dates.
"""

from __future__ import annotations

from pathlib import Path

from ..charges import Charge
from ..estate import Estate
from ..ids import Ids
from ..periods import Month
from .charges import ACTUAL_ONLY, AMORTIZED_ONLY
from .common import (
    mdy,
    period_folder,
    semantic,
    tags_members,
    write_csv,
)

EA_COLUMNS = [
    "InvoiceSectionName",
    "AccountName",
    "AccountOwnerId",
    "SubscriptionId",
    "SubscriptionName",
    "ResourceGroup",
    "ResourceLocation",
    "Date",
    "ProductName",
    "MeterCategory",
    "MeterSubCategory",
    "MeterId",
    "MeterName",
    "MeterRegion",
    "UnitOfMeasure",
    "Quantity",
    "EffectivePrice",
    "CostInBillingCurrency",
    "CostCenter",
    "ConsumedService",
    "ResourceId",
    "Tags",
    "OfferId",
    "AdditionalInfo",
    "ServiceInfo1",
    "ServiceInfo2",
    "ResourceName",
    "ReservationId",
    "ReservationName",
    "UnitPrice",
    "ProductOrderId",
    "ProductOrderName",
    "Term",
    "PublisherType",
    "PublisherName",
    "ChargeType",
    "Frequency",
    "PricingModel",
    "AvailabilityZone",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrencyCode",
    "BillingPeriodStartDate",
    "BillingPeriodEndDate",
    "BillingProfileId",
    "BillingProfileName",
    "InvoiceSectionId",
    "IsAzureCreditEligible",
    "PartNumber",
    "PayGPrice",
    "PlanName",
    "ServiceFamily",
    "CostAllocationRuleName",
    "benefitId",
    "benefitName",
]
MCA_COLUMNS = [
    "invoiceId",
    "previousInvoiceId",
    "billingAccountId",
    "billingAccountName",
    "billingProfileId",
    "billingProfileName",
    "invoiceSectionId",
    "invoiceSectionName",
    "resellerName",
    "resellerMpnId",
    "costCenter",
    "billingPeriodEndDate",
    "billingPeriodStartDate",
    "servicePeriodEndDate",
    "servicePeriodStartDate",
    "date",
    "serviceFamily",
    "productOrderId",
    "productOrderName",
    "consumedService",
    "meterId",
    "meterName",
    "meterCategory",
    "meterSubCategory",
    "meterRegion",
    "ProductId",
    "ProductName",
    "SubscriptionId",
    "subscriptionName",
    "publisherType",
    "publisherId",
    "publisherName",
    "resourceGroupName",
    "ResourceId",
    "resourceLocation",
    "location",
    "effectivePrice",
    "quantity",
    "unitOfMeasure",
    "chargeType",
    "billingCurrency",
    "pricingCurrency",
    "costInBillingCurrency",
    "costInPricingCurrency",
    "costInUsd",
    "paygCostInBillingCurrency",
    "paygCostInUsd",
    "exchangeRatePricingToBilling",
    "exchangeRateDate",
    "isAzureCreditEligible",
    "serviceInfo1",
    "serviceInfo2",
    "additionalInfo",
    "tags",
    "PayGPrice",
    "frequency",
    "term",
    "reservationId",
    "reservationName",
    "pricingModel",
    "unitPrice",
    "benefitId",
    "benefitName",
    "provider",
    "costAllocationRuleName",
]
CONTAINER = {"azure-ea-actual": "costexports/enrollment", "azure-mca-amortized": "exports/mca"}
EXPORT = {
    "azure-ea-actual": "kestrel-ea-ActualCost-monthly",
    "azure-mca-amortized": "kestrel-mca-AmortizedCost-daily",
}


def ea_row(estate: Estate, month: Month, c: Charge) -> dict:
    s = semantic(estate, month, c, amortized=False)
    a = estate.attrs
    return {
        "InvoiceSectionName": s["department"],
        "AccountName": a["account_name"],
        "AccountOwnerId": a["owner"],
        "SubscriptionId": s["sub"].id,
        "SubscriptionName": s["sub"].name,
        "ResourceGroup": s["resource_group"],
        "ResourceLocation": s["location"][2] if s["location"] else "",
        "Date": mdy(c.day),
        "ProductName": s["product"],
        "MeterCategory": s["category"],
        "MeterSubCategory": s["subcategory"],
        "MeterId": s["meter_id"],
        "MeterName": s["meter_name"],
        "MeterRegion": s["meter_region"],
        "UnitOfMeasure": s["unit"],
        "Quantity": s["quantity"],
        "EffectivePrice": s["price"],
        "CostInBillingCurrency": s["cost"],
        "ConsumedService": s["consumed"],
        "ResourceId": s["resource_id"],
        "Tags": tags_members(s["tags"]),
        "OfferId": "MS-AZR-0017P",
        "AdditionalInfo": s["info"],
        "ResourceName": s["resource_name"],
        "ReservationId": s["reservation_id"],
        "ReservationName": s["reservation_name"],
        "UnitPrice": s["unit_price"],
        "ProductOrderId": s["order_id"],
        "ProductOrderName": s["order_name"],
        "Term": s["term"],
        "PublisherType": "Azure",
        "PublisherName": "Microsoft",
        "ChargeType": s["charge_type"],
        "Frequency": s["frequency"],
        "PricingModel": s["pricing_model"],
        "BillingAccountId": estate.billing_account_id,
        "BillingAccountName": estate.billing_account_name,
        "BillingCurrencyCode": "EUR",
        "BillingPeriodStartDate": mdy(month.start),
        "BillingPeriodEndDate": mdy(month.data_days[0].replace(day=month.full_days)),
        "BillingProfileId": estate.billing_account_id,
        "BillingProfileName": estate.billing_account_name,
        "InvoiceSectionId": str(100000 + len(s["department"]) * 7919),
        "IsAzureCreditEligible": "TRUE" if s["credit_eligible"] else "FALSE",
        "PartNumber": s["part"],
        "PayGPrice": s["payg_price"],
        "ServiceFamily": s["family"],
        "benefitId": s["benefit_id"],
        "benefitName": s["benefit_name"],
    }


def mca_row(estate: Estate, month: Month, c: Charge) -> dict:
    s = semantic(estate, month, c, amortized=True)
    a = estate.attrs
    last = month.data_days[0].replace(day=month.full_days)
    return {
        "invoiceId": s["invoice"],
        "billingAccountId": estate.billing_account_id,
        "billingAccountName": estate.billing_account_name,
        "billingProfileId": a["profile"],
        "billingProfileName": a["profile_name"],
        "invoiceSectionId": a["section"],
        "invoiceSectionName": s["department"],
        "billingPeriodEndDate": last.isoformat(),
        "billingPeriodStartDate": month.start.isoformat(),
        "servicePeriodEndDate": last.isoformat(),
        "servicePeriodStartDate": month.start.isoformat(),
        "date": c.day.isoformat(),
        "serviceFamily": s["family"],
        "productOrderId": s["order_id"],
        "productOrderName": s["order_name"] or "Azure plan",
        "consumedService": s["consumed"],
        "meterId": s["meter_id"],
        "meterName": s["meter_name"],
        "meterCategory": s["category"],
        "meterSubCategory": s["subcategory"],
        "meterRegion": s["meter_region"],
        "ProductId": s["part"].replace("-", "") + "0001" if s["part"] else "",
        "ProductName": s["product"],
        "SubscriptionId": s["sub"].id,
        "subscriptionName": s["sub"].name,
        "publisherType": "Microsoft",
        "publisherName": "Microsoft",
        "resourceGroupName": s["resource_group"],
        "ResourceId": s["resource_id"],
        "resourceLocation": s["location"][1].replace(" ", "").lower() if s["location"] else "",
        "location": s["location"][1] if s["location"] else "",
        "effectivePrice": s["price"],
        "quantity": s["quantity"],
        "unitOfMeasure": s["unit"],
        "chargeType": s["charge_type"],
        "billingCurrency": "USD",
        "pricingCurrency": "USD",
        "costInBillingCurrency": s["cost"],
        "costInPricingCurrency": s["cost"],
        "costInUsd": s["cost"],
        "paygCostInBillingCurrency": s["payg_cost"],
        "paygCostInUsd": s["payg_cost"],
        "exchangeRatePricingToBilling": "1",
        "exchangeRateDate": month.start.isoformat(),
        "isAzureCreditEligible": "True" if s["credit_eligible"] else "False",
        "additionalInfo": s["info"],
        "tags": "{" + tags_members(s["tags"]) + "}" if s["tags"] else "",
        "PayGPrice": s["payg_price"],
        "frequency": s["frequency"],
        "term": s["term"],
        "reservationId": s["reservation_id"],
        "reservationName": s["reservation_name"],
        "pricingModel": s["pricing_model"],
        "unitPrice": s["unit_price"],
        "benefitId": s["benefit_id"],
        "benefitName": s["benefit_name"],
        "provider": "Azure",
    }


def visible(source: str, c: Charge) -> bool:
    """Actual-cost files have no unused-commitment lines; amortized files no purchases."""
    hidden = AMORTIZED_ONLY if source == "azure-ea-actual" else ACTUAL_ONLY
    return c.kind not in hidden


def write_month(
    estate: Estate, root: Path, month: Month, lines: list[Charge], ids: Ids
) -> tuple[str, int]:
    """Write one month under ``root`` (the output dir, or its ``_restatements`` folder)."""
    ea = estate.source == "azure-ea-actual"
    rows = [
        (ea_row if ea else mca_row)(estate, month, c) for c in lines if visible(estate.source, c)
    ]
    export = EXPORT[estate.source]
    key = f"{CONTAINER[estate.source]}/{export}/{period_folder(month)}/{export}_{ids.guid()}.csv"
    write_csv(root / estate.source / key, EA_COLUMNS if ea else MCA_COLUMNS, rows, bom=ea, crlf=ea)
    return f"{estate.source}/{key}", len(rows)
