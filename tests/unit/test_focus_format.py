"""FOCUS files of every version and data generator land, detect and stage as FOCUS 1.2.

Each test writes a tiny file in the header spelling a real data generator uses (FOCUS 1.0 to
1.3, 1.0-preview, AWS's FOCUS export, Microsoft's FOCUS export, Google's FOCUS view).
"""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.outcomes import FileOutcome
from finops_pipeline.ingest.reader import read_schema
from finops_pipeline.ingest.select import detect_format
from finops_pipeline.refresh import ingest_and_refresh

BASE = {
    "BilledCost": "1.50",
    "BillingAccountId": "acct-1",
    "BillingCurrency": "USD",
    "BillingPeriodStart": "2024-09-01 00:00:00",
    "BillingPeriodEnd": "2024-10-01 00:00:00",
    "ChargeCategory": "Usage",
    "ChargePeriodStart": "2024-09-02 00:00:00",
    "ChargePeriodEnd": "2024-09-02 01:00:00",
    "EffectiveCost": "1.25",
    "ProviderName": "AWS",
    "PublisherName": "Amazon Web Services",
    "InvoiceIssuerName": "Amazon Web Services, Inc.",
    "ServiceName": "Amazon Elastic Compute Cloud",
    "ServiceCategory": "Compute",
    "Tags": '{"team": "payments"}',
}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    header = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, header, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, select_sql: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.sql(select_sql).write_parquet(str(path))
    return path


def load(warehouse: duckdb.DuckDBPyConnection, path: Path, source: str = "src") -> FileOutcome:
    [outcome] = ingest_and_refresh(warehouse, path, source=source).files
    return outcome


def focus(warehouse: duckdb.DuckDBPyConnection, columns: str) -> list[tuple]:
    return warehouse.execute(f"select {columns} from focus_costs order by all").fetchall()


@pytest.mark.parametrize(
    ("version", "extra", "provider_column"),
    [
        ("1.0", {}, "ProviderName"),
        (
            "1.1",
            {
                "SkuPriceDetails": '{"CoreCount": 2}',
                "CommitmentDiscountQuantity": "3",
                "CommitmentDiscountUnit": "Hours",
                "ServiceSubcategory": "Virtual Machines",
                "CapacityReservationId": "cr-1",
                "CapacityReservationStatus": "Used",
            },
            "ProviderName",
        ),
        ("1.2", {"BillingAccountType": "Payer", "InvoiceId": "INV-1"}, "ProviderName"),
        ("1.3", {"HostProviderName": "AWS"}, "ServiceProviderName"),
    ],
)
def test_each_focus_version_loads(
    warehouse, tmp_path: Path, version: str, extra: dict[str, str], provider_column: str
) -> None:
    row = {**BASE, **extra}
    if provider_column != "ProviderName":
        row[provider_column] = row.pop("ProviderName")
        del row["PublisherName"]
    outcome = load(warehouse, write_csv(tmp_path / f"focus-{version}.csv", [row]))
    assert (outcome.status, outcome.format, outcome.rows) == ("loaded", "focus", 1)
    assert outcome.totals == {"USD": Decimal("1.5")}
    [(provider, publisher, billed, effective, team)] = focus(
        warehouse, "ProviderName, PublisherName, BilledCost, EffectiveCost, Tags->>'team'"
    )
    assert (provider, billed, effective, team) == (
        "AWS",
        Decimal("1.5"),
        Decimal("1.25"),
        "payments",
    )
    assert publisher == ("AWS" if version == "1.3" else "Amazon Web Services")
    assert all(r.ok for r in reconcile(warehouse))


def test_focus_1_1_columns_pass_through(warehouse, tmp_path: Path) -> None:
    row = {
        **BASE,
        "SkuPriceDetails": '{"CoreCount": 2}',
        "ServiceSubcategory": "Virtual Machines",
        "CapacityReservationStatus": "unused",
    }
    load(warehouse, write_csv(tmp_path / "focus.csv", [row]))
    [(cores, subcategory, capacity)] = focus(
        warehouse, "SkuPriceDetails->>'CoreCount', ServiceSubcategory, CapacityReservationStatus"
    )
    assert (cores, subcategory, capacity) == ("2", "Virtual Machines", "Unused")


def test_parquet_with_map_tags_and_iso_z_timestamps(warehouse, tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "focus12.parquet",
        """
        select 2.5::decimal(18, 6) as BilledCost, 2.0::decimal(18, 6) as EffectiveCost,
            'EUR' as BillingCurrency, timestamptz '2024-09-01 00:00:00+00' as BillingPeriodStart,
            timestamptz '2024-10-01 00:00:00+00' as BillingPeriodEnd,
            timestamptz '2024-09-05 10:00:00+00' as ChargePeriodStart,
            'Usage' as ChargeCategory, 'Microsoft' as ProviderName,
            map(['team', 'env'], ['search', 'prod']) as Tags
    """,
    )
    outcome = load(warehouse, path)
    assert (outcome.format, outcome.totals) == ("focus", {"EUR": Decimal("2.5")})
    [(start, charge_start, team, env)] = focus(
        warehouse, "BillingPeriodStart, ChargePeriodStart, Tags->>'team', Tags->>'env'"
    )
    assert (start, charge_start) == (datetime(2024, 9, 1), datetime(2024, 9, 5, 10))
    assert (team, env) == ("search", "prod")


def test_csv_iso_timestamps_with_z(warehouse, tmp_path: Path) -> None:
    row = {
        **BASE,
        "BillingPeriodStart": "2024-09-01T00:00:00Z",
        "ChargePeriodStart": "2024-09-02T03:00:00.0000000Z",
        "ChargePeriodEnd": "2024-09-02T04:00:00Z",
    }
    load(warehouse, write_csv(tmp_path / "focus.csv", [row]))
    [(start, charge_start)] = focus(warehouse, "BillingPeriodStart, ChargePeriodStart")
    assert (start, charge_start) == (datetime(2024, 9, 1), datetime(2024, 9, 2, 3))


def test_aws_focus_export_parquet_is_aws_focus(warehouse, tmp_path: Path) -> None:
    folder = tmp_path / "focus-export" / "data" / "BILLING_PERIOD=2024-09"
    path = write_parquet(
        folder / "focus-00001.snappy.parquet",
        """
        select 0.1::double as BilledCost, 0.08::double as EffectiveCost, 'USD' as BillingCurrency,
            '111111111111' as BillingAccountId, timestamp '2024-09-01' as BillingPeriodStart,
            timestamp '2024-10-01' as BillingPeriodEnd, timestamp '2024-09-03 05:00' as ChargePeriodStart,
            timestamp '2024-09-03 06:00' as ChargePeriodEnd, 'Usage' as ChargeCategory,
            'AWS' as ProviderName, 'Amazon Elastic Compute Cloud' as ServiceName,
            cast(null as varchar) as ServiceCategory,
            map(['user:team'], ['data']) as Tags, 'AmazonEC2' as x_ServiceCode,
            'USW2-BoxUsage:m5.large' as x_UsageType, 'RunInstances' as x_Operation,
            map(['project'], ['atlas']) as x_CostCategories,
            map(['bundled_discount'], [-0.02::double]) as x_Discounts
    """,
    )
    outcome = load(warehouse, path)
    assert (outcome.status, outcome.format, outcome.totals) == (
        "loaded",
        "aws-focus",
        {"USD": Decimal("0.1")},
    )
    [row] = focus(
        warehouse,
        "x_ServiceCode, x_UsageType, x_Operation, Tags->>'user:team', ServiceCategory, "
        "x_SourceFormat",
    )
    assert row == (
        "AmazonEC2",
        "USW2-BoxUsage:m5.large",
        "RunInstances",
        "data",
        "Compute",
        "aws-focus",
    )
    assert warehouse.execute(
        "select x_CostCategories->>'project' from raw_aws_focus"
    ).fetchone() == ("atlas",)
    assert all(r.ok for r in reconcile(warehouse))


def test_preview_header_with_amortized_cost(warehouse, tmp_path: Path) -> None:
    common = {
        "BilledCost": "10",
        "BillingCurrency": "USD",
        "BillingPeriodStart": "2023-11-01",
        "ChargePeriodStart": "2023-11-04",
        "ProviderName": "Microsoft",
        "Region": "eastus",
        "UsageUnit": "Hours",
    }
    rows = [
        {
            **common,
            "AmortizedCost": "7",
            "ChargeType": "Usage",
            "ChargeSubcategory": "Used Commitment",
            "UsageQuantity": "4",
        },
        {
            **common,
            "BilledCost": "-2",
            "AmortizedCost": "-2",
            "ChargeType": "Adjustment",
            "ChargeSubcategory": "Credit",
            "UsageQuantity": "",
        },
    ]
    outcome = load(warehouse, write_csv(tmp_path / "focus-preview.csv", rows))
    assert (outcome.format, outcome.totals) == ("focus", {"USD": Decimal("8")})
    assert focus(
        warehouse,
        "ChargeCategory, EffectiveCost, CommitmentDiscountStatus, ConsumedQuantity, "
        "ConsumedUnit, RegionName",
    ) == [
        ("Credit", Decimal(-2), None, None, "Hours", "eastus"),
        ("Usage", Decimal(7), "Used", Decimal(4), "Hours", "eastus"),
    ]


def test_null_literals_are_null(warehouse, tmp_path: Path) -> None:
    row = {
        **BASE,
        "ChargeClass": "NULL",
        "ListCost": "NULL",
        "Tags": "NULL",
        "RegionId": "NULL",
        "CommitmentDiscountStatus": "NULL",
    }
    outcome = load(warehouse, write_csv(tmp_path / "focus.csv", [row]))
    assert outcome.status == "loaded", outcome.reason
    assert focus(warehouse, "ChargeClass, ListCost, Tags, RegionId, CommitmentDiscountStatus") == [
        (None, None, None, None, None)
    ]


def test_text_in_billed_cost_names_row_and_column(warehouse, tmp_path: Path) -> None:
    rows = [BASE, {**BASE, "BilledCost": "12.3 USD"}]
    outcome = load(warehouse, write_csv(tmp_path / "focus.csv", rows))
    assert outcome.status == "rejected"
    assert "data row 2" in outcome.reason
    assert "column 'BilledCost'" in outcome.reason
    assert "12.3 USD" in outcome.reason


def test_microsoft_focus_export_is_plain_focus(warehouse, tmp_path: Path) -> None:
    row = {
        **BASE,
        "ProviderName": "Microsoft",
        "PublisherName": "Microsoft",
        "BillingPeriodStart": "2024-09-01T00:00:00Z",
        "ChargeFrequency": "Usage-based",
        "x_BillingProfileId": "BP-1",
        "x_SkuMeterCategory": "Virtual Machines",
        "x_ResourceGroupName": "rg-web",
        "x_SkuDetails": '{"VCPUs": "2"}',
        "Tags": '{"costcenter": "42"}',
    }
    outcome = load(warehouse, write_csv(tmp_path / "part_0_0001.csv", [row]))
    assert outcome.format == "focus"
    assert focus(
        warehouse, "ProviderName, ChargeFrequency, Tags->>'costcenter', x_ServiceCode"
    ) == [("Microsoft", "Usage-Based", "42", None)]


GOOGLE_VIEW = """
    select 3.0::decimal(38, 9) as BilledCost, 3.0::decimal(38, 9) as EffectiveCost,
        'USD' as BillingCurrency, '01ABCD-234567-89EF01' as BillingAccountId,
        timestamptz '2024-09-01 07:00:00+00' as BillingPeriodStart,
        timestamptz '2024-09-30 07:00:00+00' as BillingPeriodEnd,
        timestamptz '2024-09-10 00:00:00+00' as ChargePeriodStart,
        timestamptz '2024-09-10 01:00:00+00' as ChargePeriodEnd,
        'usage' as ChargeCategory, 'committed' as PricingCategory, 'Google Cloud' as ProviderName,
        'Compute Engine' as ServiceName, '6F81-5844-456A' as x_ServiceId,
        [{'key': 'env', 'value': 'prod', 'x_type': 'label', 'x_inherited': false},
         {'key': 'env', 'value': 'dev', 'x_type': 'project_label', 'x_inherited': true},
         {'key': 'app', 'value': 'shop', 'x_type': 'label', 'x_inherited': false}] as Tags
"""


def test_google_focus_view(warehouse, tmp_path: Path) -> None:
    outcome = load(warehouse, write_parquet(tmp_path / "gcp_focus.parquet", GOOGLE_VIEW), "gcp")
    assert (outcome.format, outcome.periods) == ("focus", [datetime(2024, 9, 1).date()])
    [row] = focus(
        warehouse,
        "ChargeCategory, PricingCategory, Tags->>'env', Tags->>'app', BillingPeriodStart, "
        "BillingPeriodEnd, x_ServiceCode",
    )
    assert row == (
        "Usage",
        "Committed",
        "prod",
        "shop",
        datetime(2024, 9, 1),
        datetime(2024, 10, 1),
        "6F81-5844-456A",
    )
    # A re-delivery of the period replaces it through the per-period rebuild.
    again = write_parquet(
        tmp_path / "v2" / "gcp_focus.parquet", GOOGLE_VIEW.replace("3.0::", "4.0::", 1)
    )
    load(warehouse, again, "gcp")
    assert focus(warehouse, "BilledCost") == [(Decimal(4),)]
    assert all(r.ok for r in reconcile(warehouse))


NATIVE_HEADERS = {
    "legacy CUR": "identity/LineItemId,bill/BillingPeriodStartDate,bill/PayerAccountId,"
    "lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,"
    "lineItem/CurrencyCode,lineItem/UnblendedCost",
    "CUR 2.0": "bill_billing_period_start_date,bill_payer_account_id,bill_payer_account_name,"
    "line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,"
    "line_item_product_code,line_item_currency_code,line_item_unblended_cost",
    "Azure EA cost details": "BillingAccountId,BillingPeriodStartDate,BillingPeriodEndDate,Date,"
    "MeterCategory,CostInBillingCurrency,BillingCurrencyCode,EffectivePrice,Quantity,Tags",
    "Azure MCA cost details": "billingAccountId,billingPeriodStartDate,date,meterCategory,"
    "costInBillingCurrency,billingCurrency,paygCostInBillingCurrency,tags",
}


@pytest.mark.parametrize("name", sorted(NATIVE_HEADERS))
def test_native_exports_are_never_focus(warehouse, tmp_path: Path, name: str) -> None:
    path = tmp_path / "export.csv"
    header = NATIVE_HEADERS[name]
    path.write_text(
        header + "\n" + ",".join("1" for _ in header.split(",")) + "\n", encoding="utf-8"
    )
    try:
        detected = detect_format(read_schema(warehouse, path, "csv"), path).mapping.format
    except IngestError:
        return
    assert detected not in {"focus", "aws-focus"}
