"""AWS price list excerpts: usage types, operations, product attributes and public rates.

Rates are public on-demand US East prices (Linux, shared tenancy), scaled per region. Meter
attributes are keyed by their legacy CUR column name; the CUR 2.0 and FOCUS writers derive
their own spellings from these.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from ..estate import Meter

# region -> (usage type prefix, product/location, description location, price multiplier)
REGIONS: dict[str, tuple[str, str, str, str]] = {
    "us-east-1": ("", "US East (N. Virginia)", "US East (Northern Virginia)", "1"),
    "us-east-2": ("USE2-", "US East (Ohio)", "US East (Ohio)", "1"),
    "us-west-2": ("USW2-", "US West (Oregon)", "US West (Oregon)", "1"),
    "eu-west-1": ("EU-", "EU (Ireland)", "EU (Ireland)", "1.115"),
    "eu-central-1": ("EUC1-", "EU (Frankfurt)", "EU (Frankfurt)", "1.19"),
}

EC2_RATES = {
    "t3.medium": "0.0416", "t3.large": "0.0832", "m5.large": "0.096", "m5.xlarge": "0.192",
    "m5.2xlarge": "0.384", "c5.xlarge": "0.17", "c5.2xlarge": "0.34", "r5.xlarge": "0.252",
    "r5.2xlarge": "0.504", "m6g.xlarge": "0.154", "c6g.2xlarge": "0.272", "g5.xlarge": "1.006",
    # previous generation families, still running in most estates
    "t2.medium": "0.0464", "t2.large": "0.0928", "m4.large": "0.10", "m4.xlarge": "0.20",
    "c4.xlarge": "0.199", "c4.2xlarge": "0.398", "r4.xlarge": "0.266", "r4.2xlarge": "0.532",
}  # fmt: skip
PREVIOUS_GENERATION = ("t2", "m4", "c4", "r4")
NORMALIZATION = {"medium": "2", "large": "4", "xlarge": "8", "2xlarge": "16"}
RDS_RATES = {"db.r5.large": "0.25", "db.r6g.xlarge": "0.41", "db.t3.medium": "0.068"}
EBS_RATES = {"gp2": "0.10", "gp3": "0.08", "io1": "0.125", "st1": "0.045"}
EBS_NAMES = {
    "gp2": "General Purpose SSD (gp2)", "gp3": "General Purpose SSD (gp3)",
    "io1": "Provisioned IOPS SSD (io1)", "st1": "Throughput Optimized HDD (st1)",
}  # fmt: skip

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
