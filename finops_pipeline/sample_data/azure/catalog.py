"""Azure meters: category, subcategory, meter name, unit of measure and pay-as-you-go price.

Prices are USD list prices for US regions; West Europe costs ~10% more, and the EUR-billed
enrollment pays them converted at a fixed 0.93 (EA price sheets are issued in the billing
currency). ``attrs`` carries the cost-details columns the writers need.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from ..estate import Meter

REGIONS = {
    "westeurope": ("EU West", "West Europe", "WestEurope", "1.1"),
    "northeurope": ("EU North", "North Europe", "NorthEurope", "1.05"),
    "eastus": ("US East", "East US", "EastUS", "1"),
    "eastus2": ("US East 2", "East US 2", "EastUS2", "1"),
}
EUR_PER_USD = Decimal("0.93")

# key: (category, subcategory, meter name, unit, usd price, family, consumed service,
#       FOCUS service name, FOCUS service category, ARM type)
_METERS: dict[str, tuple[str, ...]] = {
    "D2s v3": ("Virtual Machines", "Dsv3 Series", "D2s v3", "1 Hour", "0.096", "Compute",
               "Microsoft.Compute", "Virtual Machines", "Compute",
               "microsoft.compute/virtualmachines"),
    "D4s v5": ("Virtual Machines", "Dsv5 Series", "D4s v5", "1 Hour", "0.192", "Compute",
               "Microsoft.Compute", "Virtual Machines", "Compute",
               "microsoft.compute/virtualmachines"),
    "D8s v5": ("Virtual Machines", "Dsv5 Series", "D8s v5", "1 Hour", "0.384", "Compute",
               "Microsoft.Compute", "Virtual Machines", "Compute",
               "microsoft.compute/virtualmachinescalesets"),
    "E4s v5": ("Virtual Machines", "Esv5 Series", "E4s v5", "1 Hour", "0.252", "Compute",
               "Microsoft.Compute", "Virtual Machines", "Compute",
               "microsoft.compute/virtualmachines"),
    "NC6s v3": ("Virtual Machines", "NCSv3 Series", "NC6s v3", "1 Hour", "3.06", "Compute",
                "Microsoft.Compute", "Virtual Machines", "Compute",
                "microsoft.compute/virtualmachines"),
    "P10": ("Storage", "Premium SSD Managed Disks", "P10 LRS Disk", "1/Month", "19.71",
            "Storage", "Microsoft.Compute", "Managed Disks", "Storage",
            "microsoft.compute/disks"),
    "P30": ("Storage", "Premium SSD Managed Disks", "P30 LRS Disk", "1/Month", "135.17",
            "Storage", "Microsoft.Compute", "Managed Disks", "Storage",
            "microsoft.compute/disks"),
    "blob_hot": ("Storage", "Tiered Block Blob", "Hot LRS Data Stored", "1 GB/Month", "0.0184",
                 "Storage", "Microsoft.Storage", "Storage Accounts", "Storage",
                 "microsoft.storage/storageaccounts"),
    "blob_write": ("Storage", "Tiered Block Blob", "Hot LRS Write Operations", "10K", "0.065",
                   "Storage", "Microsoft.Storage", "Storage Accounts", "Storage",
                   "microsoft.storage/storageaccounts"),
    "sql_vcore": ("SQL Database", "General Purpose - Compute Gen5", "vCore", "1 Hour", "0.2522",
                  "Databases", "Microsoft.Sql", "Azure SQL Database", "Databases",
                  "microsoft.sql/servers/databases"),
    "sql_storage": ("SQL Database", "General Purpose - Storage", "Data Stored", "1 GB/Month",
                    "0.115", "Databases", "Microsoft.Sql", "Azure SQL Database", "Databases",
                    "microsoft.sql/servers/databases"),
    "aks_sla": ("Azure Kubernetes Service", "Standard", "Uptime SLA", "1 Hour", "0.10",
                "Compute", "Microsoft.ContainerService", "Azure Kubernetes Service", "Compute",
                "microsoft.containerservice/managedclusters"),
    "egress": ("Bandwidth", "Rtn Preference: MGN", "Standard Data Transfer Out", "1 GB", "0.087",
               "Networking", "Microsoft.Network", "Bandwidth", "Networking",
               "microsoft.network/publicipaddresses"),
    "log_ingest": ("Log Analytics", "Analytics Logs", "Analytics Logs Data Ingestion", "1 GB",
                   "2.30", "Management and Governance", "Microsoft.OperationalInsights",
                   "Log Analytics", "Management and Governance",
                   "microsoft.operationalinsights/workspaces"),
    "cosmos_ru": ("Azure Cosmos DB", "Azure Cosmos DB", "100 RU/s", "1 Hour", "0.008",
                  "Databases", "Microsoft.DocumentDB", "Azure Cosmos DB", "Databases",
                  "microsoft.documentdb/databaseaccounts"),
    "app_p1v3": ("Azure App Service", "Premium v3 Plan - Linux", "P1 v3 App", "1 Hour", "0.124",
                 "Compute", "Microsoft.Web", "Azure App Service", "Web",
                 "microsoft.web/serverfarms"),
    "redis_p1": ("Redis Cache", "Premium", "P1 Cache Instance", "1 Hour", "0.554", "Databases",
                 "Microsoft.Cache", "Azure Cache for Redis", "Databases",
                 "microsoft.cache/redis"),
    "kv_ops": ("Key Vault", "Standard", "Operations", "10K", "0.03", "Security",
               "Microsoft.KeyVault", "Key Vault", "Security", "microsoft.keyvault/vaults"),
    "public_ip": ("Virtual Network", "IP Addresses", "Standard IPv4 Static Public IP", "1 Hour",
                  "0.005", "Networking", "Microsoft.Network", "Virtual Network", "Networking",
                  "microsoft.network/publicipaddresses"),
}  # fmt: skip


def meter_guid(key: str, region: str) -> str:
    digest = hashlib.sha256(f"azure:{key}:{region}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def meter(key: str, region: str, currency: str = "USD") -> Meter:
    cat, sub, name, unit, usd, family, consumed, service, category, arm = _METERS[key]
    meter_region, display, _, mult = REGIONS[region]
    price = Decimal(usd) * Decimal(mult)
    if currency == "EUR":
        price *= EUR_PER_USD
    price = price.quantize(Decimal("0.000001")).normalize()
    region_label = "" if cat in ("Bandwidth", "Log Analytics") else f" - {meter_region}"
    product = f"{cat} {sub} - {name}{region_label}"
    if cat == "Virtual Machines":
        product = f"Virtual Machines {sub} - {name} - {meter_region}"
    part = hashlib.sha256(f"{key}:{region}".encode()).hexdigest()[:8].upper()
    return Meter(
        key=f"{key}:{region}",
        service=service,
        category=category,
        unit=unit,
        rate=price,
        attrs={
            "MeterCategory": cat,
            "MeterSubCategory": sub,
            "MeterName": name,
            "MeterRegion": "Zone 1" if cat == "Bandwidth" else meter_region,
            "MeterId": meter_guid(key, region),
            "ProductName": product,
            "UnitOfMeasure": unit,
            "ServiceFamily": family,
            "ConsumedService": consumed,
            "ResourceType": arm,
            "PartNumber": f"{part[:3]}-{part[3:8]}",
            "RegionName": display,
            "vm_size": f"Standard_{name.replace(' ', '_')}" if cat == "Virtual Machines" else "",
        },
    )
