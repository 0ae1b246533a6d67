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
    "PricingUnit-C-006-C": {
        "datasets": ("aws-focus",),
        "reason": "The AWS FOCUS file has PricingQuantity without PricingUnit on some "
        "purchases (AWS lists it as a conformance gap of its FOCUS export); FOCUS files "
        "pass through.",
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
    "ContractedCost-C-003-M": {
        "datasets": (FOCUS_SAMPLE,),
        "reason": "The FOCUS sample data has null ContractedCost on 7 rows; FOCUS files pass "
        "through.",
    },
    "ContractedCost-C-004-M": {"datasets": (FOCUS_SAMPLE,), "reason": "Same rows."},
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

KNOWN_ALL: dict[str, dict] = {}
