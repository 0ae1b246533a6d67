"""AWS networking, serverless, database and small fixed-shape services (see ``aws.catalog``)."""

from __future__ import annotations

from decimal import Decimal

from ..estate import Meter
from ..price_tables import keyed
from .catalog import (
    EC2,
    NORMALIZATION,
    RDS_RATES,
    REGIONS,
    build_meter,
    regional_price,
    usd_text,
)


def data_transfer(region: str, code: str, service: str, internet: bool = True) -> Meter:
    rate = Decimal("0.09") if internet else Decimal("0.01")
    kind = "DataTransfer-Out-Bytes" if internet else "DataTransfer-Regional-Bytes"
    desc = (
        f"{usd_text(rate)} per GB - first 10 TB / month data transfer out beyond the global free tier"
        if internet
        else f"{usd_text(rate)} per GB - regional data transfer - in/out/between EC2 AZs or using "
        "elastic IPs or ELB"
    )
    return build_meter(
        f"dt:{kind}:{code}:{region}",
        service,
        "Networking",
        "GB",
        rate,
        region,
        code=code,
        usage_type=kind,
        operation="InterZone-In" if not internet else "RunInstances",
        family="Data Transfer",
        servicecode="AWSDataTransfer",
        servicename="AWS Data Transfer",
        description=desc,
        **{
            "product/fromLocation": REGIONS[region][1],
            "product/fromLocationType": "AWS Region",
            "product/fromRegionCode": region,
            "product/toLocation": "External" if internet else REGIONS[region][1],
            "product/toLocationType": "Other" if internet else "AWS Region",
            "product/transferType": "AWS Outbound" if internet else "IntraRegion",
        },
    )


def nat_gateway(region: str, hours: bool) -> Meter:
    rate = regional_price("0.045", region)
    kind = "NatGateway-Hours" if hours else "NatGateway-Bytes"
    desc = "per NAT Gateway Hour" if hours else "per GB Data Processed by NAT Gateways"
    return build_meter(
        f"nat:{kind}:{region}",
        EC2,
        "Networking",
        "Hrs" if hours else "GB",
        rate,
        region,
        code="AmazonEC2",
        usage_type=kind,
        operation="NatGateway",
        family="NAT Gateway",
        description=f"{usd_text(rate)} {desc}",
        **{"product/group": "NGW:NatGateway"},
    )


def lambda_meter(region: str, requests: bool) -> Meter:
    rate = Decimal("0.0000002") if requests else Decimal("0.0000166667")
    unit = "Requests" if requests else "Lambda-GB-Second"
    kind = "Request" if requests else "Lambda-GB-Second"
    desc = "AWS Lambda - Total Requests" if requests else "AWS Lambda - Total Compute"
    return build_meter(
        f"lambda:{kind}:{region}",
        "AWS Lambda",
        "Compute",
        unit,
        rate,
        region,
        code="AWSLambda",
        usage_type=kind,
        operation="Invoke",
        family="Serverless",
        description=f"{desc} - {REGIONS[region][2]}",
        **{"product/group": "AWS-Lambda-Requests" if requests else "AWS-Lambda-Duration"},
    )


def rds_instance(dbtype: str, engine: str, region: str, multi_az: bool = False) -> Meter:
    rate = regional_price(RDS_RATES[dbtype], region) * (2 if multi_az else 1)
    kind = ("Multi-AZUsage:" if multi_az else "InstanceUsage:") + dbtype
    op = {"MySQL": "CreateDBInstance:0002", "PostgreSQL": "CreateDBInstance:0014"}[engine]
    return build_meter(
        f"rds:{dbtype}:{engine}:{multi_az}:{region}",
        "Amazon Relational Database Service",
        "Databases",
        "Hrs",
        rate,
        region,
        code="AmazonRDS",
        usage_type=kind,
        operation=op,
        family="Database Instance",
        description=f"{usd_text(rate)} per RDS {dbtype} instance hour "
        f"(or partial hour) running {engine}" + (" (Multi-AZ)" if multi_az else ""),
        **{
            "product/instanceType": dbtype,
            "product/databaseEngine": engine,
            "product/deploymentOption": "Multi-AZ" if multi_az else "Single-AZ",
            "lineItem/NormalizationFactor": NORMALIZATION[dbtype.split(".")[-1]],
        },
    )


def rds_storage(region: str) -> Meter:
    rate = regional_price("0.115", region)
    return build_meter(
        f"rds:gp2:{region}",
        "Amazon Relational Database Service",
        "Databases",
        "GB-Mo",
        rate,
        region,
        code="AmazonRDS",
        usage_type="RDS:GP2-Storage",
        operation="CreateDBInstance",
        family="Database Storage",
        description=f"{usd_text(rate)} per GB-month of provisioned gp2 storage running MySQL",
        **{"product/volumeType": "General Purpose"},
    )


def simple(kind: str, region: str) -> Meter:
    """Small fixed-shape services: EKS, CloudWatch, DynamoDB, KMS, CloudFront, Athena."""
    spec = _SIMPLE[kind]
    rate = Decimal(spec[3]) if region not in REGIONS else regional_price(spec[3], region)
    return build_meter(
        f"{kind}:{region}",
        spec[0],
        spec[1],
        spec[2],
        rate,
        region,
        code=spec[4],
        usage_type=spec[5],
        operation=spec[6],
        family=spec[7],
        description=spec[8],
    )


# kind -> (service, category, unit, rate, code, usage type, operation, family, description)
_SIMPLE = keyed(__package__, "simple_services.csv")
