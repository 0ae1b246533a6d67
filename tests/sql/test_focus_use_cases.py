"""The FinOps Foundation's published FOCUS use-case queries run unchanged on focus_costs.

Each query is copied as published (only `focus_data_table` becomes `focus_costs`, done in
code) and runs on the FOCUS sample data; its totals must equal an independent csv + Decimal
sum over the same rows. The `?` parameters are bound, as the published queries intend.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot

from finops_pipeline.refresh import ingest_and_refresh
from tests.conformance.reference_totals import dec, read_rows
from tests.sql.test_stg_aws_cur import ROWS, _expected, load_rows

pytestmark = pytest.mark.conformance

# focus.finops.org use case "Verify service charges"
# (https://www.finops.org/assets/use-cases/verify-service-charges)
VERIFY_SERVICE_CHARGES = """
SELECT ProviderName, BillingAccountId, BillingAccountName, BillingCurrency, ServiceName, SUM(BilledCost) AS TotalBilledCost FROM focus_data_table WHERE BillingPeriodStart >= ? AND BillingPeriodEnd < ? GROUP BY ProviderName, BillingAccountName, BillingAccountId, BillingCurrency, ServiceName
"""

# FOCUS_Spec specification/supported_features/effective_cost.md, "Example SQL Query"
# (commit 1293b9b4c776819468afa3d92ec0d7c8693af6fd)
EFFECTIVE_COST = """
SELECT
  ProviderName,
  BillingPeriodStart,
  BillingPeriodEnd,
  ServiceCategory,
  ServiceName,
  RegionId,
  RegionName,
  PricingUnit,
  SUM(EffectiveCost) AS TotalEffectiveCost,
  SUM(PricingQuantity) AS TotalPricingQuantity
FROM focus_data_table
WHERE BillingPeriodStart >= ? AND BillingPeriodEnd <= ?
GROUP BY
  ProviderName,
  BillingPeriodStart,
  BillingPeriodEnd,
  ServiceCategory,
  ServiceName,
  RegionId,
  RegionName,
  PricingUnit
"""

# FOCUS_Spec specification/supported_features/location.md, "Example SQL Query"
# (commit 149080f0bcc151d469cafea0feddb6489db460ba)
LOCATION = """
SELECT
  RegionId,
  RegionName,
  AvailabilityZone,
  SUM(BilledCost) AS TotalBilledCost
FROM focus_data_table
WHERE ChargePeriodStart >= ? AND ChargePeriodEnd <= ?
GROUP BY
  RegionId,
  RegionName,
  AvailabilityZone
"""

# FOCUS_Spec specification/supported_features/cost_and_usage_attribution.md
# (commit 2776bc96d71830396de7dcb0cd6d3175c6feb776)
COST_AND_USAGE_ATTRIBUTION = """
SELECT
  tags,
  ConsumedUnit,
  SUM(BilledCost),
  SUM(EffectiveCost),
  SUM(ConsumedQuantity)
FROM focus_data_table
WHERE BillingPeriodStart >= ? AND BillingPeriodEnd < ?
GROUP BY
  tags,
  ConsumedUnit
"""

# FOCUS_Spec specification/supported_features/account_structures.md
# (commit 31a5d42b01989d0da573a592c45121050392fd33)
ACCOUNT_STRUCTURES = """
SELECT
  SubAccountID,
  SubAccountName,
  ChargePeriodStart,
  ServiceName,
  SUM(BilledCost)
FROM focus_data_table
WHERE BillingPeriodStart >= ? AND BillingPeriodEnd < ?
    AND SubAccountId = ?
Group by
  ServiceName,
  SubAccountId,
  SubAccountName,
  ChargePeriodStart
"""

# FOCUS_Spec specification/supported_features/service_categorization.md
# (commit 3a2f6529a839c922034dfd6545327ad5384f7469)
SERVICE_CATEGORIZATION = """
SELECT
  BillingPeriodStart,
  BillingPeriodEnd,
  ProviderName,
  ServiceCategory,
  ServiceSubcategory,
  ServiceName,
  BillingCurrency,
  SUM(BilledCost) AS TotalBilledCost
FROM focus_data_table
WHERE BillingPeriodStart >= ? and BillingPeriodEnd < ?
GROUP BY
  BillingPeriodStart,
  BillingPeriodEnd,
  ProviderName,
  ServiceCategory,
  ServiceSubcategory,
  ServiceName,
  BillingCurrency
"""

# FOCUS_Spec specification/supported_features/charge_categorization.md, "Report on Commitment
# Discount Purchases" and "Report Recurring Recurring Charges"
# (commit 92338929a3e9e1e4135dac1bddeb9c1a6e1ea207)
COMMITMENT_DISCOUNT_PURCHASES = """
SELECT
  MIN(ChargePeriodStart) AS ChargePeriodStart,
  MAX(ChargePeriodEnd) AS ChargePeriodEnd,
  ProviderName,
  BillingAccountId,
  CommitmentDiscountId,
  CommitmentDiscountType,
  CommitmentDiscountUnit,
  CommitmentDiscountQuantity,
  ChargeFrequency,
  SUM(BilledCost) AS TotalBilledCost
FROM focus_data_table
WHERE ChargePeriodStart >= ? AND ChargePeriodEnd < ?
  AND ChargeCategory = 'Purchase'
  AND CommitmentDiscountId IS NOT NULL
GROUP BY
  ProviderName,
  BillingAccountId,
  CommitmentDiscountId,
  CommitmentDiscountType,
  CommitmentDiscountUnit,
  CommitmentDiscountQuantity,
  ChargeFrequency
"""

RECURRING_CHARGES = """
SELECT
  BillingPeriodStart,
  CommitmentDiscountId,
  CommitmentDiscountName,
  CommitmentDiscountType,
  ChargeFrequency,
  SUM(BilledCost) AS TotalBilledCost
FROM focus_data_table
WHERE BillingPeriodStart  >= ? AND BillingPeriodStart < ?
  AND ChargeFrequency = 'Recurring'
  AND CommitmentDiscountId IS NOT NULL
GROUP BY
  BillingPeriodStart,
  CommitmentDiscountId,
  CommitmentDiscountName,
  CommitmentDiscountType,
  ChargeFrequency
"""

SEPTEMBER = datetime(2024, 9, 1)
OCTOBER = datetime(2024, 10, 1)
NOVEMBER = datetime(2024, 11, 1)

Sample = tuple[duckdb.DuckDBPyConnection, list[dict[str, str]]]


@pytest.fixture
def sample(warehouse: duckdb.DuckDBPyConnection, shared_datasets: Path) -> Sample:
    path = shared_datasets / "focus-sample-data" / "focus_sample.csv"
    [outcome] = ingest_and_refresh(warehouse, path, source="focus-sample").files
    assert outcome.status == "loaded", outcome.reason
    return warehouse, read_rows(path)


def run(con: duckdb.DuckDBPyConnection, published: str, params: list[object]) -> list[tuple]:
    sql = published.replace("focus_data_table", "focus_costs")
    assert sqlglot.parse_one(sql, read="duckdb") is not None
    return con.execute(sql, params).fetchall()


def september(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows of billing period 2024-09 (one sample row belongs to 2024-10)."""
    return [r for r in rows if r["BillingPeriodStart"].startswith("2024-09-01")]


def test_verify_service_charges(sample: Sample) -> None:
    con, rows = sample
    result = run(con, VERIFY_SERVICE_CHARGES, [SEPTEMBER, NOVEMBER])
    by_provider: dict[str, Decimal] = Counter()
    for provider, *_, total in result:
        by_provider[provider] += total
    expected: dict[str, Decimal] = Counter()
    for r in september(rows):
        expected[r["ProviderName"]] += dec(r["BilledCost"])
    assert dict(by_provider) == dict(expected)
    assert len(result) == len(
        {(r["ProviderName"], r["BillingAccountId"], r["ServiceName"]) for r in september(rows)}
    )


def test_effective_cost(sample: Sample) -> None:
    con, rows = sample
    result = run(con, EFFECTIVE_COST, [SEPTEMBER, OCTOBER])
    assert {r[0] for r in result} == {"AWS", "Microsoft", "Oracle"}
    assert {(r[1], r[2]) for r in result} == {(SEPTEMBER, OCTOBER)}
    assert sum(r[8] for r in result) == sum(dec(r["EffectiveCost"]) for r in september(rows))
    assert sum(r[9] or 0 for r in result) == sum(dec(r["PricingQuantity"]) for r in september(rows))


def test_location(sample: Sample) -> None:
    con, rows = sample
    result = run(con, LOCATION, [SEPTEMBER, OCTOBER])
    assert sum(r[3] for r in result) == sum(dec(r["BilledCost"]) for r in rows)
    regions = {r["RegionId"] for r in rows if r["RegionId"] not in ("", "NULL")}
    assert {r[0] for r in result if r[0] is not None} == regions


def test_cost_and_usage_attribution(sample: Sample) -> None:
    con, rows = sample
    result = run(con, COST_AND_USAGE_ATTRIBUTION, [SEPTEMBER, NOVEMBER])
    assert sum(r[2] for r in result) == sum(dec(r["BilledCost"]) for r in september(rows))
    assert sum(r[3] for r in result) == sum(dec(r["EffectiveCost"]) for r in september(rows))
    tagged = [r for r in result if r[0] is not None]
    assert tagged and len(result) > len(tagged)  # tagged groups and one untagged per unit


def test_account_structures(sample: Sample) -> None:
    con, rows = sample
    sub_account, count = Counter(r["SubAccountId"] for r in september(rows)).most_common(1)[0]
    result = run(con, ACCOUNT_STRUCTURES, [SEPTEMBER, NOVEMBER, sub_account])
    assert count > 1 and {r[0] for r in result} == {sub_account}
    mine = [r for r in september(rows) if r["SubAccountId"] == sub_account]
    assert sum(r[4] for r in result) == sum(dec(r["BilledCost"]) for r in mine)


def test_service_categorization(sample: Sample) -> None:
    con, rows = sample
    result = run(con, SERVICE_CATEGORIZATION, [SEPTEMBER, NOVEMBER])
    by_category: dict[str, Decimal] = Counter()
    for *_, category, _sub, _name, _currency, total in result:
        by_category[category] += total
    expected: dict[str, Decimal] = Counter()
    for r in september(rows):
        expected[r["ServiceCategory"]] += dec(r["BilledCost"])
    assert dict(by_category) == dict(expected)
    assert all(r[4] for r in result)  # every row has a ServiceSubcategory


# A CUR with every commitment line item type (tests/sql/test_stg_aws_cur.py's fixture).
MAY = datetime(2024, 5, 1)
JUNE = datetime(2024, 6, 1)


@pytest.fixture
def staged(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return load_rows(warehouse, tmp_path)


def test_commitment_discount_purchases(staged: duckdb.DuckDBPyConnection) -> None:
    result = run(staged, COMMITMENT_DISCOUNT_PURCHASES, [MAY, JUNE])
    by_type: dict[str, Decimal] = Counter()
    for row in result:
        by_type[row[5]] += row[9]
    expected: dict[str, Decimal] = Counter()
    for row in ROWS:
        for category, billed, _effective, _status in _expected(row):
            if category == "Purchase" and (row[3] or row[7]):
                expected["Savings Plan" if row[7] else "Reserved Instance"] += Decimal(billed)
    assert dict(by_type) == dict(expected)
    assert expected == {"Savings Plan": Decimal("105.00"), "Reserved Instance": Decimal("508.00")}


def test_recurring_charges(staged: duckdb.DuckDBPyConnection) -> None:
    result = run(staged, RECURRING_CHARGES, [MAY, JUNE])
    assert {r[3]: r[5] for r in result} == {
        "Savings Plan": Decimal("5.00"),
        "Reserved Instance": Decimal("8.00"),
    }
    assert {r[4] for r in result} == {"Recurring"}
