"""Azure meters: category, subcategory, meter name, unit of measure and pay-as-you-go price.

Prices are USD list prices for US regions; West Europe costs ~10% more, and the EUR-billed
enrollment pays them converted at a fixed 0.93 (EA price sheets are issued in the billing
currency). ``attrs`` carries the cost-details columns the writers need. The meters and
regions are data: ``meters.csv`` and ``regions.csv`` beside this module.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from ..estate import Meter
from ..price_tables import keyed

# region -> (meter region, display name, ARM name, price multiplier)
REGIONS = keyed(__package__, "regions.csv")
EUR_PER_USD = Decimal("0.93")

# key -> (category, subcategory, meter name, unit, usd price, family, consumed service,
#         FOCUS service name, FOCUS service category, ARM type)
_METERS = keyed(__package__, "meters.csv")


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
