"""GCP resource-based committed use discount fees, amortized as FOCUS wants (EffectiveCost
0 on a Purchase that covers eligible charges, EffectiveCost-C-005-C), on a tiny export.

One day, one CPU commitment of 10 vCPU-hours for 5.00: usage rows whose CUD credits cover 6
of those hours (u = 0.6), so 2.00 of the fee is unused and 3.00 goes to the covered rows by
covered hours; sums of BilledCost and EffectiveCost are unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from finops_pipeline.refresh import ingest_and_refresh
from tests.unit.test_gcp_billing import _row, write_export

COMMITMENT = "projects/proj-a/regions/us-central1/commitments/cud-1"
VM = "//compute.googleapis.com/vm-1"


def _cud(amount: float, kind: str = "CPU") -> dict:
    return {"name": f"Committed Usage Discount: {kind}", "amount": amount, "full_name": None,
            "id": COMMITMENT, "type": "COMMITTED_USAGE_DISCOUNT"}  # fmt: skip


def _usage(cost: float, hours: float, credit: float, **kw) -> dict:
    row = _row(cost, credits=[_cud(credit)], **kw)
    row["usage"] = {**row["usage"], "amount_in_pricing_units": hours}
    return row


def _fee(cost: float, hours: float, sku: str = "Commitment v1: Cpu in Americas for 1 Year") -> dict:
    row = _row(cost, sku=sku)
    row["usage"] = {**row["usage"], "amount_in_pricing_units": hours}
    return row


def _load(con: duckdb.DuckDBPyConnection, tmp_path: Path, rows: list[dict]) -> None:
    report = ingest_and_refresh(con, write_export(rows, tmp_path, "jsonl"), source="gcp")
    assert report.files[0].status == "loaded", report.files[0].reason


def _totals(con: duckdb.DuckDBPyConnection) -> tuple:
    return con.execute("select sum(BilledCost), sum(EffectiveCost) from focus_costs").fetchone()


def test_fee_is_spread_over_covered_usage_and_the_rest_is_unused(warehouse, tmp_path) -> None:
    rows = [
        # 4 of 4 hours covered (credit = the whole on-demand cost)
        _usage(4.0, 4.0, -4.0, project="proj-a"),
        # 2 of 4 hours covered
        _usage(4.0, 4.0, -2.0, project="proj-b"),
        _fee(5.0, 10.0),
    ]
    _load(warehouse, tmp_path, rows)
    got = warehouse.execute(
        """
        select ChargeCategory, CommitmentDiscountStatus, SubAccountId, ResourceId,
            CommitmentDiscountId, BilledCost, EffectiveCost
        from focus_costs
        where ChargeCategory <> 'Credit'
        order by ChargeCategory, CommitmentDiscountStatus, SubAccountId
        """
    ).fetchall()
    assert got == [
        ("Purchase", None, "proj-a", VM, COMMITMENT, Decimal(5), Decimal(0)),
        ("Usage", "Unused", "proj-a", COMMITMENT, COMMITMENT, Decimal(0), Decimal(2)),
        # 4 covered hours of 6: 2.00 of the used 3.00; 2 hours: 1.00
        ("Usage", "Used", "proj-a", VM, COMMITMENT, Decimal(4), Decimal(6)),
        ("Usage", "Used", "proj-b", VM, COMMITMENT, Decimal(4), Decimal(5)),
    ]
    assert _totals(warehouse) == (Decimal("7.0"), Decimal("7.0"))


def test_shares_that_do_not_divide_evenly_still_sum_exactly(warehouse, tmp_path) -> None:
    rows = [_usage(1.0, 1.0, -1.0, project=f"proj-{i}") for i in range(3)] + [_fee(1.0, 3.0)]
    _load(warehouse, tmp_path, rows)
    shares = warehouse.execute(
        "select EffectiveCost - BilledCost from focus_costs where CommitmentDiscountStatus = 'Used'"
    ).fetchall()
    assert sum(s for (s,) in shares) == Decimal(1)  # fully used: the whole fee, to 1e-12
    assert max(s for (s,) in shares) - min(s for (s,) in shares) <= Decimal("1e-12")
    assert _totals(warehouse) == (Decimal(1), Decimal(1))
    assert warehouse.execute(
        "select count(*) from focus_costs where CommitmentDiscountStatus = 'Unused'"
    ).fetchone() == (0,)


def test_fee_of_another_kind_or_without_covered_usage_stays_as_billed(warehouse, tmp_path) -> None:
    rows = [
        _usage(4.0, 4.0, -4.0),
        # RAM fee: no RAM usage covered that day, so nothing names its commitment
        _fee(3.0, 8.0, sku="Commitment v1: Ram in Americas for 1 Year"),
    ]
    _load(warehouse, tmp_path, rows)
    fee = warehouse.execute(
        "select BilledCost, EffectiveCost, CommitmentDiscountId from focus_costs "
        "where ChargeCategory = 'Purchase'"
    ).fetchall()
    assert fee == [(Decimal(3), Decimal(3), None)]
    assert warehouse.execute(
        "select EffectiveCost from focus_costs where CommitmentDiscountStatus = 'Used'"
    ).fetchall() == [(Decimal(4),)]
