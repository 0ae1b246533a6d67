"""Google Cloud SKUs with their billing units and list prices (us-central1 / Americas).

``unit`` is the pricing unit; ``attrs`` holds the usage unit the export reports and the factor
from pricing units to usage units (e.g. one hour is 3600 seconds). The SKUs and services are
data: ``skus.csv`` and ``services.csv`` beside this module.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from ..estate import Meter
from ..price_tables import keyed

# service -> (service id, FOCUS service category)
SERVICES = keyed(__package__, "services.csv")

GIB = 1024**3

# key -> (service, sku description, pricing unit, usage unit, usage units per pricing unit,
#         price); the factor is written as a product of integers and GiB (`3600*GiB`); a
#         "gibibyte month" is 2678400*GiB: Google bills it as 31 days of byte-seconds.
_SKUS = keyed(__package__, "skus.csv")


def _factor(text: str) -> int:
    """`3600*GiB` -> 3865470566400: how many usage units make one pricing unit."""
    result = 1
    for part in text.split("*"):
        result *= GIB if part == "GiB" else int(part)
    return result


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
            "factor": str(_factor(factor)),
        },
    )
