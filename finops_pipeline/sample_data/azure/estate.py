"""Kestrel's three Azure billing accounts, one per Azure export flavour.

* ``azure-ea-actual``: the European EA enrollment, billed in EUR. A reservation for the
  payments VMs expires in the window and is renewed (a Purchase row); a second reservation is
  returned (a Refund row) when the search VMs it covered are decommissioned. Both are fully
  used while active. The search subscription's AKS pool collapses for three days (a drop).
  Waste: a previous-generation (Dsv3) VM, the decommissioned search VMs' OS disks left
  unattached, and an idle public IP.
* ``azure-mca-amortized``: the US MCA account in USD: a monthly-billed reservation for AKS
  nodes and a savings plan, both partly unused at weekends.
* ``azure-focus``: the Kestrel Digital MCA account, exported as FOCUS: a savings plan.
"""

from __future__ import annotations

from datetime import timedelta

from ..builder import EstateBuilder
from ..estate import AnomalySpec, Estate, Use
from ..periods import Window, day_in_month
from .catalog import meter
from .parts import H24, reservation, resource, subscriptions, vm


def ea(window: Window, seed: int, scale: int) -> Estate:
    e = Estate("azure-ea-actual", "Microsoft", "", "Kestrel Commerce Europe GmbH", "EUR", [], [])
    b = EstateBuilder(e, window, seed, scale)
    e.billing_account_id = b.ids.digits(8)
    e.attrs.update(owner="cloud-ops@kestrel-commerce.eu", account_name="Kestrel EU Cloud Ops")
    pay, srch, data, mob, plat = e.accounts[:] = subscriptions(
        b,
        [
            ("kc-payments-prod-weu", "payments"),
            ("kc-search-prod-weu", "search"),
            ("kc-data-prod-weu", "data-platform"),
            ("kc-mobile-prod-weu", "mobile"),
            ("kc-platform-shared-weu", None),
        ],
    )
    n = len(window.months)
    renew = day_in_month(window, n // 2, 6)
    weu = "westeurope"
    old = reservation(b, pay, "D4s v5", weu, 3, renew - timedelta(days=365), 1, "Upfront", "pay")
    new = reservation(b, pay, "D4s v5", weu, 3, renew, 1, "Upfront", "pay")
    refund_day = day_in_month(window, max(0, n - 4), 10)
    gone = reservation(
        b,
        srch,
        "E4s v5",
        weu,
        2,
        window.first_day - timedelta(days=100),
        3,
        "Upfront",
        "srch",
        refund_on=refund_day.isoformat(),
    )
    e.commitments += [old, new, gone]
    for i in range(3):
        vm(b, pay, f"vm-payments-api-{i + 1}", "D4s v5", weu, "always_on", commitment="pay")
        resource(
            b,
            pay,
            "Microsoft.Compute/disks",
            f"vm-payments-api-{i + 1}-osdisk",
            weu,
            [Use(meter("P10", weu, "EUR"), 1, "flat")],
        )
    resource(
        b,
        pay,
        "Microsoft.Sql/servers/sql-payments-weu/databases",
        "ledger",
        weu,
        [
            Use(meter("sql_vcore", weu, "EUR"), 8 * H24, "always_on", cap=8 * H24),
            Use(meter("sql_storage", weu, "EUR"), 500, "storage", growth=0.01),
        ],
    )
    resource(
        b,
        pay,
        "Microsoft.KeyVault/vaults",
        "kv-payments-weu",
        weu,
        [Use(meter("kv_ops", weu, "EUR"), 35, "traffic")],
    )
    for i in range(2):
        vm(
            b,
            srch,
            f"vm-search-legacy-{i + 1}",
            "E4s v5",
            weu,
            "always_on",
            commitment="srch",
            end=refund_day - timedelta(days=1),
        )
    pool = vm(b, srch, "aks-search-nodepool-vmss", "D8s v5", weu, "traffic")
    pool += vm(b, srch, "aks-search-system-vmss", "D8s v5", weu, "always_on")
    resource(
        b,
        srch,
        "Microsoft.Web/serverFarms",
        "asp-search-api",
        weu,
        [Use(meter("app_p1v3", weu, "EUR"), 2 * H24, "always_on", cap=2 * H24)],
    )
    resource(
        b,
        data,
        "Microsoft.Storage/storageAccounts",
        "stkcdatalakeweu",
        weu,
        [
            Use(meter("blob_hot", weu, "EUR"), 22000, "storage"),
            Use(meter("blob_write", weu, "EUR"), 900, "batch"),
        ],
    )
    vm(b, data, "vm-data-airflow", "D2s v3", weu, "always_on", waste="previous_generation")
    resource(
        b,
        data,
        "Microsoft.Compute/disks",
        "vm-data-airflow-data",
        weu,
        [Use(meter("P30", weu, "EUR"), 1, "flat")],
    )
    resource(
        b,
        mob,
        "Microsoft.DocumentDB/databaseAccounts",
        "cosmos-mobile-weu",
        weu,
        [Use(meter("cosmos_ru", weu, "EUR"), 40 * H24, "traffic")],
    )
    resource(
        b,
        mob,
        "Microsoft.Web/serverFarms",
        "asp-mobile-bff",
        weu,
        [Use(meter("app_p1v3", weu, "EUR"), 3 * H24, "traffic", cap=3 * H24)],
    )
    resource(
        b,
        plat,
        "Microsoft.ContainerService/managedClusters",
        "aks-platform-weu",
        weu,
        [Use(meter("aks_sla", weu, "EUR"), H24, "always_on", cap=H24)],
        team="platform",
    )
    resource(
        b,
        plat,
        "Microsoft.OperationalInsights/workspaces",
        "log-platform-weu",
        weu,
        [Use(meter("log_ingest", weu, "EUR"), 25, "traffic")],
        team="platform",
    )
    resource(
        b,
        plat,
        "Microsoft.Network/publicIPAddresses",
        "pip-platform-ingress",
        weu,
        [
            Use(meter("egress", weu, "EUR"), 150, "traffic"),
            Use(meter("public_ip", weu, "EUR"), H24, "always_on", cap=H24),
        ],
        team="platform",
    )
    resource(
        b,
        plat,
        "Microsoft.Cache/Redis",
        "redis-platform-weu",
        weu,
        [Use(meter("redis_p1", weu, "EUR"), H24, "always_on", cap=H24)],
        team="platform",
    )
    # Waste added last (noiseless profiles, so no random draw moves): the legacy search VMs'
    # OS disks outlive them, and a public IP for a VPN that was shut down stays allocated.
    for i in range(2):
        for disk in resource(
            b,
            srch,
            "Microsoft.Compute/disks",
            f"vm-search-legacy-{i + 1}-osdisk",
            weu,
            [Use(meter("P10", weu, "EUR"), 1, "flat")],
            waste="unattached_disk",
        ):
            disk.attrs["waste_from"] = b.month_start(max(0, n - 4) + 1).isoformat()
    resource(
        b,
        plat,
        "Microsoft.Network/publicIPAddresses",
        "pip-legacy-vpn",
        weu,
        [Use(meter("public_ip", weu, "EUR"), H24, "always_on", cap=H24)],
        team="platform",
        waste="idle_public_ip",
    )
    first = day_in_month(window, n - 2, 8)
    e.anomalies.append(
        AnomalySpec(
            "azure-search-aks-drop",
            "drop",
            "sub_account",
            srch.id,
            frozenset(r.id for r in pool),
            first,
            first + timedelta(days=2),
            0.15,
            "AKS autoscaler misconfiguration scaled the search pool to one node",
        )
    )
    return e
