"""The real GCP billing samples (koku's BigQuery-to-CSV flattening) load and reconcile exactly.

The reference is computed here with csv, ast.literal_eval and Decimal: Σ cost + Σ credits per
currency, the invoice basis; it must equal the load log, focus_costs and reconciliation.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.refresh import ingest_and_refresh
from tests.conformance.reference_totals import cents, dec, read_rows, totals_by

pytestmark = pytest.mark.conformance

CASES = [
    ("koku-gcp/tmp_example.csv", 292),
    ("koku-gcp/2022-08-01_5.csv", 9),
]


def _credits(row: dict[str, str]) -> list[dict]:
    text = (row.get("credits") or "").strip()
    return ast.literal_eval(text) if text not in ("", "None") else []


def _invoice_amount(row: dict[str, str]) -> Decimal:
    """cost plus every credit on the row; repr() gives back the float's exact source text."""
    return dec(row["cost"]) + sum((Decimal(repr(c["amount"])) for c in _credits(row)), Decimal(0))


@pytest.mark.parametrize(("relative", "expected_rows"), CASES)
def test_gcp_sample_loads_and_reconciles(
    warehouse, shared_datasets: Path, relative: str, expected_rows: int
) -> None:
    path = shared_datasets / relative
    report = ingest_and_refresh(warehouse, path, source="sample")
    [outcome] = report.files
    assert outcome.status == "loaded", outcome.reason
    assert outcome.format == "gcp-billing" and outcome.detected
    assert outcome.rows == expected_rows

    rows = read_rows(path)
    reference = totals_by(rows, lambda r: r["currency"], _invoice_amount)
    assert outcome.totals == reference

    credit_count = sum(len(_credits(r)) for r in rows)
    focus_rows = warehouse.execute("select count(*) from focus_costs").fetchone()
    assert focus_rows == (expected_rows + credit_count,)
    focus = dict(
        warehouse.execute(
            "select BillingCurrency, sum(BilledCost) from focus_costs group by 1"
        ).fetchall()
    )
    assert {k: cents(v) for k, v in focus.items()} == {k: cents(v) for k, v in reference.items()}
    assert focus == reference  # exact, not only to the cent
    assert all(row.ok for row in reconcile(warehouse))


def test_gcp_sample_dimensions(warehouse, shared_datasets: Path) -> None:
    """Labels, project labels and system labels all reach Tags; services get categories."""
    path = shared_datasets / "koku-gcp/tmp_example.csv"
    ingest_and_refresh(warehouse, path, source="sample")
    rows = read_rows(path)
    for key, column in [
        ("foo", "project.labels"),
        ("vm_key_proj2", "labels"),
        ("compute.googleapis.com/machine_spec", "system_labels"),
    ]:
        expected = sum(any(kv["key"] == key for kv in ast.literal_eval(r[column])) for r in rows)
        found = warehouse.execute(
            "select count(*) from focus_costs where Tags->>? is not null", [key]
        ).fetchone()
        assert found == (expected,), key
        assert expected > 0
    instance_types = warehouse.execute(
        "select distinct x_InstanceType from focus_costs where x_InstanceType is not null"
    ).fetchall()
    assert instance_types == [("e2-medium",)]
    categories = dict(
        warehouse.execute(
            "select distinct ServiceName, ServiceCategory from focus_costs"
        ).fetchall()
    )
    assert categories == {
        "Compute Engine": "Compute",
        "Cloud Storage": "Storage",
        "BigQuery": "Databases",
        "Stackdriver Logging": "Management and Governance",
    }
    billing = warehouse.execute(
        "select distinct cast(BillingPeriodStart as date), ProviderName, BillingAccountId "
        "from focus_costs"
    ).fetchall()
    assert [(str(p), n, a) for p, n, a in billing] == [
        ("2020-10-01", "Google Cloud", "2G11B4-01028B-AB26DE")
    ]
    projects = warehouse.execute("select distinct SubAccountId from focus_costs").fetchall()
    assert {p for (p,) in projects} == {r["project.id"] for r in rows}
