"""Kestrel's two US Azure accounts: MCA amortized cost details and the FOCUS export."""

from __future__ import annotations

from datetime import timedelta

from ..builder import EstateBuilder
from ..estate import Estate, Use
from ..periods import Window
from .catalog import meter
from .parts import H24, mca_id, reservation, resource, savings_plan, subscriptions, vm


def mca(window: Window, seed: int, scale: int) -> Estate:
    e = Estate("azure-mca-amortized", "Microsoft", "", "Kestrel Commerce Inc.", "USD", [], [])
    b = EstateBuilder(e, window, seed, scale)
    e.billing_account_id = f"{b.ids.guid()}:{b.ids.guid()}_2019-05-31"
    e.attrs.update(profile=mca_id(b), profile_name="Kestrel US", section=mca_id(b))
    pay, ml, plat = e.accounts[:] = subscriptions(
        b, [("kc-us-payments", "payments"), ("kc-us-ml", "ml"), ("kc-us-platform", None)]
    )
    east = "eastus"
    ri = reservation(
        b, plat, "D8s v5", east, 4, window.first_day - timedelta(days=90), 3, "Monthly", "aks"
    )
    sp = savings_plan(b, pay, "0.33", window.first_day - timedelta(days=45), 3, "us-sp")
    e.commitments += [ri, sp]
    for i in range(3):
        vm(b, pay, f"vm-us-payments-{i + 1}", "D4s v5", east, "traffic", commitment="us-sp")
    resource(
        b,
        pay,
        "Microsoft.Sql/servers/sql-us-payments/databases",
        "orders",
        east,
        [
            Use(meter("sql_vcore", east), 4 * H24, "always_on", cap=4 * H24),
            Use(meter("sql_storage", east), 250, "storage"),
        ],
    )
    resource(
        b,
        pay,
        "Microsoft.Cache/Redis",
        "redis-us-payments",
        east,
        [Use(meter("redis_p1", east), H24, "always_on", cap=H24)],
    )
    for i in range(2):
        vm(b, ml, f"vm-ml-gpu-{i + 1}", "NC6s v3", east, "business")
    resource(
        b,
        ml,
        "Microsoft.Storage/storageAccounts",
        "stkcmlus",
        east,
        [Use(meter("blob_hot", east), 30000, "storage")],
    )
    for i in range(4):
        vm(
            b,
            plat,
            f"aks-us-platform-{i + 1}-vmss",
            "D8s v5",
            east,
            "traffic",
            commitment="aks",
            team="platform",
        )
    resource(
        b,
        plat,
        "Microsoft.OperationalInsights/workspaces",
        "log-us-platform",
        east,
        [Use(meter("log_ingest", east), 14, "traffic")],
        team="platform",
    )
    resource(
        b,
        plat,
        "Microsoft.Network/publicIPAddresses",
        "pip-us-ingress",
        east,
        [Use(meter("egress", east), 220, "traffic")],
        team="platform",
    )
    return e


def digital(window: Window, seed: int, scale: int) -> Estate:
    e = Estate("azure-focus", "Microsoft", "", "Kestrel Digital", "USD", [], [])
    b = EstateBuilder(e, window, seed, scale)
    e.billing_account_id = f"{b.ids.guid()}:{b.ids.guid()}_2021-02-01"
    e.attrs.update(profile=mca_id(b), profile_name="Kestrel Digital", section=mca_id(b))
    e.attrs["focus_billing_account_id"] = (
        f"/providers/Microsoft.Billing/billingAccounts/{e.billing_account_id}/"
        f"billingProfiles/{e.attrs['profile']}"
    )
    web, srch, data = e.accounts[:] = subscriptions(
        b,
        [
            ("kd-web-prod", "mobile"),
            ("kd-search-prod", "search"),
            ("kd-data-prod", "data-platform"),
        ],
    )
    e2 = "eastus2"
    sp = savings_plan(b, web, "0.45", window.first_day - timedelta(days=200), 1, "kd-sp")
    renewal = savings_plan(b, web, "0.45", sp.end, 1, "kd-sp")
    e.commitments += [sp, renewal]
    for i in range(4):
        vm(b, web, f"vm-kd-web-{i + 1}", "D4s v5", e2, "traffic", commitment="kd-sp")
    resource(
        b,
        web,
        "Microsoft.Web/serverFarms",
        "asp-kd-web",
        e2,
        [Use(meter("app_p1v3", e2), 2 * H24, "traffic", cap=2 * H24)],
    )
    resource(
        b,
        web,
        "Microsoft.DocumentDB/databaseAccounts",
        "cosmos-kd-web",
        e2,
        [Use(meter("cosmos_ru", e2), 20 * H24, "traffic")],
    )
    vm(b, srch, "vm-kd-search-1", "E4s v5", e2, "always_on")
    resource(
        b,
        srch,
        "Microsoft.Network/publicIPAddresses",
        "pip-kd-search",
        e2,
        [Use(meter("egress", e2), 90, "traffic")],
    )
    resource(
        b,
        data,
        "Microsoft.Sql/servers/sql-kd-data/databases",
        "analytics",
        e2,
        [
            Use(meter("sql_vcore", e2), 4 * H24, "business", cap=4 * H24),
            Use(meter("sql_storage", e2), 300, "storage"),
        ],
    )
    resource(
        b,
        data,
        "Microsoft.Storage/storageAccounts",
        "stkddata",
        e2,
        [Use(meter("blob_hot", e2), 9000, "storage")],
    )
    resource(
        b,
        data,
        "Microsoft.OperationalInsights/workspaces",
        "log-kd",
        e2,
        [Use(meter("log_ingest", e2), 6, "traffic")],
    )
    return e
