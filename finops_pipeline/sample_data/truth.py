"""Ground truth: what the generated exports must reconcile to, computed from the charges.

Everything here is summed from the semantic ``Charge`` objects with ``Decimal`` arithmetic,
never re-read from the files; the unit tests prove the files agree. Money is written as
decimal strings so nothing is lost to floats.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from .charges import ZERO, Charge, plain
from .estate import AnomalySpec, Estate
from .periods import Window, add_months, parse_month
from .sources import SOURCES, Written
from .tags import TAG_POLICY

OLD_SNAPSHOT_MONTHS = 12
_LEVEL_COLUMN = {"service": "ServiceName", "sub_account": "SubAccountId", "team": "Tags.team"}


def source_entry(estate: Estate) -> dict:
    return {
        "format": SOURCES[estate.source],
        "provider": estate.provider,
        # the value the export's own billing-account column carries
        "billing_account_id": estate.attrs.get("focus_billing_account_id")
        or estate.billing_account_id,
        "billing_account_name": estate.billing_account_name,
        "currency": estate.currency,
        "cost_basis": "effective" if estate.source == "azure-mca-amortized" else "billed",
        # What an ingest can rebuild from this source's files alone: an Azure actual-cost
        # export shows covered usage at 0 and never its amortized cost; an amortized export
        # never shows the invoice.
        "derivable": {
            "azure-ea-actual": ["billed"],
            "azure-mca-amortized": ["effective"],
        }.get(estate.source, ["billed", "effective"]),
    }


def totals(estate: Estate, charges: list[Charge], written: Written) -> list[dict]:
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for c in charges:
        sums[c.month][0] += c.billed
        sums[c.month][1] += c.effective
    return [
        {
            "source": estate.source,
            "billing_month": month,
            "currency": estate.currency,
            "billed_cost": plain(sums[month][0]),
            "effective_cost": plain(sums[month][1]),
            "native_rows": written.rows[month],
            "path": written.files[month],
        }
        for month in sorted(written.rows)
    ]


def _in_slice(a: AnomalySpec, c: Charge) -> bool:
    if a.level == "service":
        return c.service == a.key
    if a.level == "sub_account":
        return c.sub_account == a.key
    return c.team == a.key


def anomalies(estate: Estate, charges: list[Charge], window: Window) -> list[dict]:
    out = []
    for a in estate.anomalies:
        last = a.last or window.last_data_day
        days = (last - a.first).days + 1
        actual = expected = ZERO
        for c in charges:
            if a.first <= c.day <= last and _in_slice(a, c):
                actual += c.effective
                expected += c.effective_without_anomaly
        account = next((s for s in estate.accounts if s.id == a.key), None)
        out.append(
            {
                "id": a.id,
                "kind": a.kind,
                "provider": estate.provider,
                "source": estate.source,
                "level": a.level,
                "key": a.key,
                "key_name": account.name if account else a.key,
                "key_column": _LEVEL_COLUMN[a.level],
                "first_date": a.first.isoformat(),
                "last_date": a.last.isoformat() if a.last else None,
                "cost_column": "EffectiveCost",
                "currency": estate.currency,
                "expected_daily_cost": plain((expected / days).quantize(Decimal("0.0001"))),
                "actual_daily_cost": plain((actual / days).quantize(Decimal("0.0001"))),
                "description": a.note,
            }
        )
    return out


def waste(estate: Estate, charges: list[Charge], window: Window) -> list[dict]:
    cost: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    account: dict[str, str] = {}
    first_month: dict[str, str] = {}
    for c in charges:
        if c.waste is None or c.waste_resource is None:
            continue
        cost[(c.waste, c.waste_resource, c.month)] += c.effective
        account.setdefault(c.waste_resource, c.sub_account)
        first_month[c.waste_resource] = min(first_month.get(c.waste_resource, c.month), c.month)
    out = []
    for (check, rid, month), amount in sorted(cost.items()):
        if check == "old_snapshot":
            threshold = add_months(parse_month(first_month[rid]), OLD_SNAPSHOT_MONTHS)
            if parse_month(month) < threshold:
                continue
        if amount <= 0:
            continue
        out.append(
            {
                "check": check,
                "provider": estate.provider,
                "source": estate.source,
                "resource_id": rid,
                "sub_account_id": account[rid],
                "billing_month": month,
                "currency": estate.currency,
                "monthly_cost": plain(amount),
            }
        )
    return out


def restatement(written: Written) -> list[dict]:
    if written.restatement is None:
        return []
    r = dict(written.restatement)
    r["original_billed_cost"] = plain(r["original_billed_cost"])
    r["revised_billed_cost"] = plain(r["revised_billed_cost"])
    return [r]


def header(seed: int, end_month: str, months: int, scale: int, window: Window) -> dict:
    return {
        "seed": seed,
        "end_month": end_month,
        "months": months,
        "scale": scale,
        "as_of": window.as_of.isoformat(),
        "data_through": (window.as_of - timedelta(days=1)).isoformat(),
        "tag_policy": TAG_POLICY,
        "sources": {},
        "totals": [],
        "restatements": [],
        "anomalies": [],
        "waste": [],
    }
