"""Building blocks for the AWS organisations: accounts, resources and commitments."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from ..builder import EstateBuilder
from ..estate import Account, Commitment, Estate, Resource, Use
from . import catalog as cat
from . import catalog_services as svc

HOURS_24 = 24.0


def accounts(b: EstateBuilder, names: list[tuple[str, str | None]]) -> list[Account]:
    """Account ids come from the account name, not the seed, so the demo's policy can name an
    account by id (legacy CUR has no account names) whatever seed is used. The RNG draw is
    kept so every other generated value stays as it was."""
    out = []
    for name, team in names:
        b.ids.aws_account()
        out.append(Account(stable_aws_account(name), name, team))
    return out


def stable_aws_account(name: str) -> str:
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return str(100_000_000_000 + digest % 900_000_000_000)


def instance(
    b: EstateBuilder,
    acct: Account,
    itype: str,
    region: str,
    name: str,
    profile: str = "always_on",
    **kw: object,
) -> list[Resource]:
    use = Use(cat.ec2_instance(itype, region), HOURS_24, profile, cap=HOURS_24)
    zone = region + "abc"[len(b.estate.resources) % 3]
    return b.add(lambda: b.ids.ec2("i"), name, acct, region, [use], zone=zone, **kw)


def volume(
    b: EstateBuilder, acct: Account, vtype: str, gb: int, region: str, name: str, **kw: object
) -> list[Resource]:
    use = Use(cat.ebs_volume(vtype, region), gb, "storage", growth=0.0)
    zone = region + "abc"[len(b.estate.resources) % 3]
    return b.add(lambda: b.ids.ec2("vol"), name, acct, region, [use], zone=zone, **kw)


def arn(service: str, region: str, acct: Account, rest: str) -> str:
    return f"arn:aws:{service}:{region}:{acct.id}:{rest}"


def bucket(
    b: EstateBuilder,
    acct: Account,
    name: str,
    region: str,
    tb: float,
    puts: float,
    ia_tb: float = 0.0,
) -> None:
    uses = [
        Use(cat.s3_storage(region), tb * 1024, "storage"),
        Use(cat.s3_requests(region), puts, "traffic"),
    ]
    if ia_tb:
        uses.append(Use(cat.s3_storage(region, infrequent=True), ia_tb * 1024, "storage"))
    b.add(lambda: f"kestrel-{name}-{b.ids.hex(6)}", name, acct, region, uses)


def lambda_fn(
    b: EstateBuilder, acct: Account, name: str, region: str, req: float, gbs: float
) -> list[Resource]:
    uses = [
        Use(svc.lambda_meter(region, True), req, "traffic"),
        Use(svc.lambda_meter(region, False), gbs, "traffic"),
    ]

    def function_arn() -> str:
        suffix = "" if b.copy == 0 else f"-{b.copy + 1}"
        return arn("lambda", region, acct, f"function:{name}{suffix}")

    return b.add(function_arn, name, acct, region, uses)


def nat(
    b: EstateBuilder, acct: Account, region: str, name: str, gb_day: float, **kw: object
) -> list[Resource]:
    """A NAT gateway: the hourly charge always, bytes processed near zero when idle."""
    uses = [
        Use(svc.nat_gateway(region, True), HOURS_24, "always_on", cap=HOURS_24),
        Use(svc.nat_gateway(region, False), gb_day, "idle" if gb_day < 0.01 else "traffic"),
    ]
    return b.add(
        lambda: arn("ec2", region, acct, f"natgateway/{b.ids.ec2('nat')}"),
        name,
        acct,
        region,
        uses,
        **kw,
    )


def savings_plan(
    b: EstateBuilder, payer: Account, hourly: str, start: date, years: int, payment: str
) -> Commitment:
    hourly_d = Decimal(hourly) * b.scale
    term_end = start.replace(year=start.year + years)
    hours = Decimal((term_end - start).days * 24)
    upfront_share = {"No Upfront": 0, "Partial Upfront": Decimal("0.5"), "All Upfront": 1}
    upfront = (hourly_d * hours * upfront_share[payment]).quantize(Decimal("0.01"))
    recurring = hourly_d - (upfront / hours if upfront else 0)
    cid = f"arn:aws:savingsplans::{payer.id}:savingsplan/{b.ids.guid()}"
    return Commitment(
        cid,
        f"{years}yr {payment} Compute Savings Plan",
        "aws_sp",
        payer,
        start,
        term_end,
        payment,
        hourly_d,
        upfront,
        recurring.quantize(Decimal("1e-8")),
        discount=Decimal("0.72"),
        attrs={"term": f"{years}yr"},
    )


def reservation(
    b: EstateBuilder,
    owner: Account,
    meter_key: str,
    od_rate: Decimal,
    units: int,
    start: date,
    years: int,
    payment: str,
    region: str,
) -> Commitment:
    units *= b.scale
    term_end = start.replace(year=start.year + years)
    hours = Decimal((term_end - start).days * 24)
    effective = (od_rate * Decimal("0.63")).quantize(Decimal("0.0001"))
    share = {"No Upfront": 0, "Partial Upfront": Decimal("0.5"), "All Upfront": 1}[payment]
    upfront = (effective * hours * share * units).quantize(Decimal("0.01"))
    recurring = (effective * (1 - share)).quantize(Decimal("0.0001"))
    hourly = upfront / units / hours + recurring
    sub_id = b.ids.digits(10)
    cid = f"arn:aws:ec2:{region}:{owner.id}:reserved-instances/{b.ids.guid()}"
    if meter_key.startswith("rds"):
        cid = f"arn:aws:rds:{region}:{owner.id}:ri:kestrel-{b.ids.hex(8)}"
    return Commitment(
        cid,
        f"{years}yr {payment} reservation",
        "aws_ri",
        owner,
        start,
        term_end,
        payment,
        hourly,
        upfront,
        recurring,
        units=units,
        attrs={"meter": meter_key, "subscription_id": sub_id},
    )


def finish(b: EstateBuilder) -> Estate:
    """AWS tag keys carry the ``user:`` prefix; CloudFormation adds ``aws:createdBy``."""
    for i, r in enumerate(b.estate.resources):
        tags = {f"user:{k}": v for k, v in r.tags.items()}
        if i % 4 == 0:
            tags["aws:createdBy"] = f"AssumedRole:AROA{b.ids.hex(8).upper()}:terraform"
        r.tags = tags
    return b.estate
