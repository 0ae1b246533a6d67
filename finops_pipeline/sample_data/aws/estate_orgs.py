"""The EU organisation (CUR 2.0 export) and the Labs organisation (FOCUS export)."""

from __future__ import annotations

from datetime import timedelta

from ..builder import EstateBuilder
from ..estate import AnomalySpec, Estate, Use
from ..periods import Window, day_in_month
from . import catalog as cat
from . import catalog_services as svc
from .parts import (
    HOURS_24,
    accounts,
    arn,
    bucket,
    finish,
    instance,
    lambda_fn,
    nat,
    reservation,
    savings_plan,
    volume,
)


def eu(window: Window, seed: int, scale: int) -> Estate:
    e = Estate("aws-cur2", "AWS", "", "Kestrel Commerce EU", "USD", [], [])
    e.attrs.update(tax_type="VAT", tax_rate="0.21", entity="Amazon Web Services EMEA SARL")
    b = EstateBuilder(e, window, seed, scale)
    payer, pay, srch, plat, mob = e.accounts[:] = accounts(
        b,
        [
            ("kestrel-eu-management", None),
            ("kestrel-eu-payments", "payments"),
            ("kestrel-eu-search", "search"),
            ("kestrel-eu-platform", "platform"),
            ("kestrel-eu-mobile", "mobile"),
        ],
    )
    e.billing_account_id = payer.id
    sp = savings_plan(b, payer, "1.10", window.first_day - timedelta(days=420), 3, "No Upfront")
    e.commitments.append(sp)
    ie, de = "eu-west-1", "eu-central-1"
    for i in range(2):
        instance(b, pay, "m6g.xlarge", ie, f"eu-payments-api-{i + 1}", commitment=sp.id)
    rds = svc.rds_instance("db.r6g.xlarge", "PostgreSQL", ie)
    b.add(
        lambda: arn("rds", ie, pay, f"db:eu-payments-{b.ids.hex(4)}"),
        "eu-payments-db",
        pay,
        ie,
        [
            Use(rds, HOURS_24, "always_on", cap=HOURS_24),
            Use(svc.rds_storage(ie), 300, "storage", growth=0.01),
        ],
    )
    for i in range(2):
        volume(b, pay, "gp3", 80, ie, f"eu-payments-api-{i + 1}-root")
    bucket(b, pay, "eu-payments-statements", ie, 1.2, 8.0e4)
    for i in range(3):
        instance(b, srch, "c5.xlarge", ie, f"eu-search-{i + 1}", "traffic", commitment=sp.id)
    instance(b, srch, "r4.xlarge", ie, "eu-search-cache", waste="previous_generation")
    volume(b, srch, "gp2", 200, ie, "eu-search-cache-data", waste="gp2_volume")
    egress = b.add(
        lambda: b.ids.ec2("i"),
        "eu-search-egress",
        srch,
        ie,
        [Use(svc.data_transfer(ie, "AmazonEC2", cat.EC2), 60, "traffic")],
    )
    b.add(
        lambda: arn("eks", ie, plat, f"cluster/eu-platform-{b.ids.hex(4)}"),
        "eu-platform-eks",
        plat,
        ie,
        [Use(svc.simple("eks", ie), HOURS_24, "always_on", cap=HOURS_24)],
    )
    for i in range(4):
        instance(b, plat, "m5.xlarge", ie, f"eu-platform-node-{i + 1}", "traffic", commitment=sp.id)
    nat(b, plat, ie, "eu-platform-nat", 120.0)
    b.add(
        lambda: arn("logs", ie, plat, "log-group:/eu/platform"),
        "eu-platform-logs",
        plat,
        ie,
        [Use(svc.simple("cw_logs", ie), 18, "traffic")],
    )
    lambda_fn(b, mob, "eu-mobile-api", de, 1.5e6, 1.2e5)
    b.add(
        lambda: arn("dynamodb", de, mob, "table/eu-mobile-sessions"),
        "eu-mobile-sessions",
        mob,
        de,
        [
            Use(svc.simple("ddb_read", de), 4.0e7, "traffic"),
            Use(svc.simple("ddb_write", de), 5.0e6, "traffic"),
        ],
    )
    bucket(b, mob, "eu-mobile-assets", de, 1.5, 1.0e5)
    day = day_in_month(window, len(window.months) - 2, 9)
    e.anomalies.append(
        AnomalySpec(
            "aws-eu-search-egress-spike",
            "spike",
            "sub_account",
            srch.id,
            frozenset(r.id for r in egress),
            day,
            day,
            25.0,
            "search index export to a partner",
        )
    )
    return finish(b)


def labs(window: Window, seed: int, scale: int) -> Estate:
    e = Estate("aws-focus", "AWS", "", "Kestrel Labs", "USD", [], [])
    e.attrs.update(tax_type="US Sales Tax", tax_rate="0.07", support="developer")
    b = EstateBuilder(e, window, seed, scale)
    payer, ml, data, mob = e.accounts[:] = accounts(
        b,
        [
            ("kestrel-labs-management", None),
            ("kestrel-labs-ml", "ml"),
            ("kestrel-labs-data", "data-platform"),
            ("kestrel-labs-mobile", "mobile"),
        ],
    )
    e.billing_account_id = payer.id
    oh = "us-east-2"
    rds = svc.rds_instance("db.r5.large", "MySQL", oh)
    ri = reservation(
        b, payer, rds.key, rds.rate, 1, window.first_day - timedelta(days=400), 3, "All Upfront", oh
    )
    e.commitments.append(ri)
    for i in range(2):
        instance(b, ml, "g5.xlarge", oh, f"labs-train-{i + 1}", "business")
        instance(b, ml, "t2.medium", oh, f"labs-notebook-{i + 1}", waste="previous_generation")
    volume(b, ml, "gp3", 500, oh, "labs-scratch")
    bucket(b, ml, "labs-datasets", oh, 8.0, 2.0e4)
    b.add(
        lambda: arn("rds", oh, data, f"db:labs-feature-store-{b.ids.hex(4)}"),
        "labs-feature-store",
        data,
        oh,
        [
            Use(rds, HOURS_24, "always_on", cap=HOURS_24),
            Use(svc.rds_storage(oh), 200, "storage", growth=0.02),
        ],
        commitment=ri.id,
    )
    lambda_fn(b, data, "labs-ingest", oh, 3.0e5, 6.0e4)
    bucket(b, data, "labs-lake", oh, 10.0, 2.0e5)
    b.add(
        lambda: b.ids.ec2("i"),
        "labs-athena",
        data,
        oh,
        [Use(svc.simple("athena", oh), 0.15, "batch")],
    )
    lambda_fn(b, mob, "labs-beta-api", oh, 6.0e5, 4.0e4)
    b.add(
        lambda: arn("dynamodb", oh, mob, "table/labs-beta"),
        "labs-beta-table",
        mob,
        oh,
        [
            Use(svc.simple("ddb_read", oh), 1.0e7, "traffic"),
            Use(svc.simple("ddb_write", oh), 1.5e6, "traffic"),
        ],
    )
    nat(b, mob, oh, "labs-nat", 15.0)
    return finish(b)
