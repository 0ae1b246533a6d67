"""Every failure focus-validator 2.2.1 still reports on our exports, with the reason.

The README's "FOCUS conformance" table lists the same rules; tests/conformance/
test_focus_validator.py checks that nothing else fails and that each entry still does.
`datasets` names where a failure may occur ("*": any), so a new dataset failing the same
rule for another reason is caught.
"""

from __future__ import annotations

DEMO_AWS = ("aws-cur-legacy", "aws-cur2", "aws-focus")
FOCUS_SAMPLE = "focus-sample-data--focus_sample"

KNOWN_DEFAULT: dict[str, dict] = {
    "InvoiceId-C-004-C": {
        "datasets": ("*",),
        "reason": "The validator applies both InvoiceId nullability rules to every row (their "
        "condition, whether the charge is on an issued invoice, is not in the rules model), "
        "so an invoiced month fails C-004 and a month not invoiced yet fails C-005. InvoiceId "
        "is the export's own (CUR bill/InvoiceId, Azure InvoiceId), null where it has none "
        "(GCP's billing export has no invoice id; a provider's open month has none yet).",
    },
    "InvoiceId-C-005-C": {"datasets": ("*",), "reason": "See InvoiceId-C-004-C."},
    "EffectiveCost-C-005-C": {
        "datasets": (*DEMO_AWS, "gcp-billing"),
        "reason": "The validator requires EffectiveCost 0 on every Purchase; FOCUS only on "
        "purchases that cover future eligible charges. Commitment fees are 0 (the unused part "
        "is its own Usage row); what remains are AWS support fees and GCP committed use "
        "discount fees, which the export does not amortize onto usage, so their cost stays "
        "in EffectiveCost where it is incurred.",
    },
    "BilledCost-C-005-C": {
        "datasets": ("opencost-azure-billingexports--EnterpriseCamel",),
        "reason": "The file names a partner ('PartnerName', a template placeholder) as invoice "
        "issuer: a reseller's invoice, not a third-party payment, but the validator treats "
        "any InvoiceIssuerName other than ProviderName as one.",
    },
    "BillingCurrency-C-003-M": {
        "datasets": ("koku-azure--azure_version_2",),
        "reason": "The test file's BillingCurrencyCode is 'MC', not an ISO 4217 code.",
    },
    "BillingCurrency-C-006-M": {
        "datasets": ("koku-azure--azure_version_2",),
        "reason": "See BillingCurrency-C-003-M.",
    },
    "ServiceName-C-002-M": {
        "datasets": ("koku-aws--2022-07-01-alt-columns",),
        "reason": "The validator requires ASCII; AWS names the product "
        "'Red Hat® Enterprise Linux®', kept as written.",
    },
    "ServiceName-C-005-C": {
        "datasets": (FOCUS_SAMPLE,),
        "reason": "The FOCUS sample data files 'Amazon Elastic Compute Cloud' under Compute "
        "and Storage (EBS); FOCUS files keep their stated ServiceCategory.",
    },
    "ServiceName-C-008-C": {
        "datasets": (FOCUS_SAMPLE,),
        "reason": "Same rows, ServiceSubcategory.",
    },
}

DEMO = (*DEMO_AWS, "gcp-billing", "azure-ea-actual", "azure-mca-amortized", "azure-focus")
SHARED_AWS = (
    "focus-converters--sample-anonymous-aws-export-dataset",
    "koku-aws--2022-07-01-alt-columns",
)
SHARED_GCP = ("koku-gcp--2022-08-01_5", "koku-gcp--tmp_example")
OPENCOST = ("opencost-azure-billingexports--PayAsYouGo", "opencost-azure-billingexports--Template")

# Failures only with --applicability-criteria ALL, which assumes the provider supports every
# feature (account naming, capacity reservations, pricing currencies ...).
KNOWN_ALL: dict[str, dict] = {
    "CapacityReservationStatus-C-004-C": {
        "datasets": ("*",),
        "reason": "Validator defect: it checks only the `ChargeCategory = 'Usage'` half of the "
        "condition and flags every Usage row, although CapacityReservationId is null on all "
        "of them (no source here carries capacity reservations).",
    },
    "CommitmentDiscountStatus-C-004-C": {
        "datasets": ("*",),
        "reason": "The same validator defect: every Usage row is flagged, with or without a "
        "CommitmentDiscountId; rows with an id have a status.",
    },
    "CommitmentDiscountStatus-C-005-M": {
        "datasets": ("opencost-azure-billingexports--Enterprise",),
        "reason": "The file's one row has CommitmentDiscountStatus 'Used', an allowed value; "
        "the validator still fails the rule (its only row is a flagged Usage row, see C-004).",
    },
    "BillingAccountName-C-003-C": {
        "datasets": (
            "aws-cur-legacy",
            "gcp-billing",
            FOCUS_SAMPLE,
            *SHARED_AWS,
            *SHARED_GCP,
            *OPENCOST,
        ),
        "reason": "The source carries no billing account name (legacy CUR without "
        "bill/PayerAccountName, GCP's billing export, files without the column).",
    },
    "SubAccountName-C-005-C": {
        "datasets": ("aws-cur-legacy", *SHARED_AWS, *OPENCOST),
        "reason": "The source carries no account name (legacy CUR without "
        "lineItem/UsageAccountName, Azure files without SubscriptionName).",
    },
    "BillingAccountType-C-005-C": {
        "datasets": ("aws-focus", FOCUS_SAMPLE),
        "reason": "FOCUS files without BillingAccountType (FOCUS 1.0 has no such column); "
        "FOCUS files pass through.",
    },
    "SubAccountType-C-005-C": {
        "datasets": ("aws-focus", FOCUS_SAMPLE),
        "reason": "FOCUS files without SubAccountType (FOCUS 1.0 has no such column).",
    },
    "ConsumedQuantity-C-004-C": {
        "datasets": ("azure-focus", FOCUS_SAMPLE),
        "reason": "The FOCUS file states ConsumedQuantity on rows other than used Usage; "
        "FOCUS files pass through.",
    },
    "ContractedUnitPrice-C-009-C": {
        "datasets": (FOCUS_SAMPLE,),
        "reason": "The FOCUS sample data has a negative ContractedUnitPrice on its Credit row.",
    },
    "PricingCurrency-C-003-M": {
        "datasets": ("koku-azure--azure_version_2",),
        "reason": "The test file's currency is 'MC' (see BillingCurrency-C-003-M).",
    },
    "PricingCurrency-C-004-M": {
        "datasets": ("aws-focus", "azure-focus", "gcp-billing", FOCUS_SAMPLE, *SHARED_GCP),
        "reason": "The source states no pricing currency: GCP's billing export (costs in the "
        "billing currency, prices converted from USD at a rate the row does not carry), "
        "FOCUS files without the column.",
    },
    "PricingCurrencyEffectiveCost-C-003-M": {
        "datasets": ("aws-focus", "azure-focus", "gcp-billing", FOCUS_SAMPLE, *SHARED_GCP),
        "reason": "See PricingCurrency-C-004-M.",
    },
    "RegionName-C-004-C": {
        "datasets": (FOCUS_SAMPLE,),
        "reason": "The FOCUS sample data names a region on rows without RegionId; FOCUS files "
        "pass through.",
    },
    "ResourceType-C-004-C": {
        "datasets": (FOCUS_SAMPLE,),
        "reason": "The FOCUS sample data has a ResourceType on rows without ResourceId.",
    },
    "ResourceType-C-005-C": {
        "datasets": (
            "aws-cur-legacy",
            "aws-focus",
            "azure-focus",
            "gcp-billing",
            FOCUS_SAMPLE,
            "finops-toolkit--EA_AmortizedCost_Small",
            "koku-aws--2022-07-01-alt-columns",
            "koku-azure--azure_version_2",
            *SHARED_GCP,
        ),
        "reason": "The source names the resource but not its type (GCP's billing export has no "
        "type; CUR lines without product/productFamily; Azure lines without a provider path "
        "in the resource id; FOCUS files without ResourceType).",
    },
    "SkuMeter-C-005-C": {
        "datasets": ("aws-focus", "azure-focus", FOCUS_SAMPLE),
        "reason": "FOCUS files without SkuMeter (a SHOULD; FOCUS 1.0 has no such column).",
    },
    "SkuPriceId-C-008-M": {
        "datasets": ("focus-converters--sample-anonymous-ea-export-dataset", *OPENCOST),
        "reason": "Azure's MeterId (SkuPriceId) appears under more than one ProductId/PartNumber "
        "(SkuId) in these EA and pay-as-you-go files; both are the export's own ids.",
    },
}
