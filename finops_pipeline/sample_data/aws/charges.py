"""Price AWS usage into CUR line items, applying reservations and Savings Plans day by day.

The lines use legacy CUR column names in ``Charge.native``; the CUR 2.0 and FOCUS writers
translate them. Reservations apply before Savings Plans, as on a real AWS bill; a Savings
Plan covers eligible instance-hours until the day's commitment is spent, and whatever it
cannot cover stays on demand (so one instance-day can split into two lines).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from ..charges import ZERO, Charge, money
from ..estate import Commitment, Estate
from ..ids import Ids
from ..periods import Window, month_key
from ..tags import resolve_team
from ..usage import UsageRow

SP_PRODUCT = {
    "lineItem/ProductCode": "ComputeSavingsPlans",
    "product/ProductName": "Savings Plans for AWS Compute usage",
    "product/productFamily": "Savings Plans",
    "product/servicecode": "ComputeSavingsPlans",
}


def at(day: date) -> datetime:
    return datetime.combine(day, time())


class AwsBill:
    """Accumulates one AWS source's line items; ``aws.monthly`` adds the monthly lines."""

    def __init__(self, estate: Estate, window: Window, seed: int) -> None:
        self.estate = estate
        self.window = window
        self.ids = Ids(seed, estate.source + ":lines")
        self.commitments = {c.id: c for c in estate.commitments}
        self.lines: list[Charge] = []
        self.ri_used_hours: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)

    def line(self, day: date, native: dict, billed: Decimal, effective: Decimal, **kw) -> Charge:
        native["identity/LineItemId"] = self.ids.line_item_id()
        native.setdefault("_start", at(day))
        native.setdefault("_end", at(day + timedelta(days=1)))
        native.setdefault("lineItem/CurrencyCode", "USD")
        native.setdefault("pricing/currency", "USD")
        charge = Charge(
            month=month_key(day),
            day=day,
            billed=billed,
            effective=effective,
            service=native.get("product/ProductName", ""),
            sub_account=native["lineItem/UsageAccountId"],
            team=resolve_team(native.get("_tags")),
            resource_id=native.get("lineItem/ResourceId", ""),
            kind=native["lineItem/LineItemType"],
            native=native,
            **kw,
        )
        self.lines.append(charge)
        return charge

    # -- usage --------------------------------------------------------------------------
    def _base(self, row: UsageRow, kind: str, qty: Decimal) -> dict:
        meter = row.use.meter
        native = dict(meter.attrs)
        nf = native.get("lineItem/NormalizationFactor")
        native.update(
            {
                "lineItem/UsageAccountId": row.resource.account.id,
                "lineItem/LineItemType": kind,
                "lineItem/AvailabilityZone": row.resource.zone,
                "lineItem/ResourceId": row.resource.id,
                "lineItem/UsageAmount": qty,
                "lineItem/NormalizedUsageAmount": qty * Decimal(nf) if nf else None,
                "pricing/publicOnDemandRate": meter.rate,
                "pricing/publicOnDemandCost": money(qty * meter.rate),
                "pricing/term": "OnDemand",
                "_tags": row.resource.tags,
            }
        )
        return native

    def on_demand(self, row: UsageRow, qty: Decimal) -> None:
        rate = row.use.meter.rate
        cost = money(qty * rate)
        native = self._base(row, "Usage", qty)
        native.update(
            {
                "lineItem/UnblendedRate": rate,
                "lineItem/UnblendedCost": cost,
                "lineItem/BlendedRate": rate,
                "lineItem/BlendedCost": cost,
            }
        )
        baseline = None
        if row.baseline is not None and qty == row.qty:
            baseline = money(row.baseline * rate)
        waste = row.resource.waste
        self.line(
            row.day,
            native,
            cost,
            cost,
            baseline=baseline,
            waste=waste,
            waste_resource=row.resource.id if waste else None,
        )

    def reserved(self, row: UsageRow, ri: Commitment, hours: Decimal) -> None:
        upfront_part = money(hours * ri.upfront / ri.units / ri.term_hours) if ri.upfront else ZERO
        recurring_part = money(hours * ri.recurring)
        native = self._base(row, "DiscountedUsage", hours)
        itype = native.get("product/instanceType", "")
        native.update(
            {
                "lineItem/UnblendedRate": ZERO,
                "lineItem/UnblendedCost": ZERO,
                "lineItem/BlendedRate": ZERO,
                "lineItem/BlendedCost": ZERO,
                "lineItem/LineItemDescription": f"USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), "
                f"{itype} instance",
                "pricing/term": "Reserved",
                "reservation/ReservationARN": ri.id,
                "reservation/AmortizedUpfrontCostForUsage": upfront_part,
                "reservation/RecurringFeeForUsage": recurring_part,
                "reservation/EffectiveCost": upfront_part + recurring_part,
                "reservation/SubscriptionId": ri.attrs["subscription_id"],
            }
        )
        self.ri_used_hours[(ri.id, month_key(row.day))] += hours
        self.line(row.day, native, ZERO, upfront_part + recurring_part)

    def covered(
        self, row: UsageRow, sp: Commitment, hours: Decimal, sp_rate: Decimal, sp_cost: Decimal
    ) -> None:
        """A Savings Plan covered line plus its negation."""
        od_rate = row.use.meter.rate
        od_cost = money(hours * od_rate)
        sp_cols = {"savingsPlan/SavingsPlanARN": sp.id, "savingsPlan/SavingsPlanRate": sp_rate}
        native = self._base(row, "SavingsPlanCoveredUsage", hours)
        native.update(sp_cols)
        native.update(
            {
                "lineItem/UnblendedRate": od_rate,
                "lineItem/UnblendedCost": od_cost,
                "lineItem/BlendedRate": od_rate,
                "lineItem/BlendedCost": od_cost,
                "savingsPlan/SavingsPlanEffectiveCost": sp_cost,
            }
        )
        self.line(row.day, native, od_cost, sp_cost)
        negation = self._base(row, "SavingsPlanNegation", hours)
        negation.update(sp_cols)
        negation.update(
            {
                "lineItem/UnblendedRate": -od_rate,
                "lineItem/UnblendedCost": -od_cost,
                "lineItem/BlendedRate": -od_rate,
                "lineItem/BlendedCost": -od_cost,
                "lineItem/LineItemDescription": f"SavingsPlanNegation used by AccountId : "
                f"{row.resource.account.id} and UsageSku : {native['product/sku']}",
                "pricing/publicOnDemandCost": None,
                "pricing/publicOnDemandRate": None,
            }
        )
        self.line(row.day, negation, -od_cost, ZERO)

    def sp_fee(self, day: date, sp: Commitment, used: Decimal) -> None:
        total = money(sp.hourly * 24)
        recurring = money(sp.recurring * 24)
        term = sp.attrs.get("term", "1yr")
        native = {
            **SP_PRODUCT,
            "lineItem/UsageAccountId": sp.account.id,
            "lineItem/LineItemType": "SavingsPlanRecurringFee",
            "lineItem/UsageType": f"ComputeSP:{term}{sp.payment.replace(' ', '')}",
            "lineItem/Operation": "",
            "lineItem/ResourceId": sp.id,
            "lineItem/UsageAmount": Decimal(24),
            "lineItem/UnblendedRate": sp.recurring,
            "lineItem/UnblendedCost": recurring,
            "lineItem/BlendedRate": sp.recurring,
            "lineItem/BlendedCost": recurring,
            "lineItem/LineItemDescription": f"{term} {sp.payment} Compute Savings Plan",
            "savingsPlan/SavingsPlanARN": sp.id,
            "savingsPlan/TotalCommitmentToDate": total,
            "savingsPlan/UsedCommitment": used,
            "savingsPlan/RecurringCommitmentForBillingPeriod": recurring,
            "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod": total - recurring,
            **sp_terms(sp),
        }
        unused = total - used
        waste = "unused_commitment" if unused > 0 else None
        self.line(day, native, recurring, unused, waste=waste, waste_resource=sp.id)

    # -- one day ----------------------------------------------------------------------------
    def price_day(self, day: date, rows: Iterable[UsageRow]) -> None:
        active = {cid: c for cid, c in self.commitments.items() if c.start <= day < c.end}
        ri_left = {c.id: Decimal(c.units * 24) for c in active.values() if c.kind == "aws_ri"}
        sp_left = {c.id: money(c.hourly * 24) for c in active.values() if c.kind == "aws_sp"}
        sp_used = dict.fromkeys(sp_left, ZERO)
        for row in rows:
            c = active.get(row.resource.commitment or "")
            qty = row.qty
            if c is not None and c.kind == "aws_ri" and row.use.meter.key == c.attrs["meter"]:
                hours = min(qty, ri_left[c.id])
                if hours > 0:
                    ri_left[c.id] -= hours
                    self.reserved(row, c, hours)
                    qty -= hours
            elif c is not None and c.kind == "aws_sp" and row.use.meter.key.startswith("ec2:"):
                sp_rate = (row.use.meter.rate * c.discount).quantize(Decimal("0.0001"))
                hours = min(qty, (sp_left[c.id] / sp_rate).quantize(Decimal("0.0001"), ROUND_DOWN))
                if hours > 0:
                    # the line that exhausts the commitment takes all of it: no dust left unused
                    used = money(hours * sp_rate) if hours == qty else sp_left[c.id]
                    self.covered(row, c, hours, sp_rate, used)
                    sp_left[c.id] -= used
                    sp_used[c.id] += used
                    qty -= hours
            if qty > 0:
                self.on_demand(row, qty)
        for cid, used in sp_used.items():
            self.sp_fee(day, active[cid], used)


def sp_terms(sp: Commitment) -> dict:
    return {
        "savingsPlan/StartTime": at(sp.start),
        "savingsPlan/EndTime": at(sp.end),
        "savingsPlan/OfferingType": "ComputeSavingsPlans",
        "savingsPlan/PaymentOption": sp.payment,
        "savingsPlan/PurchaseTerm": sp.attrs.get("term", "1yr"),
    }
