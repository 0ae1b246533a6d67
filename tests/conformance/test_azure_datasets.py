"""The real Azure cost details samples load, and focus_costs reconciles with them exactly.

Each file is checked against an independent reading with Python's csv and Decimal: row
count, cost total per currency (load_log and focus_costs on the file's cost basis), the
reconciliation, and that a tag known to be in the file can be queried with `Tags->>'key'`.
Money lands as DECIMAL(38, 12), so the reference rounds each line to 12 places (half away
from zero, as DuckDB's cast does) before summing; the unrounded sum is checked to the cent.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.reader import read_schema
from finops_pipeline.ingest.select import detect_format
from finops_pipeline.refresh import ingest_and_refresh
from tests.conformance.reference_totals import cents, dec, read_rows, totals_by

pytestmark = pytest.mark.conformance

SCALE = Decimal("1e-12")
COST_COLUMNS = ("costinbillingcurrency", "cost", "pretaxcost")
CURRENCY_COLUMNS = ("billingcurrencycode", "billingcurrency", "currency")
# These two files need the reader's lenient paths: mixed CRLF/LF line endings
# (`strict_mode = false`) and data rows that stop short of the header (Template.csv).


@dataclass(frozen=True)
class Case:
    relative: str
    rows: int
    basis: str
    tag: tuple[str, str] | None


CASES = [
    Case("finops-toolkit/EA_AmortizedCost_Small.csv", 28, "effective", ("env", "prod")),
    Case(
        "focus-converters/sample-anonymous-ea-export-dataset.csv", 27, "billed", ("tagA", "valueA")
    ),
    Case("koku-azure/azure_version_2.csv", 5, "billed", None),
    Case("koku-azure/camel_azure_version_2.csv", 4, "billed", ("project", "p1")),
    Case("opencost-azure-billingexports/Enterprise.csv", 1, "billed", ("poolName", "defaultpool")),
    Case(
        "opencost-azure-billingexports/EnterpriseCamel.csv", 1, "billed", ("Vendor", "Databricks")
    ),
    Case("opencost-azure-billingexports/PayAsYouGo.csv", 1, "billed", None),
    Case(
        "opencost-azure-billingexports/Template.csv",
        87,
        "billed",
        ("created-by", "kubernetes-azure-dd"),
    ),
]
IRREGULAR_LAYOUT = {
    "koku-azure/camel_azure_version_2.csv",
    "opencost-azure-billingexports/Template.csv",
}


def _params() -> list:
    return [pytest.param(case, id=case.relative) for case in CASES]


def _field(row: dict[str, str], names: tuple[str, ...]) -> str | None:
    by_lower = {k.lower(): v for k, v in row.items() if k is not None}
    for name in names:
        if name in by_lower:
            return by_lower[name] or ""
    return None


def _cost(row: dict[str, str]) -> Decimal:
    return dec(_field(row, COST_COLUMNS))


def _cost_at_scale(row: dict[str, str]) -> Decimal:
    return _cost(row).quantize(SCALE, rounding=ROUND_HALF_UP)


def _currency(row: dict[str, str]) -> str:
    # No currency column at all (Template.csv): the mapping's documented default.
    return _field(row, CURRENCY_COLUMNS) or "USD"


def _tags(row: dict[str, str]) -> dict[str, object]:
    text = (_field(row, ("tags",)) or "").strip()
    if not text:
        return {}
    return json.loads(text if text.startswith("{") else "{" + text + "}")


def check_dataset(warehouse, path: Path, case: Case) -> None:
    report = ingest_and_refresh(warehouse, path, source="sample")
    [outcome] = report.files
    assert outcome.status == "loaded", outcome.reason
    assert outcome.format == "azure-cost" and outcome.detected
    assert outcome.cost_basis == case.basis

    rows = read_rows(path)
    assert outcome.rows == len(rows) == case.rows
    reference = totals_by(rows, _currency, _cost_at_scale)
    assert outcome.totals == reference
    unrounded = totals_by(rows, _currency, _cost)
    assert {k: cents(v) for k, v in outcome.totals.items()} == {
        k: cents(v) for k, v in unrounded.items()
    }

    column = "EffectiveCost" if case.basis == "effective" else "BilledCost"
    focus = dict(
        warehouse.execute(
            f"select BillingCurrency, sum({column}) from focus_costs group by 1"
        ).fetchall()
    )
    assert focus == reference
    [(focus_rows,)] = warehouse.execute("select count(*) from focus_costs").fetchall()
    assert focus_rows == case.rows

    recon = reconcile(warehouse)
    assert recon and all(r.ok and r.cost_basis == case.basis for r in recon), recon

    if case.tag:
        key, value = case.tag
        expected = sum(1 for r in rows if _tags(r).get(key) == value)
        [(found,)] = warehouse.execute(
            f"select count(*) from focus_costs where Tags->>'{key}' = ?", [value]
        ).fetchall()
        assert found == expected > 0


@pytest.mark.parametrize("case", _params())
def test_azure_sample_loads_and_reconciles(warehouse, shared_datasets: Path, case: Case) -> None:
    check_dataset(warehouse, shared_datasets / case.relative, case)


@pytest.mark.parametrize("relative", sorted(IRREGULAR_LAYOUT))
def test_azure_sample_content_with_regular_csv_layout(
    warehouse, shared_datasets: Path, tmp_path: Path, relative: str
) -> None:
    """The two irregular files rewritten with LF endings and full rows load the same.

    Separates the mapping (their content) from the reader's lenient paths (their layout).
    """
    [case] = [c for c in CASES if c.relative == relative]
    text = (shared_datasets / relative).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    copy = tmp_path / Path(relative).name
    with copy.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out, lineterminator="\n").writerows(
            row + [""] * (len(rows[0]) - len(row)) for row in rows
        )
    check_dataset(warehouse, copy, case)


def test_ea_amortized_semantics(warehouse, shared_datasets: Path) -> None:
    """Commitment-covered usage keeps its amortized cost in EffectiveCost, 0 in BilledCost."""
    path = shared_datasets / "finops-toolkit/EA_AmortizedCost_Small.csv"
    ingest_and_refresh(warehouse, path, source="sample")
    rows = read_rows(path)
    covered = [r for r in rows if r["PricingModel"] in ("Reservation", "SavingsPlan")]
    on_demand = sum((_cost_at_scale(r) for r in rows if r not in covered), Decimal(0))
    [(billed, effective)] = warehouse.execute(
        "select sum(BilledCost), sum(EffectiveCost) from focus_costs"
    ).fetchall()
    assert billed == on_demand
    assert effective == sum((_cost_at_scale(r) for r in rows), Decimal(0))
    commitments = warehouse.execute(
        "select CommitmentDiscountType, CommitmentDiscountCategory, CommitmentDiscountStatus, "
        "PricingCategory, BilledCost, EffectiveCost from focus_costs "
        "where CommitmentDiscountId is not null order by 1"
    ).fetchall()
    assert [c[:4] for c in commitments] == [
        ("Reservation", "Usage", "Used", "Committed"),
        ("Savings Plan", "Spend", "Used", "Committed"),
    ]
    assert all(c[4] == 0 and c[5] > 0 for c in commitments)


def test_focus_file_is_not_taken_for_azure(warehouse, shared_datasets: Path) -> None:
    """FOCUS files carry Azure-like columns too; the detect rule must leave them alone."""
    path = shared_datasets / "focus-sample-data/focus_sample.csv"
    schema = read_schema(warehouse, path, "csv")
    try:
        detected = detect_format(schema, path).mapping.format
    except IngestError:  # no FOCUS mapping installed: unknown format is the right answer too
        detected = None
    assert detected != "azure-cost"


def test_service_categories_for_sample_services(warehouse, shared_datasets: Path) -> None:
    ingest_and_refresh(
        warehouse, shared_datasets / "finops-toolkit/EA_AmortizedCost_Small.csv", "sample"
    )
    categories = dict(
        warehouse.execute(
            "select distinct ServiceName, ServiceCategory from focus_costs"
        ).fetchall()
    )
    assert categories["Virtual Machines"] == "Compute"
    assert categories["Storage"] == "Storage"
    assert categories["SQL Managed Instance"] == "Databases"
    assert "Other" not in categories.values(), categories
