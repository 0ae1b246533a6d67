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
        "reason": "Cannot pass on any file that has rows and the InvoiceId column. In the "
        "rules model (1.2.0.1) C-004 (MUST be null when the charge is not on an invoice) and "
        "C-005 (MUST NOT be null when it is) have an empty Condition, so the validator requires "
        "InvoiceId null on every row and set on every row; leaving the RECOMMENDED column out "
        "fails CostAndUsage-D-033-O and InvoiceId-C-003-C instead. Our InvoiceId follows the "
        "spec's condition: the export's own id (CUR bill/InvoiceId, Azure InvoiceId) on every "
        "row of an invoiced period, null where there is none (an open month, GCP's billing "
        "export), so each file fails exactly one of the two, never both (a test checks that).",
    },
    "InvoiceId-C-005-C": {"datasets": ("*",), "reason": "See InvoiceId-C-004-C."},
    "EffectiveCost-C-005-C": {
        "datasets": DEMO_AWS,
        "reason": "AWS support plan fees (CUR Fee lines, AWS FOCUS Purchase rows). FOCUS wants "
        "EffectiveCost 0 on a Purchase 'intended to cover future eligible charges'; the rules "
        "model drops that half of the condition and checks every Purchase. A support fee pays "
        "for the month's support, it covers no other charge, so its cost stays in "
        "EffectiveCost. Commitment fees (AWS RIFee and Savings Plan fees, GCP committed use "
        "discount fees) are 0, amortized onto the usage they cover and their unused part.",
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
        "reason": "The validator checks StringHandling as 'ASCII only'; FOCUS's StringHandling "
        "asks to preserve the original value, and AWS names the product "
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
