"""stg_aws__cur from tiny CUR rows to FOCUS values: the CUR amortization rule, row by row."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.ingest.service import ingest_path

HEADER = [
    "identity/LineItemId",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedCost",
    "pricing/publicOnDemandCost",
    "reservation/ReservationARN",
    "reservation/EffectiveCost",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedRecurringFee",
    "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/UsedCommitment",
]
RI = "arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-1"
SP = "arn:aws:savingsplans::111111111111:savingsplan/sp-1"

# (line item type, unblended, on-demand, RI ARN, RI effective, unused upfront, unused recurring,
#  SP ARN, SP effective, SP commitment to date, SP used) -> expected FOCUS values
ROWS = [
    ("Usage", "2.00", "2.00", "", "", "", "", "", "", "", "", "Usage", "2.00", None),
    (
        "SavingsPlanCoveredUsage",
        "1.00",
        "1.00",
        "",
        "",
        "",
        "",
        SP,
        "0.70",
        "",
        "",
        "Usage",
        "0.70",
        "Used",
    ),
    ("SavingsPlanNegation", "-1.00", "", "", "", "", "", SP, "", "", "", "Usage", "0", None),
    (
        "SavingsPlanRecurringFee",
        "5.00",
        "",
        "",
        "",
        "",
        "",
        SP,
        "",
        "5.00",
        "4.20",
        "Purchase",
        "0.80",
        "Unused",
    ),
    ("SavingsPlanUpfrontFee", "100.00", "", "", "", "", "", SP, "", "", "", "Purchase", "0", None),
    ("DiscountedUsage", "0", "3.00", RI, "1.10", "", "", "", "", "", "", "Usage", "1.10", "Used"),
    ("RIFee", "8.00", "", RI, "", "0.40", "0.60", "", "", "", "", "Purchase", "1.00", "Unused"),
    ("Fee", "500.00", "", RI, "", "", "", "", "", "", "", "Purchase", "0", None),
    ("Tax", "0.90", "", "", "", "", "", "", "", "", "", "Tax", "0.90", None),
    ("Credit", "-3.00", "", "", "", "", "", "", "", "", "", "Credit", "-3.00", None),
    ("Refund", "-0.50", "", "", "", "", "", "", "", "", "", "Credit", "-0.50", None),
]


@pytest.fixture
def staged(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    path = tmp_path / "cur.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i, row in enumerate(ROWS):
            writer.writerow(
                [
                    f"id{i}",
                    "111111111111",
                    "2024-05-01T00:00:00Z",
                    "222222222222",
                    row[0],
                    "2024-05-03T00:00:00Z",
                    "2024-05-04T00:00:00Z",
                    "AmazonEC2",
                    "BoxUsage:m5.large",
                    "USD",
                    *row[1:11],
                ]
            )
    report = ingest_path(warehouse, path, "aws")
    assert report.files[0].status == "loaded", report.files[0].reason
    return warehouse


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[r[0] for r in ROWS])
def test_line_item_type_maps_to_focus(staged: duckdb.DuckDBPyConnection, index: int) -> None:
    _, billed, *_, category, effective, status = ROWS[index]
    row = staged.execute(
        "select ChargeCategory, BilledCost, EffectiveCost, CommitmentDiscountStatus "
        "from focus_costs where x_ChargeType = ?",
        [ROWS[index][0]],
    ).fetchall()
    assert row == [(category, Decimal(billed), Decimal(effective), status)]


def test_billed_sums_to_the_invoice_and_effective_spreads_commitments(
    staged: duckdb.DuckDBPyConnection,
) -> None:
    billed, effective = staged.execute(
        "select sum(BilledCost), sum(EffectiveCost) from focus_costs"
    ).fetchone()
    assert billed == sum(Decimal(r[1]) for r in ROWS)
    assert effective == sum(Decimal(r[12]) for r in ROWS)
    commitments = dict(
        staged.execute(
            "select CommitmentDiscountType, count(*) from focus_costs "
            "where CommitmentDiscountId is not null group by 1"
        ).fetchall()
    )
    assert commitments == {"Savings Plan": 4, "Reserved Instance": 3}
