"""Google Cloud SKUs with their billing units and list prices (us-central1 / Americas).

``unit`` is the pricing unit; ``attrs`` holds the usage unit the export reports and the factor
from pricing units to usage units (e.g. one hour is 3600 seconds).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from ..estate import Meter

SERVICES = {
    "Compute Engine": ("6F81-5844-456A", "Compute"),
    "Kubernetes Engine": ("CCD8-9BF1-090E", "Compute"),
    "BigQuery": ("24E6-581D-38E5", "Analytics"),
    "Cloud Storage": ("95FF-2EF5-5EA1", "Storage"),
    "Cloud SQL": ("9662-B51E-5089", "Databases"),
    "Cloud Run": ("152E-C115-5142", "Compute"),
    "Cloud Logging": ("5490-F7B7-8DF6", "Management and Governance"),
    "Cloud Pub/Sub": ("A1E8-BE35-7EBC", "Integration"),
    "Networking": ("E505-1604-58F8", "Networking"),
}

GIB = 1024**3
SECONDS_PER_MONTH = 2_678_400  # Google bills "gibibyte month" as 31 days of byte-seconds

# key: (service, sku description, pricing unit, usage unit, usage units per pricing unit, price)
_SKUS: dict[str, tuple[str, str, str, str, int, str]] = {
    "n2_core": ("Compute Engine", "N2 Instance Core running in Americas", "hour", "seconds",
                3600, "0.031611"),
    "n2_ram": ("Compute Engine", "N2 Instance Ram running in Americas", "gibibyte hour",
               "byte-seconds", 3600 * GIB, "0.004237"),
    "n1_core": ("Compute Engine", "N1 Predefined Instance Core running in Americas", "hour",
                "seconds", 3600, "0.031611"),
    "n1_ram": ("Compute Engine", "N1 Predefined Instance Ram running in Americas",
               "gibibyte hour", "byte-seconds", 3600 * GIB, "0.004237"),
    "e2_core": ("Compute Engine", "E2 Instance Core running in Americas", "hour", "seconds",
                3600, "0.021811"),
    "e2_ram": ("Compute Engine", "E2 Instance Ram running in Americas", "gibibyte hour",
               "byte-seconds", 3600 * GIB, "0.002923"),
    "t4": ("Compute Engine", "Nvidia Tesla T4 GPU running in Americas", "hour", "seconds",
           3600, "0.35"),
    "pd_balanced": ("Compute Engine", "Balanced PD Capacity", "gibibyte month",
                    "byte-seconds", SECONDS_PER_MONTH * GIB, "0.10"),
    "static_ip": ("Compute Engine", "Static Ip Charge", "hour", "seconds", 3600, "0.01"),
    "egress": ("Networking", "Network Internet Data Transfer Out from Americas to Americas",
               "gibibyte", "bytes", GIB, "0.12"),
    "cud_cpu": ("Compute Engine", "Commitment v1: Cpu in Americas for 1 Year", "hour",
                "seconds", 3600, "0.019915"),
    "cud_ram": ("Compute Engine", "Commitment v1: Ram in Americas for 1 Year", "gibibyte hour",
                "byte-seconds", 3600 * GIB, "0.002669"),
    "gke_cluster": ("Kubernetes Engine", "Regional Kubernetes Clusters", "hour", "seconds",
                    3600, "0.10"),
    "bq_analysis": ("BigQuery", "Analysis", "tebibyte", "bytes", 1024 * GIB, "6.25"),
    "bq_active": ("BigQuery", "Active Logical Storage", "gibibyte month", "byte-seconds",
                  SECONDS_PER_MONTH * GIB, "0.02"),
    "bq_longterm": ("BigQuery", "Long Term Logical Storage", "gibibyte month", "byte-seconds",
                    SECONDS_PER_MONTH * GIB, "0.01"),
    "gcs_standard": ("Cloud Storage", "Standard Storage US Multi-region", "gibibyte month",
                     "byte-seconds", SECONDS_PER_MONTH * GIB, "0.026"),
    "gcs_class_a": ("Cloud Storage", "Multi-Region Standard Class A Operations", "requests",
                    "requests", 1, "0.00001"),
    "sql_cpu": ("Cloud SQL", "Cloud SQL for PostgreSQL: Regional - vCPU in Americas", "hour",
                "seconds", 3600, "0.0826"),
    "sql_ram": ("Cloud SQL", "Cloud SQL for PostgreSQL: Regional - RAM in Americas",
                "gibibyte hour", "byte-seconds", 3600 * GIB, "0.014"),
    "sql_storage": ("Cloud SQL", "Cloud SQL for PostgreSQL: Regional - Standard storage in "
                    "Americas", "gibibyte month", "byte-seconds", SECONDS_PER_MONTH * GIB,
                    "0.34"),
    "run_cpu": ("Cloud Run", "CPU Allocation Time", "vCPU-second", "vCPU-seconds", 1,
                "0.000024"),
    "run_mem": ("Cloud Run", "Memory Allocation Time", "gibibyte second", "byte-seconds", GIB,
                "0.0000025"),
    "run_requests": ("Cloud Run", "Requests", "requests", "requests", 1, "0.0000004"),
    "logging": ("Cloud Logging", "Log Storage cost", "gibibyte", "bytes", GIB, "0.50"),
    "pubsub": ("Cloud Pub/Sub", "Message Delivery Basic", "tebibyte", "bytes", 1024 * GIB,
               "40"),
}  # fmt: skip


def sku_id(key: str) -> str:
    h = hashlib.sha256(f"gcp:{key}".encode()).hexdigest()[:12].upper()
    return f"{h[0:4]}-{h[4:8]}-{h[8:12]}"


def sku(key: str) -> Meter:
    service, description, unit, usage_unit, factor, price = _SKUS[key]
    service_id, category = SERVICES[service]
    return Meter(
        key=key,
        service=service,
        category=category,
        unit=unit,
        rate=Decimal(price),
        attrs={
            "service_id": service_id,
            "sku_id": sku_id(key),
            "sku_description": description,
            "usage_unit": usage_unit,
            "factor": str(factor),
        },
    )
