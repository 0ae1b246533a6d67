"""Azure cost details (format azure-cost): parsing edge cases and FOCUS semantics, on tiny CSVs.

Each test writes a small export in tmp_path, ingests it the way the CLI does and reads
focus_costs / load_log back. The dataset kind (actual or amortized) comes from the path or
the rows, so tests of actual data keep "amortized" out of their names (tmp_path has it).
"""

from __future__ import annotations

import csv
from datetime import date, datetime
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

RESERVATION = "/providers/Microsoft.Capacity/reservationOrders/o-1/reservations/r-1"
SAVINGS_PLAN = "/providers/Microsoft.BillingBenefits/savingsPlanOrders/o-2/savingsPlans/s-2"

EA_DEFAULTS = {
    "BillingAccountId": "8611537",
    "BillingAccountName": "Contoso",
    "BillingProfileId": "8611537",
    "BillingPeriodStartDate": "09/01/2023",
    "BillingPeriodEndDate": "09/30/2023",
    "SubscriptionId": "sub-1",
    "SubscriptionName": "Production",
    "Date": "09/02/2023",
    "MeterCategory": "Virtual Machines",
    "MeterName": "D2 v3",
    "MeterId": "meter-1",
    "ConsumedService": "Microsoft.Compute",
    "ResourceId": "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
    "ResourceLocation": "EastUS",
    "Quantity": "10",
    "UnitPrice": "0.1",
    "PayGPrice": "0.12",
    "CostInBillingCurrency": "1",
    "BillingCurrencyCode": "USD",
    "ChargeType": "Usage",
    "PricingModel": "OnDemand",
    "Frequency": "UsageBased",
    "benefitId": "",
    "benefitName": "",
    "UnitOfMeasure": "1 Hour",
    "Tags": '"env": "prod"',
}


def ea_row(**values: str) -> dict[str, str]:
    return {**EA_DEFAULTS, **values}


def write_csv(
    path: Path, rows: list[dict[str, str]], *, bom: bool = False, crlf: bool = False
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as out:
        writer = csv.DictWriter(
            out, fieldnames=list(rows[0]), lineterminator="\r\n" if crlf else "\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(con: duckdb.DuckDBPyConnection, path: Path) -> FileOutcome:
    [outcome] = ingest_and_refresh(con, path, source="azure").files
    assert outcome.status == "loaded", outcome.reason
    assert outcome.format == "azure-cost"
    return outcome


def focus_rows(con: duckdb.DuckDBPyConnection, columns: str) -> list[tuple]:
    return con.execute(
        # the selected columns break ties, so rows that differ only there keep one order
        f"select {columns} from focus_costs order by x_ChargeType, BilledCost, {columns}"
    ).fetchall()


@pytest.mark.parametrize(
    "tags",
    [
        '"env": "prod","team": "data"',
        '{"env": "prod", "team": "data"}',
        ' "env":"prod" , "team":"data" ',
    ],
    ids=["no-braces", "braces", "spaces"],
)
def test_tags_with_or_without_braces(warehouse, tmp_path: Path, tags: str) -> None:
    load(warehouse, write_csv(tmp_path / "costs.csv", [ea_row(Tags=tags), ea_row(Tags="")]))
    assert warehouse.execute(
        "select Tags->>'env', Tags->>'team' from focus_costs order by 1 nulls last"
    ).fetchall() == [("prod", "data"), (None, None)]


@pytest.mark.parametrize(
    ("charge_date", "period_start"),
    [
        ("9/2/2023", "9/1/2023"),
        ("09/02/2023", "09/01/2023"),
        ("2023-09-02", "2023-09-01"),
        ("2023-09-02T00:00:00.0000000Z", "2023-09-01T00:00:00.0000000Z"),
    ],
    ids=["m-d-yyyy", "mm-dd-yyyy", "iso-date", "iso-timestamp"],
)
def test_date_formats(warehouse, tmp_path: Path, charge_date: str, period_start: str) -> None:
    row = ea_row(Date=charge_date, BillingPeriodStartDate=period_start)
    outcome = load(warehouse, write_csv(tmp_path / "costs.csv", [row]))
    assert outcome.periods == [date(2023, 9, 1)]
    assert focus_rows(
        warehouse, "ChargePeriodStart, ChargePeriodEnd, BillingPeriodStart, BillingPeriodEnd"
    ) == [
        (datetime(2023, 9, 2), datetime(2023, 9, 3), datetime(2023, 9, 1), datetime(2023, 10, 1)),
    ]


def test_bom_and_crlf(warehouse, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "costs.csv", [ea_row(), ea_row(CostInBillingCurrency="2.5")], bom=True, crlf=True
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbfBillingAccountId")
    outcome = load(warehouse, path)
    assert outcome.rows == 2 and outcome.totals == {"USD": Decimal("3.5")}


def test_euro_billing_currency(warehouse, tmp_path: Path) -> None:
    rows = [
        ea_row(BillingCurrencyCode="EUR", CostInBillingCurrency="1.25"),
        ea_row(BillingCurrencyCode="EUR"),
    ]
    outcome = load(warehouse, write_csv(tmp_path / "costs.csv", rows))
    assert outcome.totals == {"EUR": Decimal("2.25")}
    assert warehouse.execute(
        "select BillingCurrency, sum(BilledCost) from focus_costs group by 1"
    ).fetchall() == [("EUR", Decimal("2.25"))]
    assert all(r.ok for r in reconcile(warehouse))


def test_mca_prices_convert_from_pricing_to_billing_currency(warehouse, tmp_path: Path) -> None:
    row = {
        "billingAccountId": "acct-guid",
        "billingAccountName": "Fabrikam",
        "billingProfileId": "BP-1",
        "billingProfileName": "Fabrikam EU",
        "billingPeriodStartDate": "2023-09-01",
        "date": "2023-09-02",
        "meterCategory": "Storage",
        "subscriptionId": "sub-2",
        "quantity": "10",
        "unitPrice": "1.5",
        "payGPrice": "2",
        "billingCurrency": "EUR",
        "pricingCurrency": "USD",
        "exchangeRatePricingToBilling": "0.9",
        "costInBillingCurrency": "13.5",
        "costInPricingCurrency": "15",
        "chargeType": "Usage",
        "pricingModel": "OnDemand",
        "tags": "",
    }
    load(warehouse, write_csv(tmp_path / "costs.csv", [row]))
    assert focus_rows(
        warehouse,
        "BillingAccountId, BillingAccountName, BillingAccountType, BillingCurrency, "
        "ListUnitPrice, ContractedUnitPrice, ListCost, ContractedCost, PricingCurrency, "
        "PricingCurrencyListUnitPrice, PricingCurrencyEffectiveCost, ServiceCategory",
    ) == [
        (
            "BP-1", "Fabrikam EU", "Billing Profile", "EUR",
            Decimal("1.8"), Decimal("1.35"), Decimal("18"), Decimal("13.5"), "USD",
            Decimal("2"), Decimal("15"), "Storage",
        )
    ]  # fmt: skip


def test_actual_dataset_semantics(warehouse, tmp_path: Path) -> None:
    rows = [
        ea_row(CostInBillingCurrency="10"),
        ea_row(ChargeType="Purchase", PricingModel="Reservation", benefitId=RESERVATION,
               benefitName="vm-ri", Frequency="OneTime", CostInBillingCurrency="120"),
        ea_row(PricingModel="Reservation", benefitId=RESERVATION, benefitName="vm-ri",
               CostInBillingCurrency="0"),
        ea_row(ChargeType="Purchase", PricingModel="", Frequency="Recurring",
               MeterCategory="", ConsumedService="Microsoft.SaaS", CostInBillingCurrency="5"),
        ea_row(ChargeType="Refund", PricingModel="Reservation", benefitId=RESERVATION,
               Frequency="OneTime", CostInBillingCurrency="-20"),
        ea_row(ChargeType="RoundingAdjustment", PricingModel="", Frequency="", CostInBillingCurrency="-0.01"),
    ]  # fmt: skip
    outcome = load(warehouse, write_csv(tmp_path / "costs.csv", rows))
    assert outcome.cost_basis == "billed"
    assert outcome.totals == {"USD": Decimal("114.99")}
    assert focus_rows(
        warehouse,
        "x_ChargeType, ChargeCategory, ChargeClass, ChargeFrequency, PricingCategory, "
        "CommitmentDiscountStatus, BilledCost, EffectiveCost",
    ) == [
        ("Purchase", "Purchase", None, "Recurring", "Standard", None, 5, 5),
        ("Purchase", "Purchase", None, "One-Time", "Committed", None, 120, 0),
        ("Refund", "Purchase", "Correction", "One-Time", "Committed", None, -20, 0),
        ("RoundingAdjustment", "Adjustment", None, "Other", None, None, Decimal("-0.01"), Decimal("-0.01")),
        ("Usage", "Usage", None, "Usage-Based", "Committed", "Used", 0, 0),
        ("Usage", "Usage", None, "Usage-Based", "Standard", None, 10, 10),
    ]  # fmt: skip
    assert all(r.ok and r.cost_basis == "billed" for r in reconcile(warehouse))


def test_amortized_dataset_semantics(warehouse, tmp_path: Path) -> None:
    rows = [
        ea_row(CostInBillingCurrency="10"),
        ea_row(PricingModel="Reservation", benefitId=RESERVATION, CostInBillingCurrency="4"),
        ea_row(PricingModel="SavingsPlan", benefitId=SAVINGS_PLAN, CostInBillingCurrency="3"),
        ea_row(ChargeType="UnusedReservation", PricingModel="Reservation", benefitId=RESERVATION,
               ConsumedService="Microsoft.Capacity", CostInBillingCurrency="2"),
        ea_row(ChargeType="UnusedSavingsPlan", PricingModel="SavingsPlan", benefitId=SAVINGS_PLAN,
               ConsumedService="Microsoft.BillingBenefits", CostInBillingCurrency="1"),
    ]  # fmt: skip
    outcome = load(warehouse, write_csv(tmp_path / "AmortizedCost.csv", rows))
    assert outcome.cost_basis == "effective"
    assert focus_rows(
        warehouse,
        "x_ChargeType, ChargeCategory, CommitmentDiscountType, CommitmentDiscountCategory, "
        "CommitmentDiscountStatus, BilledCost, EffectiveCost",
    ) == [
        ("UnusedReservation", "Usage", "Reservation", "Usage", "Unused", 0, 2),
        ("UnusedSavingsPlan", "Usage", "Savings Plan", "Spend", "Unused", 0, 1),
        ("Usage", "Usage", "Reservation", "Usage", "Used", 0, 4),
        ("Usage", "Usage", "Savings Plan", "Spend", "Used", 0, 3),
        ("Usage", "Usage", None, None, None, 10, 10),
    ]
    assert all(r.ok and r.cost_basis == "effective" for r in reconcile(warehouse))


ON_DEMAND = [ea_row()]
UNUSED = [
    ea_row(),
    ea_row(ChargeType="UnusedReservation", PricingModel="Reservation", benefitId=RESERVATION),
]
COVERED = [
    ea_row(),
    ea_row(PricingModel="SavingsPlan", benefitId=SAVINGS_PLAN, CostInBillingCurrency="0.4"),
]
PURCHASED = [
    ea_row(),
    ea_row(PricingModel="Reservation", benefitId=RESERVATION, CostInBillingCurrency="0"),
    ea_row(ChargeType="Purchase", PricingModel="Reservation", benefitId=RESERVATION),
]


@pytest.mark.parametrize(
    ("relative", "rows", "basis"),
    [
        ("exports/daily-amortized/20230901-20230930/run-1/part_0.csv", ON_DEMAND, "effective"),
        ("exports/amortized/a/b/c/part_0.csv", ON_DEMAND, "billed"),
        ("exports/costs/part_0.csv", UNUSED, "effective"),
        ("exports/costs/part_0.csv", COVERED, "effective"),
        ("exports/costs/part_0.csv", PURCHASED, "billed"),
    ],
    ids=["export-name", "too-far-up", "unused-rows", "covered-usage-cost", "actual-rows"],
)
def test_dataset_kind_from_path_or_rows(
    warehouse, tmp_path: Path, relative: str, rows: list[dict[str, str]], basis: str
) -> None:
    outcome = load(warehouse, write_csv(tmp_path / relative, rows))
    assert outcome.cost_basis == basis
    assert all(r.ok and r.cost_basis == basis for r in reconcile(warehouse))


def test_text_in_cost_column_names_row_and_column(warehouse, tmp_path: Path) -> None:
    rows = [ea_row(CostInBillingCurrency="1.00"), ea_row(CostInBillingCurrency="N/A")]
    path = write_csv(tmp_path / "costs.csv", rows)
    [outcome] = ingest_and_refresh(warehouse, path, source="azure").files
    assert outcome.status == "rejected"
    assert "cannot read value 'N/A'" in outcome.reason
    assert "data row 2" in outcome.reason and "column 'CostInBillingCurrency'" in outcome.reason
    assert warehouse.execute("select count(*) from raw_azure_cost").fetchone() == (0,)


def test_legacy_pay_as_you_go(warehouse, tmp_path: Path) -> None:
    row = {
        "SubscriptionGuid": "sub-guid",
        "ResourceGroup": "rg",
        "ResourceLocation": "US East",
        "UsageDateTime": "2021-02-27",
        "MeterCategory": "Load Balancer",
        "MeterName": "Included LB Rules",
        "UsageQuantity": "3",
        "ResourceRate": "0.025",
        "PreTaxCost": "0.075",
        "ConsumedService": "Microsoft.Network",
        "InstanceId": "/subscriptions/sub-guid/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb",
        "Tags": "",
        "ServiceName": "Load Balancer",
        "Currency": "GBP",
    }
    outcome = load(warehouse, write_csv(tmp_path / "usage.csv", [row]))
    assert outcome.periods == [date(2021, 2, 1)]
    assert outcome.totals == {"GBP": Decimal("0.075")}
    assert focus_rows(
        warehouse,
        "BillingAccountId, BillingAccountType, SubAccountId, ResourceId, ResourceName, RegionId, "
        "ChargeCategory, PricingCategory, ContractedUnitPrice, ListCost, ServiceCategory",
    ) == [
        (
            "sub-guid", "Subscription", "sub-guid", row["InstanceId"], "lb", "useast",
            "Usage", "Standard", Decimal("0.025"), Decimal("0.075"), "Networking",
        )
    ]  # fmt: skip


def test_no_currency_column_defaults_to_usd(warehouse, tmp_path: Path) -> None:
    row = {"subscriptionid": "s", "UsageDateTime": "2021-02-02", "MeterCategory": "Storage",
           "costinbillingcurrency": "0.5", "Tags": ""}  # fmt: skip
    outcome = load(warehouse, write_csv(tmp_path / "template.csv", [row]))
    assert outcome.totals == {"USD": Decimal("0.5")}
    assert warehouse.execute("select BillingCurrency from focus_costs").fetchall() == [("USD",)]


def test_header_only_file_loads_no_rows(warehouse, tmp_path: Path) -> None:
    path = tmp_path / "headers.csv"
    path.write_text(",".join(EA_DEFAULTS) + "\n", encoding="utf-8")
    outcome = load(warehouse, path)
    assert outcome.rows == 0 and outcome.periods == [] and outcome.totals == {}


def test_focus_like_header_is_not_azure(warehouse, tmp_path: Path) -> None:
    path = tmp_path / "focus.csv"
    path.write_text(
        "BilledCost,EffectiveCost,ChargePeriodStart,Date,Cost,MeterCategory,BillingCurrency\n"
        "1,1,2023-09-02,2023-09-02,1,Storage,USD\n",
        encoding="utf-8",
    )
    try:
        detected = detect_format(read_schema(warehouse, path, "csv"), path).mapping.format
    except IngestError:
        detected = None
    assert detected != "azure-cost"
