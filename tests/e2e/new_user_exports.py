"""A new user's exports, built by hand for the first-run test: not the demo generator's.

Another company than the demo's (accounts, projects, subscriptions, teams and tag keys the
demo never uses): AWS legacy CUR (CSV, `user:Owner` / `user:CostCenter` tags), AWS CUR 2.0
(Parquet, MAP columns, `user_squad`), GCP billing export (newline JSON, `team` labels, a
credit), Azure EA actual in USD (`Team` tags) and Azure MCA actual billed in EUR (camelCase,
`owner` tags), with untagged cost in every one. Each writer returns its file's total per
(month, currency), what the warehouse must reproduce to the cent.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MONTHS = ("2026-04", "2026-05")
Totals = dict[tuple[str, str], Decimal]


def _next(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


def _add(totals: Totals, month: str, currency: str, amount: str | Decimal) -> None:
    totals[(month, currency)] = totals.get((month, currency), Decimal(0)) + Decimal(amount)


def write_aws_legacy(root: Path) -> Totals:
    """Legacy CUR CSV: Owner and CostCenter tags (no `team` key at all), one untagged bucket."""
    header = [
        "identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate",
        "bill/BillingPeriodEndDate", "lineItem/UsageAccountId", "lineItem/LineItemType",
        "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode",
        "lineItem/UsageType", "lineItem/UsageAmount", "lineItem/CurrencyCode",
        "lineItem/UnblendedCost", "lineItem/ResourceId", "product/ProductName", "product/region",
        "resourceTags/user:Owner", "resourceTags/user:CostCenter",
    ]  # fmt: skip
    items = [  # account, product, usage type, resource, cost, Owner, CostCenter
        ("310000000001", "AmazonEC2", "BoxUsage:c6i.xlarge", "i-0aa1", "412.734012", "checkout", ""),
        ("310000000001", "AmazonRDS", "InstanceUsage:db.r6g.large", "db-orders", "288.100400", "", "fulfil"),
        ("310000000002", "AmazonS3", "TimedStorage-ByteHrs", "warehouse-logs", "97.310009", "", ""),
        ("310000000002", "AWSLambda", "Request", "fn-resize", "12.004560", "Imaging", ""),
    ]  # fmt: skip
    totals: Totals = {}
    for month in MONTHS:
        folder = (
            root / "aws-legacy" / f"{month.replace('-', '')}01-{_next(month).replace('-', '')}01"
        )
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "acme-cur-00001.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for i, (account, product, usage, resource, cost, owner, cc) in enumerate(items):
                for day in (3, 17):
                    writer.writerow([
                        f"{month}-{resource}-{day}", "310000000000", f"{month}-01T00:00:00Z",
                        f"{_next(month)}-01T00:00:00Z", account, "Usage",
                        f"{month}-{day:02d}T0{i}:00:00Z", f"{month}-{day:02d}T0{i + 1}:00:00Z",
                        product, usage, "1", "USD", cost, resource, product, "eu-west-1", owner, cc,
                    ])  # fmt: skip
                    _add(totals, month, "USD", cost)
    return totals


def write_aws_cur2(root: Path) -> Totals:
    """CUR 2.0 Parquet with MAP columns: `user_squad` tags, an untagged NAT gateway."""
    items = [  # account, account name, product, usage type, resource, cost, tags
        ("420000000007", "acme-analytics", "AmazonEC2", "BoxUsage:m7g.2xlarge", "i-0bb7",
         "733.330101", {"user_squad": "Insights"}),
        ("420000000007", "acme-analytics", "AmazonEC2", "NatGateway-Hours", "nat-01",
         "64.800000", {}),
        ("420000000008", "acme-sandbox", "AmazonS3", "TimedStorage-ByteHrs", "scratch",
         "5.123456", {"user_squad": "growth"}),
    ]  # fmt: skip
    totals: Totals = {}
    for month in MONTHS:
        rows: dict[str, list] = defaultdict(list)
        for i, (account, name, product, usage, resource, cost, tags) in enumerate(items):
            for day in (5, 20):
                rows["identity_line_item_id"].append(f"{month}-{resource}-{day}")
                rows["bill_payer_account_id"].append("420000000000")
                rows["bill_payer_account_name"].append("acme-payer")
                rows["bill_billing_period_start_date"].append(f"{month}-01T00:00:00Z")
                rows["bill_billing_period_end_date"].append(f"{_next(month)}-01T00:00:00Z")
                rows["line_item_usage_account_id"].append(account)
                rows["line_item_usage_account_name"].append(name)
                rows["line_item_line_item_type"].append("Usage")
                rows["line_item_usage_start_date"].append(f"{month}-{day:02d}T0{i}:00:00Z")
                rows["line_item_usage_end_date"].append(f"{month}-{day:02d}T0{i + 1}:00:00Z")
                rows["line_item_product_code"].append(product)
                rows["line_item_usage_type"].append(usage)
                rows["line_item_resource_id"].append(resource)
                rows["line_item_usage_amount"].append("1")
                rows["line_item_currency_code"].append("USD")
                rows["line_item_unblended_cost"].append(cost)
                rows["product"].append([("region", "us-west-2"), ("product_name", product)])
                rows["resource_tags"].append(list(tags.items()))
                _add(totals, month, "USD", cost)
        columns = {
            k: pa.array(v, type=pa.map_(pa.string(), pa.string()))
            if k in ("product", "resource_tags")
            else pa.array(v, type=pa.string())
            for k, v in rows.items()
        }
        folder = root / "aws-cur2" / f"BILLING_PERIOD={month}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns), folder / "acme-cur2-00001.snappy.parquet")
    return totals


def write_gcp(root: Path) -> Totals:
    """GCP billing export rows (newline JSON): `team` labels, a sustained-use credit."""
    items = [  # project, service, sku, cost, credit, labels
        ("acme-ml-train", "Compute Engine", "N2 Instance Core", "251.400000", "-18.250000",
         {"team": "ml-research"}),
        ("acme-ml-train", "Cloud Storage", "Standard Storage", "33.010000", "0", {}),
        ("acme-web", "Cloud Run", "CPU Allocation Time", "41.990001", "0", {"Team": "Web"}),
    ]  # fmt: skip
    totals: Totals = {}
    for month in MONTHS:
        lines = []
        for project, service, sku, cost, credit, labels in items:
            for day in (8, 22):
                credits = [] if credit == "0" else [
                    {"name": "Sustained Usage Discount", "amount": float(credit),
                     "full_name": None, "id": "SUD", "type": "SUSTAINED_USAGE_DISCOUNT"}
                ]  # fmt: skip
                lines.append(json.dumps({
                    "billing_account_id": "01ACME-5E7T10-BILL01",
                    "service": {"id": f"S-{service[:4]}", "description": service},
                    "sku": {"id": f"SKU-{sku[:5]}", "description": sku},
                    "usage_start_time": f"{month}-{day:02d}T00:00:00Z",
                    "usage_end_time": f"{month}-{day:02d}T01:00:00Z",
                    "project": {"id": project, "number": "5551", "name": project},
                    "labels": [{"key": k, "value": v} for k, v in labels.items()],
                    "location": {"location": "europe-west1", "region": "europe-west1"},
                    "cost": float(cost), "currency": "USD", "currency_conversion_rate": 1.0,
                    "usage": {"amount": 3600.0, "unit": "seconds"},
                    "credits": credits, "invoice": {"month": month.replace("-", "")},
                    "cost_type": "regular",
                }))  # fmt: skip
                _add(totals, month, "USD", Decimal(cost) + Decimal(credit))
        folder = root / "gcp" / f"invoice_month={month.replace('-', '')}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "billing-000.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return totals


def _write_azure(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_azure_ea(root: Path) -> Totals:
    """Azure EA actual cost in USD (PascalCase): `Team` tags, one untagged disk."""
    header = [
        "BillingAccountId", "BillingPeriodStartDate", "BillingPeriodEndDate", "SubscriptionId",
        "SubscriptionName", "ResourceGroup", "Date", "MeterCategory", "MeterName", "ResourceId",
        "Quantity", "CostInBillingCurrency", "BillingCurrencyCode", "ChargeType", "Tags",
    ]  # fmt: skip
    items = [
        ("VM", "D4s v5", "vm-api-1", "501.250009", '"Team": "API"'),
        ("Storage", "P10 Disks", "disk-old", "19.710000", ""),
    ]
    totals: Totals = {}
    for month in MONTHS:
        rows = []
        for category, meter, resource, cost, tags in items:
            for day in (2, 26):
                rows.append([
                    "88001234", f"{month}-01", f"{_next(month)}-01",
                    "6b1c0f7e-0000-4000-8000-0000000000aa", "acme-prod-us", "rg-api",
                    f"{int(month[5:]):d}/{day}/{month[:4]}", category, meter,
                    f"/subscriptions/6b1c0f7e/resourceGroups/rg-api/providers/x/{resource}", "1",
                    cost, "USD", "Usage", tags,
                ])  # fmt: skip
                _add(totals, month, "USD", cost)
        _write_azure(root / "azure-ea" / month / "acme-ea-actual.csv", header, rows)
    return totals


def write_azure_mca_eur(root: Path) -> Totals:
    """Azure MCA actual cost billed in EUR (camelCase), `owner` tags; no rates are given."""
    header = [
        "billingAccountId", "billingProfileId", "billingPeriodStartDate", "billingPeriodEndDate",
        "subscriptionId", "subscriptionName", "resourceGroupName", "date", "meterCategory",
        "meterName", "ResourceId", "quantity", "costInBillingCurrency", "billingCurrency",
        "pricingCurrency", "chargeType", "tags",
    ]  # fmt: skip
    items = [
        ("Virtual Machines", "E8s v5", "vm-erp", "1204.500301", '{"owner":"finance-apps"}'),
        ("Azure Database for PostgreSQL", "vCore", "pg-erp", "377.120000", '{"owner":"finance-apps"}'),
        ("Bandwidth", "Data Transfer Out", "", "8.400000", ""),
    ]  # fmt: skip
    totals: Totals = {}
    for month in MONTHS:
        rows = []
        for category, meter, resource, cost, tags in items:
            for day in (4, 19):
                rows.append([
                    "acme-mca:0000", "BP-ACME-EU", f"{int(month[5:]):02d}/01/{month[:4]}",
                    f"{int(_next(month)[5:]):02d}/01/{_next(month)[:4]}",
                    "9d2e0a11-0000-4000-8000-0000000000bb", "acme-erp-eu", "rg-erp",
                    f"{int(month[5:]):02d}/{day:02d}/{month[:4]}", category, meter,
                    f"/subscriptions/9d2e0a11/resourceGroups/rg-erp/providers/x/{resource}"
                    if resource else "", "1", cost, "EUR", "EUR", "Usage", tags,
                ])  # fmt: skip
                _add(totals, month, "EUR", cost)
        _write_azure(root / "azure-mca-eur" / month / "acme-mca-actual.csv", header, rows)
    return totals


def write_all(root: Path, *, with_eur: bool = True) -> Totals:
    """Every export into `root`; the expected total per (month, currency) over all of them."""
    writers = [write_aws_legacy, write_aws_cur2, write_gcp, write_azure_ea]
    if with_eur:
        writers.append(write_azure_mca_eur)
    expected: Totals = {}
    for writer in writers:
        for (month, currency), amount in writer(root).items():
            _add(expected, month, currency, amount)
    return expected
