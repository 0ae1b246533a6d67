"""FOCUS files pass through as stated, except where a row breaks a MUST whose value the spec
itself defines: each case on a one-row FOCUS file through the real ingest.

- PricingUnit-C-006-C (PricingUnit MUST NOT be null when PricingQuantity is not null): AWS's
  FOCUS export leaves the unit out on some purchases (an RDS reservation's hourly fee, the
  support plan fee).
- ContractedCost-C-003-M (ContractedCost MUST NOT be null): the FOCUS sample data has rows
  with neither ContractedCost nor ContractedUnitPrice; FOCUS 1.2 says such a charge's
  ContractedCost matches its BilledCost.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.refresh import ingest_and_refresh

FOCUS_ROW = {
    "BilledCost": "56.49",
    "EffectiveCost": "56.49",
    "ListCost": "56.49",
    "ContractedCost": "56.49",
    "ContractedUnitPrice": "56.49",
    "BillingAccountId": "111111111111",
    "BillingCurrency": "USD",
    "BillingPeriodStart": "2026-10-01T00:00:00Z",
    "BillingPeriodEnd": "2026-11-01T00:00:00Z",
    "ChargePeriodStart": "2026-10-01T00:00:00Z",
    "ChargePeriodEnd": "2026-11-01T00:00:00Z",
    "ChargeCategory": "Purchase",
    "ChargeFrequency": "Recurring",
    "ChargeDescription": "Developer Support Plan fee",
    "CommitmentDiscountId": "",
    "PricingQuantity": "1",
    "PricingUnit": "",
    "ProviderName": "AWS",
    "PublisherName": "AWS",
    "InvoiceIssuerName": "AWS",
    "ServiceName": "AWS Support (Developer)",
}


def _focus_row(con: duckdb.DuckDBPyConnection, tmp_path: Path, **changes: str) -> tuple:
    row = {**FOCUS_ROW, **changes}
    path = tmp_path / "focus.csv"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    report = ingest_and_refresh(con, path, "focus")
    assert report.files[0].status == "loaded", report.files[0].reason
    rows = con.execute(
        "select PricingQuantity, PricingUnit, ContractedCost, BilledCost from focus_costs"
    ).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(
    ("changes", "unit"),
    [
        # the support plan fee: one plan-month bought
        ({}, "Units"),
        # an RDS reservation's recurring fee, quantity in hours of the month
        (
            {
                "CommitmentDiscountId": "arn:aws:rds:us-east-1:111111111111:ri:db-ri-1",
                "PricingQuantity": "744",
                "ServiceName": "Amazon Relational Database Service",
            },
            "Hours",
        ),
        # a unit the file states is kept
        ({"PricingUnit": "Requests"}, "Requests"),
    ],
)
def test_pricing_quantity_without_unit_gets_one(
    warehouse, tmp_path: Path, changes: dict, unit: str
) -> None:
    _, got, _, _ = _focus_row(warehouse, tmp_path, **changes)
    assert got == unit


def test_no_pricing_quantity_keeps_no_unit(warehouse, tmp_path: Path) -> None:
    quantity, unit, _, _ = _focus_row(
        warehouse, tmp_path, ChargeCategory="Credit", PricingQuantity="", BilledCost="-5"
    )
    assert (quantity, unit) == (None, None)


def test_contracted_cost_without_unit_price_is_billed_cost(warehouse, tmp_path: Path) -> None:
    *_, contracted, billed = _focus_row(
        warehouse,
        tmp_path,
        ChargeCategory="Adjustment",
        BilledCost="0.192",
        ListCost="0",
        ContractedCost="",
        ContractedUnitPrice="",
    )
    assert contracted == billed == Decimal("0.192")


def test_contracted_cost_the_file_states_is_kept(warehouse, tmp_path: Path) -> None:
    *_, contracted, billed = _focus_row(
        warehouse, tmp_path, ContractedCost="50.00", ContractedUnitPrice=""
    )
    assert (contracted, billed) == (Decimal("50.00"), Decimal("56.49"))
