"""Kestrel's Google Cloud billing account: one project per team plus a shared platform project.

Planted here: a resource-based committed use discount on the search project's N2 VMs (its
commitment fee shows as its own SKU, usage gets COMMITTED_USAGE_DISCOUNT credits), sustained
use discounts on the ML project's N1 GPU VMs, a startup-programme promotion on the mobile
project, and a lasting BigQuery level shift in the data-platform team.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ..builder import EstateBuilder
from ..estate import Account, AnomalySpec, Commitment, Estate, Resource, Use
from ..periods import Window, day_in_month
from .catalog import sku

GIB = 1.0  # quantities are in pricing units; storage in GiB-month, memory in GiB-hours

PROJECTS = [
    ("kestrel-payments-prod", "payments-prod", "payments"),
    ("kestrel-search-prod", "search-prod", "search"),
    ("kestrel-data-platform", "data-platform", "data-platform"),
    ("kestrel-mobile-backend", "mobile-backend", "mobile"),
    ("kestrel-ml-training", "ml-training", "ml"),
    ("kestrel-platform-shared", "platform-shared", None),
]


def _vm(
    b: EstateBuilder,
    project: Account,
    name: str,
    family: str,
    vcpus: int,
    gib: int,
    profile: str,
    zone: str,
    gpu: bool = False,
    **kw: object,
) -> list[Resource]:
    cap_cpu, cap_ram = vcpus * 24.0, gib * 24.0
    uses = [
        Use(sku(f"{family}_core"), cap_cpu, profile, cap=cap_cpu),
        Use(sku(f"{family}_ram"), cap_ram, profile, cap=cap_ram),
    ]
    if gpu:
        uses.append(Use(sku("t4"), 24.0, profile, cap=24.0))
    machine = f"{family}-standard-{vcpus}"
    made = b.add(lambda: b.ids.digits(19), name, project, zone[:-2], uses, zone=zone, **kw)
    for r in made:
        r.attrs.update(
            machine_spec=machine,
            cores=str(vcpus),
            memory=str(gib * 1024),
            kind="compute.googleapis.com/Instance",
        )
    return made


def _svc(
    b: EstateBuilder,
    project: Account,
    name: str,
    region: str,
    uses: list[Use],
    tags: dict | None = None,
    **kw: object,
) -> list[Resource]:
    return b.add(lambda: f"{name}-{b.ids.hex(6)}", name, project, region, uses, tags=tags, **kw)


def build(window: Window, seed: int, scale: int) -> Estate:
    e = Estate("gcp-billing", "Google Cloud", "", "Kestrel Commerce - Google Cloud", "USD", [], [])
    b = EstateBuilder(e, window, seed, scale)
    b.lowercase_tags = True
    e.billing_account_id = b.ids.gcp_billing_account()
    org, folder = b.ids.digits(12), b.ids.digits(12)
    for pid, name, team in PROJECTS:
        e.accounts.append(
            Account(
                pid,
                name,
                team,
                attrs={
                    "number": b.ids.digits(12),
                    "ancestry": f"/{org}/{folder}/",
                    "org": org,
                    "folder": folder,
                },
            )
        )
    pay, srch, data, mob, ml, plat = e.accounts
    central, zone = "us-central1", "us-central1-a"
    run = [
        Use(sku("run_cpu"), 2.6e5, "traffic"),
        Use(sku("run_mem"), 5.2e5, "traffic"),
        Use(sku("run_requests"), 3.0e6, "traffic"),
    ]
    _svc(b, pay, "payments-api", central, run)
    _svc(
        b,
        pay,
        "payments-db",
        central,
        [
            Use(sku("sql_cpu"), 8 * 24.0, "always_on", cap=192.0),
            Use(sku("sql_ram"), 32 * 24.0, "always_on", cap=768.0),
            Use(sku("sql_storage"), 400 * GIB, "storage", growth=0.015),
        ],
    )
    _svc(
        b,
        pay,
        "kestrel-payments-exports",
        "us",
        [
            Use(sku("gcs_standard"), 1800 * GIB, "storage"),
            Use(sku("gcs_class_a"), 2.0e5, "traffic"),
        ],
    )
    term_start = window.first_day - timedelta(days=120)
    cud = Commitment(
        f"projects/{srch.id}/regions/{central}/commitments/search-n2-cud-{b.ids.hex(4)}",
        "search-n2-cud",
        "gcp_cud",
        srch,
        term_start,
        term_start + timedelta(days=3 * 365),
        "Monthly",
        Decimal(0),
        Decimal(0),
        Decimal(0),
        units=24 * scale,
        attrs={"ram_gib": str(96 * scale)},
    )
    e.commitments.append(cud)
    for i in range(3):
        _vm(
            b,
            srch,
            f"search-node-{i + 1}",
            "n2",
            8,
            32,
            "traffic" if i == 2 else "always_on",
            zone,
            commitment=cud.id,
        )
        _svc(
            b,
            srch,
            f"search-node-{i + 1}-pd",
            central,
            [Use(sku("pd_balanced"), 500 * GIB, "storage", growth=0.0)],
        )
    _svc(b, srch, "search-egress", central, [Use(sku("egress"), 180.0, "traffic")])
    data_tags = {"team": "data-platform", "env": "prod", "app": "warehouse"}
    bq = _svc(b, data, "bq-analysis", "US", [Use(sku("bq_analysis"), 5.5, "batch")], tags=data_tags)
    _svc(
        b,
        data,
        "bq-storage",
        "US",
        [
            Use(sku("bq_active"), 30 * 1024 * GIB, "storage"),
            Use(sku("bq_longterm"), 80 * 1024 * GIB, "storage", growth=0.02),
        ],
        tags={"team": "data_platform", "env": "prod"},
    )
    _svc(
        b,
        data,
        "events-ingest",
        central,
        [Use(sku("pubsub"), 0.6, "traffic")],
        tags={"owner-team": "data-platform", "env": "prod"},
    )
    _svc(
        b,
        data,
        "kestrel-data-lake",
        "us",
        [Use(sku("gcs_standard"), 60 * 1024 * GIB, "storage")],
        tags={"team": "dataplatform"},
    )
    promo = _svc(
        b,
        mob,
        "mobile-api",
        central,
        [
            Use(sku("run_cpu"), 4.0e5, "traffic"),
            Use(sku("run_mem"), 8.0e5, "traffic"),
            Use(sku("run_requests"), 6.0e6, "traffic"),
        ],
    )
    _svc(
        b,
        mob,
        "kestrel-mobile-media",
        "us",
        [
            Use(sku("gcs_standard"), 4 * 1024 * GIB, "storage"),
            Use(sku("gcs_class_a"), 6.0e5, "traffic"),
        ],
    )
    for i in range(2):
        _vm(
            b,
            ml,
            f"ml-trainer-{i + 1}",
            "n1",
            8,
            30,
            "business",
            "us-central1-b",
            gpu=True,
            waste="previous_generation",
        )
    _svc(b, ml, "kestrel-ml-datasets", "us", [Use(sku("gcs_standard"), 12 * 1024 * GIB, "storage")])
    for i in range(2):
        _svc(
            b,
            plat,
            f"gke-platform-{i + 1}",
            central,
            [Use(sku("gke_cluster"), 24.0, "always_on", cap=24.0)],
            team="platform",
        )
    for i in range(4):
        _vm(b, plat, f"gke-platform-pool-{i + 1}", "e2", 8, 32, "traffic", zone, team="platform")
        _svc(
            b,
            plat,
            f"gke-platform-pool-{i + 1}-pd",
            central,
            [Use(sku("pd_balanced"), 100 * GIB, "storage", growth=0.0)],
            team="platform",
        )
    _svc(
        b, plat, "platform-logs", "global", [Use(sku("logging"), 22.0, "traffic")], team="platform"
    )
    e.attrs["promotion_resources"] = ",".join(r.id for r in promo)
    n = len(window.months)
    _plant_waste(b, data, plat, n, window)
    shift = day_in_month(window, n - 2, 20)
    e.anomalies.append(
        AnomalySpec(
            "gcp-bigquery-level-shift",
            "level_shift",
            "team",
            "data-platform",
            frozenset(r.id for r in bq),
            shift,
            None,
            3.0,
            "new dbt models scan full tables every run",
        )
    )
    return e


def _plant_waste(b: EstateBuilder, data: Account, plat: Account, n: int, window: Window) -> None:
    """A VM deleted four months before the end whose persistent disk stays behind, and a
    reserved static IP nothing uses. Added last: earlier resources keep their ids and noise
    (both are noiseless profiles, so no random draw moves)."""
    gone = day_in_month(window, max(0, n - 4), 10)
    _vm(b, data, "batch-runner-1", "e2", 4, 16, "always_on", "us-central1-a", end=gone)
    for disk in _svc(
        b,
        data,
        "batch-runner-1-pd",
        "us-central1",
        [Use(sku("pd_balanced"), 200 * GIB, "storage", growth=0.0)],
        waste="unattached_disk",
    ):
        disk.attrs["waste_from"] = b.month_start(max(0, n - 4) + 1).isoformat()
    _svc(
        b,
        plat,
        "legacy-vpn-ip",
        "us-central1",
        [Use(sku("static_ip"), 24.0, "always_on", cap=24.0)],
        team="platform",
        waste="idle_public_ip",
    )
