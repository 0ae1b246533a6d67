"""The once-a-month and one-off AWS lines: RI fees, upfront fees, credits, refunds, support, tax.

Support, credits and refunds only exist for closed months: AWS posts them when the month is
finalised. They are flagged ``_final_only`` so the restated month's first delivery (made
before finalisation) can leave them out.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..charges import ZERO, Charge, money
from ..estate import Commitment
from ..periods import Month
from .charges import SP_PRODUCT, AwsBill, at, sp_terms

CENT = Decimal("0.01")
SUPPORT = {
    "business": (
        "AWSSupportBusiness",
        "AWS Support (Business)",
        Decimal(100),
        ((10_000, "0.10"), (80_000, "0.07"), (250_000, "0.05"), (None, "0.03")),
    ),
    "developer": ("AWSDeveloperSupport", "AWS Support (Developer)", Decimal(29), ((None, "0.03"),)),
}


def _month_line(
    bill: AwsBill, month: Month, native: dict, billed: Decimal, eff: Decimal, **kw
) -> Charge:
    native.setdefault("_start", at(month.start))
    native.setdefault("_end", at(month.end))
    return bill.line(month.start, native, billed, eff, **kw)


def _ri_type(ri: Commitment) -> str:
    return ri.attrs["meter"].split(":")[1]


def _ri_lines(bill: AwsBill, month: Month, ri: Commitment) -> None:
    days = [d for d in month.data_days if ri.start <= d < ri.end]
    if not days:
        return
    product = "AmazonRDS" if ri.attrs["meter"].startswith("rds") else "AmazonEC2"
    itype = _ri_type(ri)
    reserved = Decimal(len(days) * 24 * ri.units)
    used = bill.ri_used_hours[(ri.id, month.key)]
    unused = reserved - used
    upfront_hourly = ri.upfront / ri.units / ri.term_hours if ri.upfront else ZERO
    unused_upfront = money(unused * upfront_hourly)
    unused_recurring = money(unused * ri.recurring)
    fee = money(reserved * ri.recurring)
    native = {
        "lineItem/UsageAccountId": ri.account.id,
        "lineItem/LineItemType": "RIFee",
        "lineItem/ProductCode": product,
        "lineItem/UsageType": f"HeavyUsage:{itype}",
        "lineItem/Operation": "RunInstances" if product == "AmazonEC2" else "CreateDBInstance",
        "lineItem/UsageAmount": reserved,
        "lineItem/UnblendedRate": ri.recurring,
        "lineItem/UnblendedCost": fee,
        "lineItem/BlendedRate": ri.recurring,
        "lineItem/BlendedCost": fee,
        "lineItem/LineItemDescription": f"USD {ri.recurring} hourly fee per "
        + ("Linux/UNIX (Amazon VPC), " if product == "AmazonEC2" else "MySQL, ")
        + f"{itype} instance",
        "product/ProductName": "Amazon Elastic Compute Cloud"
        if product == "AmazonEC2"
        else "Amazon Relational Database Service",
        "product/productFamily": "Compute Instance"
        if product == "AmazonEC2"
        else "Database Instance",
        "product/instanceType": itype,
        "pricing/term": "Reserved",
        "pricing/LeaseContractLength": f"{(ri.end - ri.start).days // 365}yr",
        "pricing/PurchaseOption": ri.payment,
        "pricing/OfferingClass": "standard",
        "reservation/ReservationARN": ri.id,
        "reservation/SubscriptionId": ri.attrs["subscription_id"],
        "reservation/NumberOfReservations": str(ri.units),
        "reservation/UnitsPerReservation": str(len(days) * 24),
        "reservation/TotalReservedUnits": reserved,
        "reservation/UnusedQuantity": unused,
        "reservation/AmortizedUpfrontFeeForBillingPeriod": money(reserved * upfront_hourly),
        "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": unused_upfront,
        "reservation/UnusedRecurringFee": unused_recurring,
        "reservation/UpfrontValue": ri.upfront,
        "reservation/StartTime": at(ri.start),
        "reservation/EndTime": at(ri.end),
        "_start": at(max(month.start, ri.start)),
    }
    eff = unused_upfront + unused_recurring
    waste = "unused_commitment" if eff > 0 else None
    _month_line(bill, month, native, fee, eff, waste=waste, waste_resource=ri.id)


def _upfront(bill: AwsBill, month: Month, c: Commitment) -> None:
    if not (month.start <= c.start < month.end) or not c.upfront or c.start > month.data_days[-1]:
        return
    if c.kind == "aws_sp":
        native = {
            **SP_PRODUCT,
            "lineItem/LineItemType": "SavingsPlanUpfrontFee",
            "lineItem/UsageType": f"ComputeSP:{c.attrs['term']}{c.payment.replace(' ', '')}",
            "lineItem/LineItemDescription": f"{c.attrs['term']} {c.payment} Compute Savings "
            "Plan upfront fee",
            "savingsPlan/SavingsPlanARN": c.id,
            **sp_terms(c),
        }
    else:
        plan = bill.ids.digits(7)
        native = {
            "lineItem/LineItemType": "Fee",
            "lineItem/ProductCode": "AmazonEC2",
            "product/ProductName": "Amazon Elastic Compute Cloud",
            "lineItem/UsageType": f"HeavyUsage:{_ri_type(c)}",
            "lineItem/Operation": "RunInstances",
            "lineItem/LineItemDescription": f"Sign up charge for subscription: "
            f"{c.attrs['subscription_id']}, planId: {plan}",
            "reservation/ReservationARN": c.id,
            "reservation/UpfrontValue": c.upfront,
            "pricing/PurchaseOption": c.payment,
        }
    native.update(
        {
            "lineItem/UsageAccountId": c.account.id,
            "lineItem/ResourceId": c.id,
            "lineItem/UsageAmount": Decimal(1),
            "lineItem/UnblendedCost": c.upfront,
            "lineItem/BlendedCost": c.upfront,
            "lineItem/UnblendedRate": c.upfront,
            "lineItem/BlendedRate": c.upfront,
            "bill/BillType": "Purchase",
            "_start": at(c.start),
            "_end": at(c.start),
        }
    )
    bill.line(c.start, native, c.upfront, ZERO)


def _tiered(total: Decimal, tiers: tuple) -> Decimal:
    fee, lower = ZERO, Decimal(0)
    for upper, rate in tiers:
        top = total if upper is None else min(total, Decimal(upper))
        if top > lower:
            fee += (top - lower) * Decimal(rate)
        if upper is None or total <= upper:
            break
        lower = Decimal(upper)
    return fee


def _simple_line(
    bill: AwsBill,
    month: Month,
    kind: str,
    code: str,
    name: str,
    amount: Decimal,
    desc: str,
    **extra: str,
) -> Charge:
    native = {
        "lineItem/UsageAccountId": bill.estate.billing_account_id,
        "lineItem/LineItemType": kind,
        "lineItem/ProductCode": code,
        "product/ProductName": name,
        "lineItem/UnblendedCost": amount,
        "lineItem/BlendedCost": amount,
        "lineItem/LineItemDescription": desc,
        "_final_only": True,
        **extra,
    }
    return _month_line(bill, month, native, amount, amount)


def _month_extras(bill: AwsBill, month: Month, index: int, n_months: int) -> None:
    attrs = bill.estate.attrs
    lines = [c for c in bill.lines if c.month == month.key]
    if not month.is_open:
        ec2 = sum(
            (
                c.billed
                for c in lines
                if c.kind == "Usage" and c.native.get("lineItem/ProductCode") == "AmazonEC2"
            ),
            ZERO,
        )
        if attrs.get("credits") and index >= 1 and ec2 > 0:
            lines.append(
                _simple_line(
                    bill,
                    month,
                    "Credit",
                    "AmazonEC2",
                    "Amazon Elastic Compute Cloud",
                    -money(ec2 * Decimal("0.05"), CENT),
                    "AWS Credits - Migration Acceleration Program",
                )
            )
        code, name, floor, tiers = SUPPORT[attrs.get("support", "business")]
        base = sum((c.billed for c in lines), ZERO)
        fee = max(floor, money(_tiered(base, tiers), CENT))
        lines.append(
            _simple_line(
                bill,
                month,
                "Fee",
                code,
                name,
                fee,
                f"{name.split('(')[1][:-1]} Support Plan fee",
                **{
                    "lineItem/UsageType": "Dollar",
                    "lineItem/UsageAmount": Decimal(1),
                    "lineItem/UnblendedRate": fee,
                },
            )
        )
        if attrs.get("credits") and index == max(0, n_months - 4):
            lines.append(
                _simple_line(
                    bill,
                    month,
                    "Refund",
                    code,
                    name,
                    -money(fee / 4, CENT),
                    f"Refund of {name} charges - case 17{bill.ids.digits(8)}",
                    **{"bill/BillType": "Refund"},
                )
            )
    rate = Decimal(attrs.get("tax_rate", "0"))
    bases: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    names: dict[str, str] = {}
    for c in lines:
        code = c.native.get("lineItem/ProductCode", "")
        bases[(c.sub_account, code)] += c.billed
        names.setdefault(code, c.service)
    for (account, code), base in sorted(bases.items()):
        tax = money(base * rate, CENT)
        if tax <= 0:
            continue
        native = {
            "lineItem/UsageAccountId": account,
            "lineItem/LineItemType": "Tax",
            "lineItem/ProductCode": code,
            "lineItem/UsageAmount": Decimal(1),
            "lineItem/UnblendedCost": tax,
            "lineItem/BlendedCost": tax,
            "lineItem/LineItemDescription": f"Tax for product code {code}",
            "lineItem/TaxType": attrs.get("tax_type", ""),
            "product/ProductName": names[code],
        }
        _month_line(bill, month, native, tax, tax)


def add_monthly_lines(bill: AwsBill) -> None:
    months = bill.window.months
    for index, month in enumerate(months):
        for c in bill.estate.commitments:
            _upfront(bill, month, c)
            if c.kind == "aws_ri":
                _ri_lines(bill, month, c)
        _month_extras(bill, month, index, len(months))
