"""FOCUS rules applied to every source, each on a tiny export through the real ingest.

Units in the FOCUS Unit Format (mappings/pricing_units.csv), RegionName from the region code
(mappings/regions.csv), InvoiceIssuerName vs ProviderName (mappings/provider_entities.csv),
InvoiceId from the export, Tax rows without pricing quantity, ResourceType only where there
is a resource, ServiceName never null, FOCUS 1.3 provider columns, AWS split cost allocation
and FOCUS 1.3 files.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.mappings import __file__ as mappings_init
from finops_pipeline.refresh import ingest_and_refresh

MAPPINGS = Path(mappings_init).parent

CUR_BASE = {
    "identity/LineItemId": "id",
    "bill/PayerAccountId": "111111111111",
    "bill/BillingPeriodStartDate": "2024-05-01T00:00:00Z",
    "bill/InvoiceId": "EUINGB24-123456",
    "bill/InvoicingEntity": "Amazon Web Services EMEA SARL",
    "bill/BillingEntity": "AWS",
    "lineItem/UsageAccountId": "222222222222",
    "lineItem/LineItemType": "Usage",
    "lineItem/UsageStartDate": "2024-05-03T00:00:00Z",
    "lineItem/UsageEndDate": "2024-05-03T01:00:00Z",
    "lineItem/ProductCode": "AmazonEC2",
    "lineItem/UsageType": "BoxUsage:m5.large",
    "lineItem/Operation": "RunInstances",
    "lineItem/ResourceId": "i-0abc",
    "lineItem/UsageAmount": "1",
    "lineItem/CurrencyCode": "USD",
    "lineItem/UnblendedCost": "0.096",
    "lineItem/LegalEntity": "Amazon Web Services EMEA SARL",
    "pricing/publicOnDemandCost": "0.096",
    "pricing/unit": "Hrs",
    "product/ProductName": "Amazon Elastic Compute Cloud",
    "product/productFamily": "Compute Instance",
    "product/regionCode": "us-east-1",
    "product/location": "US East (N. Virginia)",
    "splitLineItem/ParentResourceId": "",
    "splitLineItem/SplitUsage": "",
    "splitLineItem/SplitUsageRatio": "",
    "splitLineItem/SplitCost": "",
    "splitLineItem/UnusedCost": "",
}


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _cur(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, *changes: dict) -> None:
    rows = [{**CUR_BASE, "identity/LineItemId": f"id{i}", **c} for i, c in enumerate(changes)]
    report = ingest_and_refresh(warehouse, _write_csv(tmp_path / "cur.csv", rows), "aws")
    assert report.files[0].status == "loaded", report.files[0].reason


def _one(con: duckdb.DuckDBPyConnection, columns: str, where: str = "true") -> tuple:
    rows = con.execute(f"select {columns} from focus_costs where {where}").fetchall()
    assert len(rows) == 1, rows
    return rows[0]


# The FOCUS Unit Format (spec attribute UnitFormat): a data size or count unit, alone, with a
# plural time unit after '-', a singular one after '/', or preceded by a block quantity.
_SIZE = "b|Kb|Mb|Gb|Tb|Pb|Eb|B|KB|MB|GB|TB|PB|EB|Kib|Mib|Gib|Tib|Pib|Eib|KiB|MiB|GiB|TiB|PiB|EiB"
_TIME1 = "Year|Month|Day|Hour|Minute|Second"
_TIME = "Years|Months|Days|Hours|Minutes|Seconds"
_COUNT = r"[A-Za-z][A-Za-z0-9]*(?:\s+[A-Za-z][A-Za-z0-9]*)*"
UNIT_FORMAT = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            rf"^(?:{_SIZE}|{_TIME1}|{_TIME}|{_COUNT})$",
            rf"^(?:{_SIZE}|{_COUNT})-(?:{_TIME})$",
            rf"^(?:{_SIZE}|{_COUNT}|{_TIME})/(?:{_TIME1})$",
            rf"^[0-9]+ (?:{_SIZE}|{_TIME1}|{_TIME}|{_COUNT})$",
        )
    )
)


def test_every_mapped_unit_is_in_the_focus_unit_format() -> None:
    rows = list(csv.DictReader((MAPPINGS / "pricing_units.csv").open(encoding="utf-8")))
    assert len(rows) > 50
    bad = [r for r in rows if not UNIT_FORMAT.match(r["focus_unit"])]
    assert bad == []
    keys = [(r["provider"], r["unit"]) for r in rows]
    assert len(keys) == len(set(keys)), "a provider unit is mapped twice"


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("Hrs", "Hours"),
        ("GB-Mo", "GB-Months"),
        ("Lambda-GB-Second", "GB-Seconds"),
        ("Requests", "Requests"),
    ],
)
def test_aws_units_become_focus_units(warehouse, tmp_path: Path, unit: str, expected: str) -> None:
    _cur(warehouse, tmp_path, {"pricing/unit": unit})
    assert _one(warehouse, "PricingUnit, ConsumedUnit") == (expected, expected)


def test_tax_has_no_pricing_quantity_and_lists_the_public_price_tax(warehouse, tmp_path) -> None:
    _cur(
        warehouse,
        tmp_path,
        {"lineItem/LineItemType": "Usage"},
        {
            "lineItem/LineItemType": "Tax",
            "lineItem/ResourceId": "",
            "lineItem/UnblendedCost": "0.90",
            "pricing/publicOnDemandCost": "1.10",
            "pricing/unit": "",
            "product/productFamily": "",
        },
    )
    quantity, unit, listed, billed = _one(
        warehouse, "PricingQuantity, PricingUnit, ListCost, BilledCost", "ChargeCategory = 'Tax'"
    )
    assert (quantity, unit) == (None, None)
    assert (listed, billed) == (Decimal("1.10"), Decimal("0.90"))


def test_resource_type_only_where_a_resource_is_named(warehouse, tmp_path) -> None:
    _cur(
        warehouse,
        tmp_path,
        {"lineItem/ResourceId": "i-0abc", "product/productFamily": "Compute Instance"},
        {"lineItem/ResourceId": "", "product/productFamily": "API Request"},
    )
    types = dict(warehouse.execute("select ResourceId, ResourceType from focus_costs").fetchall())
    assert types == {"i-0abc": "Compute Instance", None: None}


def test_region_name_comes_from_the_region_code(warehouse, tmp_path) -> None:
    # data transfer rows name a location ("External"), not the region; the code does
    _cur(warehouse, tmp_path, {"product/regionCode": "eu-west-1", "product/location": "External"})
    assert _one(warehouse, "RegionId, RegionName") == ("eu-west-1", "EU (Ireland)")


def test_invoice_fields(warehouse, tmp_path) -> None:
    _cur(warehouse, tmp_path, {})
    row = _one(warehouse, "InvoiceId, ProviderName, InvoiceIssuerName, x_InvoiceIssuerEntity")
    assert row == ("EUINGB24-123456", "AWS", "AWS", "Amazon Web Services EMEA SARL")


def test_marketplace_seller_is_the_service_provider(warehouse, tmp_path) -> None:
    _cur(
        warehouse,
        tmp_path,
        {"identity/LineItemId": "direct"},
        {
            "bill/BillingEntity": "AWS Marketplace",
            "lineItem/LegalEntity": "Red Hat Inc.",
            "lineItem/ProductCode": "mra",
            "bill/InvoicingEntity": "Amazon Web Services, Inc.",
        },
    )
    rows = warehouse.execute(
        "select PublisherName, ServiceProviderName, HostProviderName, InvoiceIssuerName "
        "from focus_costs order by PublisherName"
    ).fetchall()
    assert rows == [
        ("Amazon Web Services", "AWS", "AWS", "AWS"),
        ("Red Hat Inc.", "Red Hat Inc.", "AWS", "AWS"),
    ]


def test_split_cost_allocation_rows_become_allocated_charges(warehouse, tmp_path) -> None:
    pod = "arn:aws:eks:us-east-1:222222222222:pod/cluster/ns/web-7d9f/uid-1"
    _cur(
        warehouse,
        tmp_path,
        {"lineItem/ResourceId": "i-0abc"},
        {
            "lineItem/ResourceId": pod,
            "lineItem/Operation": "EKSPod-EC2",
            "lineItem/UnblendedCost": "0",
            "splitLineItem/ParentResourceId": "i-0abc",
            "splitLineItem/SplitUsage": "0.5",
            "splitLineItem/SplitUsageRatio": "0.25",
            "splitLineItem/SplitCost": "0.024",
            "splitLineItem/UnusedCost": "0.002",
        },
    )
    resource, allocated, name, method, details = _one(
        warehouse,
        "ResourceId, AllocatedResourceId, AllocatedResourceName, AllocatedMethodId, "
        "AllocatedMethodDetails",
        "AllocatedResourceId is not null",
    )
    assert (resource, allocated, name) == ("i-0abc", pod, "uid-1")
    assert method.startswith("AWS Split Cost Allocation")
    [element] = json.loads(details)["Elements"]
    assert Decimal(str(element["AllocatedRatio"])) == Decimal("0.25")
    assert element["UsageUnit"] == "Hrs"
    unsplit = _one(
        warehouse, "AllocatedMethodId, AllocatedResourceId", "AllocatedResourceId is null"
    )
    assert unsplit == (None, None)
    assert warehouse.execute("select sum(BilledCost) from focus_costs").fetchone() == (
        Decimal("0.096"),
    )


def test_azure_commitment_purchase_has_a_service_name_and_unit(warehouse, tmp_path) -> None:
    row = {
        "Date": "05/03/2024",
        "BillingAccountId": "12345",
        "BillingCurrency": "EUR",
        "CostInBillingCurrency": "3097.10",
        "ChargeType": "Purchase",
        "PricingModel": "Reservation",
        "ReservationId": "abc",
        "ReservationName": "VM RI",
        "Quantity": "1",
        "UnitOfMeasure": "",
        "MeterCategory": "",
        "SubscriptionId": "sub-1",
        "InvoiceId": "E0600ABCDE",
    }
    report = ingest_and_refresh(warehouse, _write_csv(tmp_path / "azure.csv", [row]), "azure")
    assert report.files[0].status == "loaded", report.files[0].reason
    service, unit, invoice = _one(warehouse, "ServiceName, PricingUnit, InvoiceId")
    assert (service, unit, invoice) == ("Azure Reservations", "Units", "E0600ABCDE")


def test_focus_1_3_file_keeps_its_new_columns(warehouse, tmp_path) -> None:
    applied = '{"Elements": [{"ContractID": "c-1", "ContractCommitmentID": "cc-1", "ContractCommitmentAppliedCost": 5.0}]}'
    details = '{"Elements": [{"AllocatedRatio": 0.5, "UsageUnit": "Hours", "UsageQuantity": 2}]}'
    row = {
        "BilledCost": "10.00",
        "EffectiveCost": "10.00",
        "BillingCurrency": "USD",
        "BillingPeriodStart": "2025-12-01T00:00:00Z",
        "BillingPeriodEnd": "2026-01-01T00:00:00Z",
        "ChargePeriodStart": "2025-12-03T00:00:00Z",
        "ChargePeriodEnd": "2025-12-04T00:00:00Z",
        "ChargeCategory": "Usage",
        "ServiceProviderName": "Acme SaaS",
        "HostProviderName": "AWS",
        "InvoiceIssuerName": "AWS",
        "ServiceName": "Acme Analytics",
        "ContractApplied": applied,
        "AllocatedMethodId": "acme-split-v1",
        "AllocatedMethodDetails": details,
        "AllocatedResourceId": "team-a",
        "AllocatedResourceName": "Team A",
        "AllocatedTags": '{"team": "a"}',
    }
    report = ingest_and_refresh(warehouse, _write_csv(tmp_path / "focus13.csv", [row]), "focus13")
    assert report.files[0].status == "loaded", report.files[0].reason
    got = _one(
        warehouse,
        "ProviderName, ServiceProviderName, HostProviderName, ContractApplied->>'$.Elements[0].ContractID', "
        "AllocatedMethodId, AllocatedResourceId, AllocatedResourceName, AllocatedTags->>'team', "
        "AllocatedMethodDetails->>'$.Elements[0].AllocatedRatio'",
    )
    assert got == (
        "Acme SaaS",
        "Acme SaaS",
        "AWS",
        "c-1",
        "acme-split-v1",
        "team-a",
        "Team A",
        "a",
        "0.5",
    )
