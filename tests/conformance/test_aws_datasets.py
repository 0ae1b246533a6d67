"""The real AWS CUR samples load, and focus_costs reconciles with them to the cent."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.refresh import ingest_and_refresh
from tests.conformance.reference_totals import cents, dec, read_rows, totals_by

pytestmark = pytest.mark.conformance

CASES = [
    ("focus-converters/sample-anonymous-aws-export-dataset.csv", "aws-cur", 1281),
    ("koku-aws/2022-07-01-alt-columns.csv", "aws-cur", 2),
]


def _cost(row: dict[str, str]) -> str:
    return row.get("lineItem/UnblendedCost") or row.get("line_item_unblended_cost") or ""


def _currency(row: dict[str, str]) -> str:
    return row.get("lineItem/CurrencyCode") or row.get("line_item_currency_code") or ""


@pytest.mark.parametrize(("relative", "expected_format", "expected_rows"), CASES)
def test_aws_sample_loads_and_reconciles(
    warehouse, shared_datasets: Path, relative: str, expected_format: str, expected_rows: int
) -> None:
    path = shared_datasets / relative
    report = ingest_and_refresh(warehouse, path, source="sample")
    [outcome] = report.files
    assert outcome.status == "loaded", outcome.reason
    assert outcome.format == expected_format
    assert outcome.rows == expected_rows

    reference = totals_by(read_rows(path), _currency, lambda r: dec(_cost(r)))
    assert outcome.totals == reference

    focus = dict(
        warehouse.execute(
            "select BillingCurrency, sum(BilledCost) from focus_costs group by 1"
        ).fetchall()
    )
    assert {k: cents(v) for k, v in focus.items()} == {k: cents(v) for k, v in reference.items()}
    assert focus == reference  # exact, not only to the cent
    assert all(row.ok for row in reconcile(warehouse))
