"""The FOCUS columns an export carries, per FOCUS version, with their feature level.

Names and feature levels are the spec's (FOCUS 1.2 as the FinOps Foundation's validator
rules model 1.2.0.1 lists them; the 1.3 additions from the spec text, version migration
guidance). An export writes every column of its version, mandatory or not, so its schema
is fixed; a column the source does not carry is null.
"""

from __future__ import annotations

MANDATORY_1_2 = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
]

OPTIONAL_1_2 = [
    "AvailabilityZone",
    "BillingAccountType",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "ChargeFrequency",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedUnitPrice",
    "InvoiceId",
    "ListUnitPrice",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "Tags",
]

# FOCUS 1.3 (ratified December 2025): ServiceProviderName and HostProviderName are mandatory
# (HostProviderName allows nulls); ProviderName and PublisherName are deprecated, still present.
MANDATORY_1_3_ADDED = ["HostProviderName", "ServiceProviderName"]
OPTIONAL_1_3_ADDED = [
    "AllocatedMethodDetails",
    "AllocatedMethodId",
    "AllocatedResourceId",
    "AllocatedResourceName",
    "AllocatedTags",
    "ContractApplied",
]

VERSIONS = ("1.2", "1.3")


def mandatory_columns(version: str) -> set[str]:
    extra = MANDATORY_1_3_ADDED if version == "1.3" else []
    return set(MANDATORY_1_2) | set(extra)


def focus_columns(version: str) -> list[str]:
    """The version's columns in alphabetical order (as the spec lists them)."""
    if version not in VERSIONS:
        raise ValueError(f"FOCUS version {version!r} is not one of {', '.join(VERSIONS)}")
    names = MANDATORY_1_2 + OPTIONAL_1_2
    if version == "1.3":
        names = names + MANDATORY_1_3_ADDED + OPTIONAL_1_3_ADDED
    return sorted(names)
