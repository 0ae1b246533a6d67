"""Bill-level columns shared by the three AWS writers (invoice ids, entities, periods)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from ..charges import Charge
from ..estate import Estate
from ..periods import Month


def invoicing_entity(estate: Estate) -> str:
    return estate.attrs.get("entity", "Amazon Web Services, Inc.")


def invoice_id(estate: Estate, month: Month, bill_type: str) -> str:
    """AWS invoice ids are numeric and only appear once the month is invoiced."""
    digest = hashlib.sha256(f"{estate.billing_account_id}:{month.key}:{bill_type}".encode())
    return str(int(digest.hexdigest()[:10], 16) % 9_000_000_000 + 1_000_000_000)


def bill_columns(estate: Estate, month: Month, charge: Charge, final: bool) -> dict:
    """``bill/*`` values of one line. ``final`` is False for a not-yet-invoiced delivery."""
    bill_type = charge.native.get("bill/BillType", "Anniversary")
    invoiced = final and not month.is_open
    return {
        "bill/InvoiceId": invoice_id(estate, month, bill_type) if invoiced else "",
        "bill/InvoicingEntity": invoicing_entity(estate),
        "bill/BillingEntity": "AWS",
        "bill/BillType": bill_type,
        "bill/PayerAccountId": estate.billing_account_id,
        "bill/BillingPeriodStartDate": datetime(month.start.year, month.start.month, 1),
        "bill/BillingPeriodEndDate": datetime(month.end.year, month.end.month, 1),
        "lineItem/LegalEntity": invoicing_entity(estate),
    }


def account_names(estate: Estate) -> dict[str, str]:
    return {a.id: a.name for a in estate.accounts}
