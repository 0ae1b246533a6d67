"""Building blocks for the Azure billing accounts: subscriptions, resources, commitments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..builder import EstateBuilder
from ..estate import Account, Commitment, Resource, Use
from .catalog import REGIONS, meter

H24 = 24.0


def subscriptions(
    b: EstateBuilder, names: list[tuple[str, str | None]], **attrs: str
) -> list[Account]:
    return [
        Account(b.ids.guid(), n, t, attrs={"rg": f"rg-{n.split('-', 1)[1]}", **attrs})
        for n, t in names
    ]


def arm_id(sub: Account, provider: str, name: str) -> str:
    return f"/subscriptions/{sub.id}/resourceGroups/{sub.attrs['rg']}/providers/{provider}/{name}"


def resource(
    b: EstateBuilder,
    sub: Account,
    provider: str,
    name: str,
    region: str,
    uses: list[Use],
    **kw: object,
) -> list[Resource]:
    def make() -> str:
        suffix = "" if b.copy == 0 else f"-{b.copy + 1}"
        return arm_id(sub, provider, f"{name}{suffix}")

    return b.add(make, name, sub, region, uses, **kw)


def vm(
    b: EstateBuilder, sub: Account, name: str, size: str, region: str, profile: str, **kw: object
) -> list[Resource]:
    m = meter(size, region, b.estate.currency)
    kind = "virtualMachineScaleSets" if size == "D8s v5" else "virtualMachines"
    return resource(
        b, sub, f"Microsoft.Compute/{kind}", name, region, [Use(m, H24, profile, cap=H24)], **kw
    )


def reservation(
    b: EstateBuilder,
    owner: Account,
    size: str,
    region: str,
    units: int,
    start: date,
    years: int,
    payment: str,
    group: str,
    **attrs: str,
) -> Commitment:
    units *= b.scale
    payg = meter(size, region, b.estate.currency).rate
    hourly = (payg * Decimal("0.6")).quantize(Decimal("0.000001"))
    end = start + timedelta(days=365 * years)
    total = (hourly * units * (end - start).days * 24).quantize(Decimal("0.01"))
    order = b.ids.guid()
    return Commitment(
        f"/providers/Microsoft.Capacity/reservationOrders/{order}/reservations/{b.ids.guid()}",
        f"{size.replace(' ', '')}-{group}-{start:%m-%d-%Y}",
        "azure_ri",
        owner,
        start,
        end,
        payment,
        hourly,
        total if payment == "Upfront" else Decimal(0),
        Decimal(0),
        units=units,
        discount=Decimal("0.6"),
        attrs={
            "group": group,
            "meter": f"{size}:{region}",
            "order": order,
            "total": str(total),
            "product": f"Reserved VM Instance, Standard_{size.replace(' ', '_')}, "
            f"{REGIONS[region][0]}, {years} Year" + ("s" if years > 1 else ""),
            **attrs,
        },
    )


def savings_plan(
    b: EstateBuilder, owner: Account, hourly: str, start: date, years: int, group: str
) -> Commitment:
    order = b.ids.guid()
    end = start + timedelta(days=365 * years)
    h = Decimal(hourly) * b.scale
    total = (h * (end - start).days * 24).quantize(Decimal("0.01"))
    return Commitment(
        f"/providers/Microsoft.BillingBenefits/savingsPlanOrders/{order}/savingsPlans/"
        f"{b.ids.guid()}",
        f"Compute_SavingsPlan_{start:%m-%d-%Y_%H-%M}",
        "azure_sp",
        owner,
        start,
        end,
        "Monthly",
        h,
        Decimal(0),
        Decimal(0),
        discount=Decimal("0.65"),
        attrs={
            "group": group,
            "order": order,
            "total": str(total),
            "product": f"Compute savings plan, {years} Year" + ("s" if years > 1 else ""),
        },
    )


def mca_id(b: EstateBuilder) -> str:
    h = b.ids.hex(14).upper()
    return f"{h[0:4]}-{h[4:8]}-{h[8:11]}-{h[11:14]}"
