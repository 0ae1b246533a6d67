"""Kestrel's three AWS organisations, one per AWS export format.

* ``aws-cur-legacy``: the main US organisation (legacy CUR). Carries most of the planted
  waste and commitments: a partial-upfront Compute Savings Plan and an EC2 reservation
  bought in the window, gp2 volumes, previous-generation instances, an idle NAT gateway, an
  EBS snapshot billed since the first month, and a Lambda spike.
* ``aws-cur2`` and ``aws-focus``: see ``aws.estate_orgs``.
"""

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


def legacy(window: Window, seed: int, scale: int) -> Estate:
    e = Estate("aws-cur-legacy", "AWS", "", "Kestrel Commerce", "USD", [], [])
    e.attrs.update(tax_type="US Sales Tax", tax_rate="0.06", support="business", credits="MAP")
    b = EstateBuilder(e, window, seed, scale)
    payer, pay, srch, data, mob, ml, shared = e.accounts[:] = accounts(
        b,
        [
            ("kestrel-management", None),
            ("kestrel-payments-prod", "payments"),
            ("kestrel-search-prod", "search"),
            ("kestrel-data-platform-prod", "data-platform"),
            ("kestrel-mobile-prod", "mobile"),
            ("kestrel-ml-prod", "ml"),
            ("kestrel-shared-services", "platform"),
        ],
    )
    e.billing_account_id = payer.id
    n = b.n_months
    bought = b.month_start(1)
    sp = savings_plan(b, payer, "2.70", bought, 1, "Partial Upfront")
    ri_meter = cat.ec2_instance("r5.2xlarge", "us-east-1")
    ri = reservation(
        b, payer, ri_meter.key, ri_meter.rate, 2, bought, 1, "Partial Upfront", "us-east-1"
    )
    e.commitments += [sp, ri]
    east = "us-east-1"
    for i in range(3):
        instance(b, pay, "m5.xlarge", east, f"payments-api-{i + 1}", commitment=sp.id)
        volume(b, pay, "gp3", 100, east, f"payments-api-{i + 1}-root")
    rds = svc.rds_instance("db.r5.large", "MySQL", east, multi_az=True)
    b.add(
        lambda: arn("rds", east, pay, f"db:payments-ledger-{b.ids.hex(4)}"),
        "payments-ledger",
        pay,
        east,
        [
            Use(rds, HOURS_24, "always_on", cap=HOURS_24),
            Use(svc.rds_storage(east), 500, "storage", growth=0.01),
        ],
    )
    volume(b, pay, "gp2", 500, east, "payments-ledger-archive", waste="gp2_volume")
    webhooks = lambda_fn(b, pay, "payments-webhooks", east, 1.2e6, 1.8e5)
    bucket(b, pay, "payments-receipts", east, 2.0, 1.5e5)
    b.add(
        lambda: arn("kms", east, pay, f"key/{b.ids.guid()}"),
        "payments-kms",
        pay,
        east,
        [Use(svc.simple("kms", east), 3, "flat")],
    )
    for i in range(4):
        instance(b, srch, "c5.2xlarge", east, f"search-query-{i + 1}", "traffic", commitment=sp.id)
    for i in range(2):
        instance(
            b, srch, "c4.2xlarge", east, f"search-indexer-{i + 1}", waste="previous_generation"
        )
        volume(b, srch, "gp2", 300, east, f"search-indexer-{i + 1}-data", waste="gp2_volume")
    nat(b, srch, east, "search-egress-nat", 250.0)
    b.add(
        lambda: b.ids.ec2("i"),
        "search-cross-az",
        srch,
        east,
        [Use(svc.data_transfer(east, "AmazonEC2", cat.EC2, internet=False), 600, "traffic")],
    )
    old_ri_host = day_in_month(window, max(1, n - 4), 14)
    for i in range(2):
        instance(
            b,
            data,
            "r5.2xlarge",
            east,
            f"etl-worker-{i + 1}",
            commitment=ri.id,
            end=old_ri_host if i == 1 else None,
        )
    instance(b, data, "m6g.xlarge", east, "etl-worker-graviton", "always_on", start=old_ri_host)
    bucket(b, data, "data-lake", east, 40.0, 2.5e6, ia_tb=80.0)
    b.add(
        lambda: b.ids.ec2("i"),
        "athena-adhoc",
        data,
        east,
        [Use(svc.simple("athena", east), 0.8, "batch")],
    )
    snap = lambda: arn("ec2", east, data, f"snapshot/{b.ids.ec2('snap')}")  # noqa: E731
    b.add(
        snap,
        "warehouse-backup-2024",
        data,
        east,
        [Use(cat.ebs_snapshot(east), 2048, "storage", growth=0.0)],
        waste="old_snapshot",
    )
    b.add(
        snap,
        "warehouse-backup-weekly",
        data,
        east,
        [Use(cat.ebs_snapshot(east), 512, "storage", growth=0.0)],
        start=b.month_start(n // 2),
    )
    lambda_fn(b, mob, "mobile-api", east, 4.0e6, 3.5e5)
    b.add(
        lambda: arn("dynamodb", east, mob, "table/mobile-sessions"),
        "mobile-sessions",
        mob,
        east,
        [
            Use(svc.simple("ddb_read", east), 1.2e8, "traffic"),
            Use(svc.simple("ddb_write", east), 1.5e7, "traffic"),
        ],
    )
    b.add(
        lambda: f"E{b.ids.hex(13).upper()}",
        "mobile-cdn",
        mob,
        "global",
        [Use(svc.simple("cloudfront", "global"), 900, "traffic")],
    )
    bucket(b, mob, "mobile-assets", east, 3.0, 4.0e5)
    west = "us-west-2"
    for i in range(2):
        instance(b, ml, "g5.xlarge", west, f"ml-train-{i + 1}", "business")
    instance(b, ml, "t2.large", west, "ml-jupyterhub", waste="previous_generation")
    volume(b, ml, "gp3", 1024, west, "ml-scratch")
    bucket(b, ml, "ml-datasets", west, 15.0, 3.0e4)
    for i in range(2):
        b.add(
            lambda: arn("eks", east, shared, f"cluster/platform-{b.ids.hex(4)}"),
            f"platform-eks-{i + 1}",
            shared,
            east,
            [Use(svc.simple("eks", east), HOURS_24, "always_on", cap=HOURS_24)],
        )
    for i in range(6):
        instance(
            b, shared, "m5.2xlarge", east, f"platform-node-{i + 1}", "traffic", commitment=sp.id
        )
    nat(b, shared, east, "legacy-vpc-nat", 0.0008, waste="idle_nat_gateway")
    instance(b, shared, "m4.large", east, "bastion", waste="previous_generation")
    b.add(
        lambda: arn("logs", east, shared, "log-group:/platform/eks"),
        "platform-logs",
        shared,
        east,
        [
            Use(svc.simple("cw_metrics", east), 1200, "flat", growth=0.02),
            Use(svc.simple("cw_logs", east), 35, "traffic"),
        ],
    )
    spike_day = day_in_month(window, n - 2, 17)
    e.anomalies.append(
        AnomalySpec(
            "aws-lambda-spike",
            "spike",
            "service",
            "AWS Lambda",
            frozenset(r.id for r in webhooks),
            spike_day,
            spike_day + timedelta(days=1),
            14.0,
            "payments-webhooks retry storm",
        )
    )
    return finish(b)
