"""AWS price list excerpts: usage types, operations, product attributes and public rates.

Rates are public on-demand US East prices (Linux, shared tenancy), scaled per region. Meter
attributes are keyed by their legacy CUR column name; the CUR 2.0 and FOCUS writers derive
their own spellings from these. The tables are data beside this module: ``regions.csv``,
``ec2_rates.csv``, ``rds_rates.csv``, ``ebs_volumes.csv`` (and ``simple_services.csv``, read by
``catalog_services``).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from ..estate import Meter
from ..price_tables import keyed

# region -> (usage type prefix, product/location, description location, price multiplier)
REGIONS = keyed(__package__, "regions.csv")

# instance type -> public on-demand Linux USD per hour, us-east-1
EC2_RATES = {t: rate for t, (rate,) in keyed(__package__, "ec2_rates.csv").items()}
PREVIOUS_GENERATION = ("t2", "m4", "c4", "r4")
NORMALIZATION = {"medium": "2", "large": "4", "xlarge": "8", "2xlarge": "16"}
RDS_RATES = {t: rate for t, (rate,) in keyed(__package__, "rds_rates.csv").items()}
_EBS = keyed(__package__, "ebs_volumes.csv")  # volume type -> (USD per GB-month, name)
EBS_RATES = {vtype: rate for vtype, (rate, _name) in _EBS.items()}
EBS_NAMES = {vtype: name for vtype, (_rate, name) in _EBS.items()}

EC2 = "Amazon Elastic Compute Cloud"


def _sku(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return "".join(alphabet[b % 32] for b in digest[:16])


def regional_price(base: str, region: str) -> Decimal:
    return (Decimal(base) * Decimal(REGIONS[region][3])).quantize(Decimal("0.0001")).normalize()


def usd_text(rate: Decimal) -> str:
    text = format(rate.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def build_meter(
    key: str, service: str, category: str, unit: str, rate: Decimal, region: str, **attrs: str
) -> Meter:
    prefix, location, _, _ = REGIONS.get(region, ("", "Global", "Global", "1"))
    sku = _sku(key)
    usage_type = attrs.pop("usage_type")
    full_type = usage_type if usage_type.startswith(("US-", "Global")) else prefix + usage_type
    columns = {
        "lineItem/ProductCode": attrs.pop("code"),
        "lineItem/UsageType": full_type,
        "lineItem/Operation": attrs.pop("operation"),
        "lineItem/LineItemDescription": attrs.pop("description"),
        "product/ProductName": service,
        "product/productFamily": attrs.pop("family"),
        "product/servicecode": attrs.pop("servicecode", ""),
        "product/servicename": attrs.pop("servicename", service),
        "product/usagetype": full_type,
        "product/sku": sku,
        "product/location": location,
        "product/locationType": "AWS Region" if region in REGIONS else "Other",
        "product/region": region if region in REGIONS else "",
        "product/regionCode": region if region in REGIONS else "",
        "pricing/unit": unit,
        "pricing/RateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7",
        "pricing/RateId": str(int(hashlib.sha256(key.encode()).hexdigest()[:9], 16)),
    }
    columns["product/servicecode"] = (
        columns["product/servicecode"] or columns["lineItem/ProductCode"]
    )
    columns.update({k: v for k, v in attrs.items() if v})
    return Meter(key=key, service=service, category=category, unit=unit, rate=rate, attrs=columns)


def ec2_instance(itype: str, region: str) -> Meter:
    rate = regional_price(EC2_RATES[itype], region)
    family, size = itype.split(".")
    return build_meter(
        f"ec2:{itype}:{region}",
        EC2,
        "Compute",
        "Hrs",
        rate,
        region,
        code="AmazonEC2",
        usage_type=f"BoxUsage:{itype}",
        operation="RunInstances",
        family="Compute Instance",
        description=f"{usd_text(rate)} per On Demand Linux {itype} Instance Hour",
        **{
            "product/instanceType": itype,
            "product/instanceFamily": _family_name(family),
            "product/operatingSystem": "Linux",
            "product/tenancy": "Shared",
            "product/currentGeneration": "No" if family in PREVIOUS_GENERATION else "Yes",
            "lineItem/NormalizationFactor": NORMALIZATION[size],
        },
    )


def _family_name(family: str) -> str:
    kind = {"t": "General purpose", "m": "General purpose", "c": "Compute optimized"}
    return {"r": "Memory optimized", "g": "GPU instance"}.get(family[0], kind.get(family[0], ""))


def ebs_volume(vtype: str, region: str) -> Meter:
    rate = regional_price(EBS_RATES[vtype], region)
    desc = f"{usd_text(rate)} per GB-month of {EBS_NAMES[vtype]} provisioned storage"
    return build_meter(
        f"ebs:{vtype}:{region}",
        EC2,
        "Storage",
        "GB-Mo",
        rate,
        region,
        code="AmazonEC2",
        usage_type=f"EBS:VolumeUsage.{vtype}",
        operation="CreateVolume-Gp2" if vtype == "gp2" else f"CreateVolume-{vtype.capitalize()}",
        family="Storage",
        description=f"{desc} - {REGIONS[region][2]}",
        **{
            "product/volumeApiName": vtype,
            "product/volumeType": EBS_NAMES[vtype].split(" (")[0],
            "product/storageMedia": "SSD-backed" if vtype != "st1" else "HDD-backed",
        },
    )


def ebs_snapshot(region: str) -> Meter:
    rate = regional_price("0.05", region)
    return build_meter(
        f"ebs:snapshot:{region}",
        EC2,
        "Storage",
        "GB-Mo",
        rate,
        region,
        code="AmazonEC2",
        usage_type="EBS:SnapshotUsage",
        operation="CreateSnapshot",
        family="Storage Snapshot",
        description=f"{usd_text(rate)} per GB-Month of snapshot data stored - {REGIONS[region][2]}",
        **{"product/storageMedia": "Amazon S3"},
    )


def s3_storage(region: str, infrequent: bool = False) -> Meter:
    rate = regional_price("0.0125" if infrequent else "0.023", region)
    kind = "SIA-ByteHrs" if infrequent else "ByteHrs"
    cls = "Standard - Infrequent Access" if infrequent else "General Purpose"
    return build_meter(
        f"s3:{kind}:{region}",
        "Amazon Simple Storage Service",
        "Storage",
        "GB-Mo",
        rate,
        region,
        code="AmazonS3",
        usage_type=f"TimedStorage-{kind}",
        operation="StandardStorage" if not infrequent else "StandardIAStorage",
        family="Storage",
        description=f"{usd_text(rate)} per GB - first 50 TB / month of storage used"
        if not infrequent
        else f"{usd_text(rate)} per GB-Month of storage used in Standard-IA",
        **{
            "product/storageClass": cls,
            "product/volumeType": "Standard" if not infrequent else "Standard - Infrequent Access",
        },
    )


def s3_requests(region: str) -> Meter:
    rate = regional_price("0.000005", region)
    return build_meter(
        f"s3:tier1:{region}",
        "Amazon Simple Storage Service",
        "Storage",
        "Requests",
        rate,
        region,
        code="AmazonS3",
        usage_type="Requests-Tier1",
        operation="PutObject",
        family="API Request",
        description="$0.005 per 1,000 PUT, COPY, POST, or LIST requests",
        **{"product/group": "S3-API-Tier1"},
    )
