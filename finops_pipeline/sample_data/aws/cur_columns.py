"""Legacy CUR column layout: which columns a month's file carries, in AWS's order.

``CORE`` is the 94-column header of a real anonymised CUR (focus_converters test fixture)
plus ``lineItem/ResourceId`` (reports with resource ids enabled). Any other column, such as
``product/instanceType``, ``reservation/ReservationARN`` or a ``resourceTags/user:*`` key,
appears only in months where some line uses it, as legacy CUR schemas drift month to month.
"""

from __future__ import annotations

from collections.abc import Iterable

CORE: tuple[str, ...] = (
    "identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId", "bill/InvoicingEntity",
    "bill/BillingEntity", "bill/BillType", "bill/PayerAccountId", "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate", "lineItem/UsageAccountId", "lineItem/LineItemType",
    "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode",
    "lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone",
    "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/NormalizationFactor",
    "lineItem/NormalizedUsageAmount", "lineItem/CurrencyCode", "lineItem/UnblendedRate",
    "lineItem/UnblendedCost", "lineItem/BlendedRate", "lineItem/BlendedCost",
    "lineItem/LineItemDescription", "lineItem/TaxType", "lineItem/LegalEntity",
    "product/ProductName", "product/availability", "product/durability", "product/eventType",
    "product/feeCode", "product/feeDescription", "product/fromLocation",
    "product/fromLocationType", "product/fromRegionCode", "product/group",
    "product/groupDescription", "product/location", "product/locationType",
    "product/messageDeliveryFrequency", "product/messageDeliveryOrder", "product/operation",
    "product/overhead", "product/productFamily", "product/productType", "product/queueType",
    "product/region", "product/regionCode", "product/servicecode", "product/servicename",
    "product/sku", "product/storageClass", "product/storageMedia", "product/toLocation",
    "product/toLocationType", "product/toRegionCode", "product/transferType",
    "product/usagetype", "product/version", "product/volumeType", "pricing/RateCode",
    "pricing/RateId", "pricing/currency", "pricing/publicOnDemandCost",
    "pricing/publicOnDemandRate", "pricing/term", "pricing/unit",
    "reservation/AmortizedUpfrontCostForUsage", "reservation/AmortizedUpfrontFeeForBillingPeriod",
    "reservation/EffectiveCost", "reservation/EndTime", "reservation/ModificationStatus",
    "reservation/NormalizedUnitsPerReservation", "reservation/NumberOfReservations",
    "reservation/RecurringFeeForUsage", "reservation/StartTime", "reservation/SubscriptionId",
    "reservation/TotalReservedNormalizedUnits", "reservation/TotalReservedUnits",
    "reservation/UnitsPerReservation", "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedNormalizedUnitQuantity", "reservation/UnusedQuantity",
    "reservation/UnusedRecurringFee", "reservation/UpfrontValue",
    "savingsPlan/TotalCommitmentToDate", "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanRate", "savingsPlan/UsedCommitment",
    "savingsPlan/SavingsPlanEffectiveCost", "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
    "savingsPlan/RecurringCommitmentForBillingPeriod",
)  # fmt: skip

CATEGORIES = (
    "identity",
    "bill",
    "lineItem",
    "product",
    "pricing",
    "reservation",
    "savingsPlan",
    "resourceTags",
)
SORTED_CATEGORIES = {"product", "pricing", "reservation", "resourceTags"}

DECIMAL_COLUMNS = {
    "lineItem/UsageAmount", "lineItem/NormalizedUsageAmount", "lineItem/UnblendedRate",
    "lineItem/UnblendedCost", "lineItem/BlendedRate", "lineItem/BlendedCost",
    "pricing/publicOnDemandCost", "pricing/publicOnDemandRate",
    "reservation/AmortizedUpfrontCostForUsage", "reservation/AmortizedUpfrontFeeForBillingPeriod",
    "reservation/EffectiveCost", "reservation/RecurringFeeForUsage",
    "reservation/TotalReservedUnits", "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedQuantity", "reservation/UnusedRecurringFee", "reservation/UpfrontValue",
    "savingsPlan/TotalCommitmentToDate", "savingsPlan/SavingsPlanRate",
    "savingsPlan/UsedCommitment", "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
    "savingsPlan/RecurringCommitmentForBillingPeriod",
}  # fmt: skip
DATE_COLUMNS = {
    "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate", "lineItem/UsageStartDate",
    "lineItem/UsageEndDate", "reservation/StartTime", "reservation/EndTime",
    "savingsPlan/StartTime", "savingsPlan/EndTime",
}  # fmt: skip


def header(used: Iterable[str]) -> list[str]:
    """The month's header: every core column plus the optional ones some line used."""
    names = set(CORE) | {c for c in used if not c.startswith("_")}
    out: list[str] = []
    for cat in CATEGORIES:
        core = [c for c in CORE if c.startswith(cat + "/")]
        extra = sorted(c for c in names if c.startswith(cat + "/") and c not in CORE)
        out += sorted(core + extra) if cat in SORTED_CATEGORIES else core + extra
    return out


def manifest_type(column: str) -> str:
    if column == "identity/TimeInterval":
        return "Interval"
    if column in DATE_COLUMNS:
        return "DateTime" if column.startswith(("bill/", "lineItem/")) else "OptionalDateTime"
    if column in DECIMAL_COLUMNS:
        return "BigDecimal" if column.startswith("lineItem/") else "OptionalBigDecimal"
    return "String" if column.startswith(("identity/", "bill/")) else "OptionalString"
