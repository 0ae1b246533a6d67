"""Price Azure usage with reservations and savings plans, in both actual and amortized terms.

Each line carries both views: ``Charge.billed`` is the actual cost (what the invoice shows:
on-demand usage, commitment purchases and refunds; covered usage at 0) and
``Charge.effective`` the amortized cost (covered usage at its share of the commitment, unused
commitment on its own ``UnusedReservation``/``UnusedSavingsPlan`` lines, purchases at 0).
The writers pick the rows their export type contains: actual-cost files have no unused
lines, amortized files have no purchases, FOCUS files have everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from ..charges import ZERO, Charge, money
from ..estate import Commitment, Estate, Meter, Resource
from ..periods import Window, month_key
from ..tags import resolve_team
from ..usage import UsageRow
from .catalog import meter as az_meter

CENT = Decimal("0.01")
ACTUAL_ONLY = ("Purchase", "Refund")
AMORTIZED_ONLY = ("UnusedReservation", "UnusedSavingsPlan")


def commitment_end(c: Commitment) -> date:
    """A returned reservation stops covering usage on the day it is refunded."""
    refund = c.attrs.get("refund_on")
    return date.fromisoformat(refund) if refund else c.end


def term_months(c: Commitment) -> int:
    return round((c.end - c.start).days / 365 * 12)


class AzureBill:
    """Accumulates one Azure billing account's lines in both cost views."""

    def __init__(self, estate: Estate, window: Window) -> None:
        self.estate = estate
        self.window = window
        self.lines: list[Charge] = []

    def line(
        self,
        day: date,
        charge_type: str,
        model: str,
        sub_id: str,
        billed: Decimal,
        effective: Decimal,
        *,
        resource: Resource | None = None,
        meter: Meter | None = None,
        qty: Decimal = ZERO,
        actual_price: Decimal = ZERO,
        amortized_price: Decimal = ZERO,
        benefit: Commitment | None = None,
        frequency: str = "UsageBased",
        **kw,
    ) -> Charge:
        sub = next(a for a in self.estate.accounts if a.id == sub_id)
        native = {
            "ChargeType": charge_type,
            "PricingModel": model,
            "Frequency": frequency,
            "_resource": resource,
            "_meter": meter,
            "_sub": sub,
            "Quantity": qty,
            "PayGPrice": meter.rate if meter else ZERO,
            "UnitPrice": meter.rate if meter else ZERO,
            "EffectivePriceActual": actual_price,
            "EffectivePriceAmortized": amortized_price,
            "_benefit": benefit,
        }
        charge = Charge(
            month=month_key(day),
            day=day,
            billed=billed,
            effective=effective,
            service=meter.service if meter else "",
            sub_account=sub.id,
            team=resolve_team(resource.tags) if resource else None,
            resource_id=resource.id if resource else (benefit.id if benefit else ""),
            kind=charge_type,
            native=native,
            **kw,
        )
        self.lines.append(charge)
        return charge

    def _active(self, day: date) -> list[Commitment]:
        return [c for c in self.estate.commitments if c.start <= day < commitment_end(c)]

    def price_day(self, day: date, rows: Iterable[UsageRow]) -> None:
        active = self._active(day)
        by_group = {c.attrs["group"]: c for c in active}
        ri_left = {c.id: Decimal(c.units * 24) for c in active if c.kind == "azure_ri"}
        sp_left = {c.id: money(c.hourly * 24) for c in active if c.kind == "azure_sp"}
        for row in rows:
            c = by_group.get(row.resource.commitment or "")
            m, qty, sub = row.use.meter, row.qty, row.resource.account.id
            if c is not None and c.kind == "azure_ri" and m.key == c.attrs["meter"]:
                hours = min(qty, ri_left[c.id])
                if hours > 0:
                    ri_left[c.id] -= hours
                    self.line(
                        day,
                        "Usage",
                        "Reservation",
                        sub,
                        ZERO,
                        money(hours * c.hourly),
                        resource=row.resource,
                        meter=m,
                        qty=hours,
                        amortized_price=c.hourly,
                        benefit=c,
                    )
                    qty -= hours
            elif c is not None and c.kind == "azure_sp" and m.attrs["vm_size"]:
                price = (m.rate * c.discount).quantize(Decimal("0.000001"))
                hours = min(qty, (sp_left[c.id] / price).quantize(Decimal("0.0001"), ROUND_DOWN))
                if hours > 0:
                    # the line that exhausts the commitment takes all of it: no dust left unused
                    cost = money(hours * price) if hours == qty else sp_left[c.id]
                    sp_left[c.id] -= cost
                    self.line(
                        day,
                        "Usage",
                        "SavingsPlan",
                        sub,
                        ZERO,
                        cost,
                        resource=row.resource,
                        meter=m,
                        qty=hours,
                        amortized_price=price,
                        benefit=c,
                    )
                    qty -= hours
            if qty > 0:
                cost = money(qty * m.rate)
                baseline = money(row.baseline * m.rate) if row.baseline is not None else None
                if qty != row.qty:
                    baseline = None
                waste = row.resource.waste_on(day)
                self.line(
                    day,
                    "Usage",
                    "OnDemand",
                    sub,
                    cost,
                    cost,
                    resource=row.resource,
                    meter=m,
                    qty=qty,
                    actual_price=m.rate,
                    amortized_price=m.rate,
                    baseline=baseline,
                    waste=waste,
                    waste_resource=row.resource.id if waste else None,
                )
        for c in active:
            self._unused(day, c, ri_left.get(c.id), sp_left.get(c.id))

    def _unused(
        self, day: date, c: Commitment, ri_hours: Decimal | None, sp_amount: Decimal | None
    ) -> None:
        if c.kind == "azure_ri" and ri_hours:
            m = az_meter(*c.attrs["meter"].split(":"), currency=self.estate.currency)
            self.line(
                day,
                "UnusedReservation",
                "Reservation",
                c.account.id,
                ZERO,
                money(ri_hours * c.hourly),
                meter=m,
                qty=ri_hours,
                amortized_price=c.hourly,
                benefit=c,
                waste="unused_commitment",
                waste_resource=c.id,
            )
        elif c.kind == "azure_sp" and sp_amount:
            qty = (sp_amount / c.hourly).quantize(Decimal("0.000001"))
            self.line(
                day,
                "UnusedSavingsPlan",
                "SavingsPlan",
                c.account.id,
                ZERO,
                sp_amount,
                qty=qty,
                amortized_price=c.hourly,
                benefit=c,
                waste="unused_commitment",
                waste_resource=c.id,
            )

    def add_purchases(self) -> None:
        """Upfront purchases, monthly commitment payments and refunds of returned terms."""
        days = set(self.window.days)
        for c in self.estate.commitments:
            total = Decimal(c.attrs["total"])
            if c.payment == "Upfront" and c.start in days:
                self.line(
                    c.start,
                    "Purchase",
                    "Reservation",
                    c.account.id,
                    c.upfront,
                    ZERO,
                    qty=Decimal(c.units),
                    benefit=c,
                    frequency="OneTime",
                )
            if c.payment == "Monthly":
                model = "Reservation" if c.kind == "azure_ri" else "SavingsPlan"
                payment = money(total / term_months(c), CENT)
                for month in self.window.months:
                    pay_day = month.start + timedelta(days=c.start.day - 1)
                    if pay_day.month != month.start.month:
                        pay_day = month.end - timedelta(days=1)
                    if pay_day in days and c.start <= pay_day < c.end:
                        self.line(
                            pay_day,
                            "Purchase",
                            model,
                            c.account.id,
                            payment,
                            ZERO,
                            qty=Decimal(1),
                            benefit=c,
                            frequency="Recurring",
                        )
            refund = c.attrs.get("refund_on")
            if refund and date.fromisoformat(refund) in days:
                day = date.fromisoformat(refund)
                share = Decimal((c.end - day).days) / Decimal((c.end - c.start).days)
                self.line(
                    day,
                    "Refund",
                    "Reservation",
                    c.account.id,
                    -money(total * share, CENT),
                    ZERO,
                    qty=Decimal(-c.units),
                    benefit=c,
                    frequency="OneTime",
                )
        self.lines.sort(key=lambda ch: ch.day)
