"""stg_aws__cur from tiny CUR rows to FOCUS values: the CUR amortization rule, row by row.

A commitment fee with an unused part gives two FOCUS rows: the Purchase at EffectiveCost 0
and the unused part as Usage with CommitmentDiscountStatus 'Unused' (FOCUS's purchase rule).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.refresh import ingest_and_refresh

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
    # FOCUS: Usage with a commitment id has a status; the negation is part of covered usage
    ("SavingsPlanNegation", "-1.00", "", "", "", "", "", SP, "", "", "", "Usage", "0", "Used"),
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
        [("Purchase", "5.00", "0", None), ("Usage", "0", "0.80", "Unused")],
    ),
    ("SavingsPlanUpfrontFee", "100.00", "", "", "", "", "", SP, "", "", "", "Purchase", "0", None),
    ("DiscountedUsage", "0", "3.00", RI, "1.10", "", "", "", "", "", "", "Usage", "1.10", "Used"),
    (
        "RIFee",
        "8.00",
        "",
        RI,
        "",
        "0.40",
        "0.60",
        "",
        "",
        "",
        "",
        [("Purchase", "8.00", "0", None), ("Usage", "0", "1.00", "Unused")],
    ),
    ("Fee", "500.00", "", RI, "", "", "", "", "", "", "", "Purchase", "0", None),
    ("Tax", "0.90", "", "", "", "", "", "", "", "", "", "Tax", "0.90", None),
    ("Credit", "-3.00", "", "", "", "", "", "", "", "", "", "Credit", "-3.00", None),
    ("Refund", "-0.50", "", "", "", "", "", "", "", "", "", "Credit", "-0.50", None),
]


@pytest.fixture
def staged(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return load_rows(warehouse, tmp_path)


def load_rows(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """ROWS as one CUR file, ingested (also used by the FOCUS use-case query tests)."""
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
    report = ingest_and_refresh(warehouse, path, "aws")
    assert report.files[0].status == "loaded", report.files[0].reason
    return warehouse


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[r[0] for r in ROWS])
def test_line_item_type_maps_to_focus(staged: duckdb.DuckDBPyConnection, index: int) -> None:
    rows = staged.execute(
        "select ChargeCategory, BilledCost, EffectiveCost, CommitmentDiscountStatus "
        "from focus_costs where x_ChargeType = ? order by ChargeCategory",
        [ROWS[index][0]],
    ).fetchall()
    assert rows == [(c, Decimal(b), Decimal(e), s) for c, b, e, s in _expected(ROWS[index])]


def _expected(row: tuple) -> list[tuple]:
    """The FOCUS rows one CUR line gives: (ChargeCategory, Billed, Effective, Status)."""
    if isinstance(row[11], list):
        return row[11]
    return [(row[11], row[1], row[12], row[13])]


def test_billed_sums_to_the_invoice_and_effective_spreads_commitments(
    staged: duckdb.DuckDBPyConnection,
) -> None:
    billed, effective = staged.execute(
        "select sum(BilledCost), sum(EffectiveCost) from focus_costs"
    ).fetchone()
    assert billed == sum(Decimal(r[1]) for r in ROWS)
    assert effective == sum(Decimal(e[2]) for r in ROWS for e in _expected(r))
    commitments = dict(
        staged.execute(
            "select CommitmentDiscountType, count(*) from focus_costs "
            "where CommitmentDiscountId is not null group by 1"
        ).fetchall()
    )
    assert commitments == {"Savings Plan": 5, "Reserved Instance": 4}
