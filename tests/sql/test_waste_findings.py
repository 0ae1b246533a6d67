"""waste_findings against the generator's planted waste (13 months, so snapshots grow old)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError

from finops_pipeline.demo import ingest_demo
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import demo_settings
from finops_pipeline.warehouse import connect
from finops_pipeline.waste.build import build_waste_findings
from finops_pipeline.waste.quality import violations
from finops_pipeline.waste.settings import WasteSettings

CENT = Decimal("0.005")
# Checks whose every finding must be planted: the demo's clean resources must not appear.
PRECISE_CHECKS = (
    "gp2_volume",
    "previous_generation",
    "idle_nat_gateway",
    "old_snapshot",
    "unattached_disk",
    "idle_public_ip",
)
# What the generator plants in the Azure and GCP exports (ground_truth.json "waste").
PLANTED_BEYOND_AWS = {
    ("Microsoft", "previous_generation"),
    ("Microsoft", "unattached_disk"),
    ("Microsoft", "idle_public_ip"),
    ("Google Cloud", "previous_generation"),
    ("Google Cloud", "unattached_disk"),
    ("Google Cloud", "idle_public_ip"),
}

Key = tuple[str, str, str]  # check, resource id, billing month YYYY-MM


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    root = tmp_path_factory.mktemp("waste")
    data = root / "data"
    truth = generate(data, end_month="2026-11", months=13)
    policy = demo_settings(data).tag_policy
    con = connect(root / "w.duckdb")

    def ingest(c: duckdb.DuckDBPyConnection, path: Path, source: str, fmt: str) -> object:
        return ingest_and_refresh(c, path, source, fmt, policy=policy)

    for _ in ingest_demo(con, data, ingest):
        pass
    build_waste_findings(con, None)
    yield con, truth
    con.close()


def _findings(con: duckdb.DuckDBPyConnection, check: str | None = None) -> dict[Key, tuple]:
    rows = con.execute(
        "select check_name, resource_id, strftime(billing_month, '%Y-%m'), monthly_cost, "
        "estimated_monthly_savings from waste_findings "
        "where ? is null or check_name = ?",
        [check, check],
    ).fetchall()
    return {(c, r, m): (cost, savings) for c, r, m, cost, savings in rows}


def _truth(truth: dict, check: str | None = None) -> dict[Key, Decimal]:
    return {
        (w["check"], w["resource_id"], w["billing_month"]): Decimal(w["monthly_cost"])
        for w in truth["waste"]
        if check is None or w["check"] == check
    }


@pytest.mark.parametrize(
    "check",
    [
        "gp2_volume",
        "previous_generation",
        "idle_nat_gateway",
        "old_snapshot",
        "unused_commitment",
        "unattached_disk",
        "idle_public_ip",
    ],
)
def test_every_planted_item_is_found_with_its_monthly_cost(
    demo: tuple[duckdb.DuckDBPyConnection, dict], check: str
) -> None:
    con, truth = demo
    expected = _truth(truth, check)
    assert expected, f"the demo plants no {check}"
    found = _findings(con, check)
    missing = sorted(set(expected) - set(found))
    assert not missing, f"{len(missing)}/{len(expected)} planted {check} not found: {missing[:5]}"
    off = {k: (found[k][0], v) for k, v in expected.items() if abs(found[k][0] - v) >= CENT}
    assert not off, f"monthly_cost differs from the truth: {off}"


@pytest.mark.parametrize(
    ("provider", "check"), sorted(PLANTED_BEYOND_AWS), ids=lambda v: str(v).replace(" ", "_")
)
def test_azure_and_gcp_waste_recall(
    demo: tuple[duckdb.DuckDBPyConnection, dict], provider: str, check: str
) -> None:
    """Every planted Azure/GCP item is found in every month it is waste (recall 1.0), with
    its savings by the documented default share."""
    con, truth = demo
    planted = {
        (w["resource_id"], w["billing_month"]): Decimal(w["monthly_cost"])
        for w in truth["waste"]
        if w["provider"] == provider and w["check"] == check
    }
    assert planted, f"the demo plants no {provider} {check}"
    rows = con.execute(
        "select resource_id, strftime(billing_month, '%Y-%m'), monthly_cost, "
        "estimated_monthly_savings from waste_findings where provider = ? and check_name = ?",
        [provider, check],
    ).fetchall()
    found = {(r, m): (cost, savings) for r, m, cost, savings in rows}
    recall = len(set(planted) & set(found)) / len(planted)
    assert recall == 1.0, sorted(set(planted) - set(found))
    share = Decimal("0.05") if check == "previous_generation" else Decimal(1)
    for key, cost in planted.items():
        assert abs(found[key][0] - cost) < CENT, key
        assert abs(found[key][1] - cost * share) < CENT, key


@pytest.mark.parametrize("check", PRECISE_CHECKS)
def test_no_finding_on_a_clean_resource(
    demo: tuple[duckdb.DuckDBPyConnection, dict], check: str
) -> None:
    con, truth = demo
    extra = sorted(set(_findings(con, check)) - set(_truth(truth, check)))
    assert not extra, f"{check} flags resources that were not planted: {extra[:5]}"


def test_savings_are_between_zero_and_the_cost_and_name_their_assumptions(
    demo: tuple[duckdb.DuckDBPyConnection, dict],
) -> None:
    con, _ = demo
    bad = con.execute(
        "select check_name, resource_id, monthly_cost, estimated_monthly_savings "
        "from waste_findings where estimated_monthly_savings < 0 "
        "or estimated_monthly_savings > monthly_cost "
        "or coalesce(assumptions, '') = '' or coalesce(recommendation, '') = ''"
    ).fetchall()
    assert bad == []


def test_gp2_savings_follow_the_cid_formula(demo: tuple[duckdb.DuckDBPyConnection, dict]) -> None:
    # 500 GB gp2 at $0.10: gp3 storage 40, +125 MB/s at 0.08*0.5 = 5, no IOPS above 3000.
    con, _ = demo
    row = con.execute(
        "select monthly_cost, estimated_monthly_savings, assumptions from waste_findings "
        "where check_name = 'gp2_volume' and billing_month = '2026-10-01' "
        "and assumptions like '%GB=500.0%'"
    ).fetchone()
    assert row is not None
    cost, savings, assumptions = row
    assert abs(cost - Decimal(50)) < CENT
    assert abs(savings - Decimal(5)) < CENT
    assert "cost*0.8" in assumptions


def test_processor_candidates_skip_previous_generation_and_graviton(
    demo: tuple[duckdb.DuckDBPyConnection, dict],
) -> None:
    # The demo plants no Graviton/AMD candidates: check what they must never flag.
    con, truth = demo
    previous = {rid for (check, rid, _) in _truth(truth, "previous_generation")}
    candidates = {
        (c, r, m): v
        for (c, r, m), v in _findings(con).items()
        if c in ("graviton_candidate", "amd_candidate")
    }
    assert candidates, "the demo's on-demand m5 instances are Graviton/AMD candidates"
    assert not {r for (_, r, _) in candidates} & previous
    flagged_graviton = con.execute(
        "select count(*) from waste_findings as w join focus_costs as f "
        "on f.ResourceId = w.resource_id and cast(f.BillingPeriodStart as date) = w.billing_month "
        "where w.check_name like '%_candidate' and (f.x_InstanceType like '%g.%' "
        "or f.x_UsageType like '%BoxUsage:%g.%')"
    ).fetchone()
    assert flagged_graviton == (0,)
    for (check, rid, month), (cost, savings) in candidates.items():
        share = Decimal("0.1") if check == "amd_candidate" else Decimal("0.2")
        assert abs(savings - cost * share) < CENT, (check, rid, month)


def test_coverage_gap_is_on_demand_cost_only(demo: tuple[duckdb.DuckDBPyConnection, dict]) -> None:
    con, _ = demo
    row = con.execute(
        "select count(*), count(*) filter (where abs(estimated_monthly_savings "
        "- monthly_cost * 0.2) >= 0.005), "
        "count(distinct provider) from waste_findings where check_name = 'commitment_coverage_gap'"
    ).fetchone()
    assert row is not None and row[0] > 0 and row[1] == 0 and row[2] == 3
    # A resource's coverage-gap cost is its on-demand cost: never its committed hours.
    over = con.execute(
        "select w.resource_id, w.billing_month from waste_findings as w "
        "join focus_costs as f on f.ResourceId = w.resource_id "
        "and cast(f.BillingPeriodStart as date) = w.billing_month "
        "where w.check_name = 'commitment_coverage_gap' and f.ChargeCategory = 'Usage' "
        "group by all having any_value(w.monthly_cost) > sum(f.EffectiveCost) "
        "filter (where f.PricingCategory = 'Standard') + 0.005"
    ).fetchall()
    assert over == []


def test_findings_carry_owner_and_currency(demo: tuple[duckdb.DuckDBPyConnection, dict]) -> None:
    con, _ = demo
    row = con.execute(
        "select count(*) filter (where billing_currency is null or provider is null "
        "or sub_account_id is null), count(*) filter (where x_Team is not null) "
        "from waste_findings"
    ).fetchone()
    assert row is not None and row[0] == 0 and row[1] > 0


def test_a_month_rebuild_replaces_only_that_month(
    demo: tuple[duckdb.DuckDBPyConnection, dict],
) -> None:
    con, _ = demo
    before = _findings(con)
    written = build_waste_findings(con, date(2026, 10, 1))
    assert written == sum(1 for (_, _, m) in before if m == "2026-10")
    assert _findings(con) == before


def test_assumptions_are_settings(demo: tuple[duckdb.DuckDBPyConnection, dict]) -> None:
    con, _ = demo
    try:
        build_waste_findings(
            con,
            None,
            WasteSettings(snapshot_age_months=6, previous_generation_savings=Decimal("0.1")),
        )
        snapshots = _findings(con, "old_snapshot")
        assert len(snapshots) > 1  # the old snapshot's months 6..12 after first billed
        assumptions = con.execute(
            "select any_value(assumptions) from waste_findings "
            "where check_name = 'previous_generation'"
        ).fetchone()
        assert assumptions is not None and "* 0.1;" in assumptions[0]
    finally:
        build_waste_findings(con, None)


def _tiny_warehouse(
    demo_con: duckdb.DuckDBPyConnection, rows: list[dict]
) -> duckdb.DuckDBPyConnection:
    """An in-memory focus_costs with the real schema holding only `rows`."""
    columns = demo_con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_name = 'focus_costs' order by ordinal_position"
    ).fetchall()
    con = duckdb.connect()
    con.execute("create table focus_costs (" + ", ".join(f'"{n}" {t}' for n, t in columns) + ")")
    for row in rows:
        names = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"insert into focus_costs ({names}) values ({marks})", list(row.values()))
    return con


def _s3_row(bucket: str, month: str, usage_type: str, qty: str, cost: str) -> dict:
    return {
        "ProviderName": "AWS",
        "ChargeCategory": "Usage",
        "x_ServiceCode": "AmazonS3",
        "BillingCurrency": "USD",
        "BillingPeriodStart": f"{month}-01",
        "ResourceId": bucket,
        "x_UsageType": usage_type,
        "ConsumedQuantity": Decimal(qty),
        "EffectiveCost": Decimal(cost),
    }


def test_idle_s3_standard_needs_n_months_of_storage_without_requests(
    demo: tuple[duckdb.DuckDBPyConnection, dict],
) -> None:
    demo_con, _ = demo
    rows = [
        _s3_row(bucket, month, "TimedStorage-ByteHrs", "400", "10")
        for bucket in ("idle-bucket", "busy-bucket")
        for month in ("2026-01", "2026-02", "2026-03")
    ]
    rows.append(_s3_row("busy-bucket", "2026-02", "Requests-Tier2", "100", "0.01"))
    con = _tiny_warehouse(demo_con, rows)
    build_waste_findings(con, None)
    found = con.execute(
        "select resource_id, strftime(billing_month, '%Y-%m'), monthly_cost, "
        "estimated_monthly_savings from waste_findings order by all"
    ).fetchall()
    assert found == [
        ("idle-bucket", "2026-02", Decimal(10), Decimal(3)),
        ("idle-bucket", "2026-03", Decimal(10), Decimal(3)),
    ]
    build_waste_findings(con, None, WasteSettings(s3_idle_months=3))
    assert con.execute("select resource_id from waste_findings").fetchall() == [("idle-bucket",)]
    con.close()


def test_settings_reject_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        WasteSettings.model_validate({"snapshot_age_month": 6})


def _vm_disk_row(provider: str, month: str, name: str, kind: str) -> dict:
    """A VM-hours or disk row as the Azure (ARM ids) or GCP (SKU names) export shows it."""
    if provider == "Microsoft":
        arm = "virtualMachines" if kind == "vm" else "disks"
        rid = f"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/{arm}/{name}"
        extra = {"SkuMeter": "D2s v5" if kind == "vm" else "P10 LRS Disk"}
    else:
        rid = f"//compute.googleapis.com/projects/p1/{name}"
        sku = "N2 Instance Core running in Americas" if kind == "vm" else "Balanced PD Capacity"
        extra = {"SkuMeter": sku}
    return {
        "ProviderName": provider,
        "ChargeCategory": "Usage",
        "BillingCurrency": "USD",
        "BillingPeriodStart": f"{month}-01",
        "SubAccountId": "s1",
        "ResourceId": rid,
        "ResourceName": name,
        "EffectiveCost": Decimal(10),
        **extra,
    }


@pytest.mark.parametrize("provider", ["Microsoft", "Google Cloud"])
def test_a_disk_is_unattached_only_once_its_vm_is_gone(
    demo: tuple[duckdb.DuckDBPyConnection, dict], provider: str
) -> None:
    demo_con, _ = demo
    rows = [
        _vm_disk_row(provider, m, name, kind)
        for m in ("2026-01", "2026-02", "2026-03")
        for name, kind in [
            ("app-1-osdisk", "disk"),  # VM app-1 billed in January only
            ("app-10-data", "disk"),  # VM app-10 billed every month; app-1 is not its owner
            ("scratch", "disk"),  # named after no VM: not judged
            ("app-10", "vm"),
        ]
    ]
    rows.append(_vm_disk_row(provider, "2026-01", "app-1", "vm"))
    con = _tiny_warehouse(demo_con, rows)
    build_waste_findings(con, None)
    found = con.execute(
        "select resource_id, strftime(billing_month, '%Y-%m'), estimated_monthly_savings "
        "from waste_findings where check_name = 'unattached_disk' order by all"
    ).fetchall()
    assert [(r.rsplit("/", 1)[-1], m, s) for r, m, s in found] == [
        ("app-1-osdisk", "2026-02", Decimal(10)),
        ("app-1-osdisk", "2026-03", Decimal(10)),
    ]
    con.close()


def test_the_asset_check_rules_hold_on_the_demo(
    demo: tuple[duckdb.DuckDBPyConnection, dict],
) -> None:
    con, _ = demo
    assert violations(con) == []
    assert violations(con, date(2026, 10, 1)) == []


@pytest.mark.parametrize(
    ("rule", "breach"),
    [
        ("savings_negative", "estimated_monthly_savings = -1"),
        ("savings_exceed_monthly_cost", "estimated_monthly_savings = monthly_cost + 1"),
        ("monthly_cost_not_positive", "monthly_cost = 0, estimated_monthly_savings = 0"),
        ("assumptions_or_recommendation_missing", "recommendation = ''"),
    ],
)
def test_each_asset_check_rule_catches_its_breach(
    demo: tuple[duckdb.DuckDBPyConnection, dict], rule: str, breach: str
) -> None:
    con, _ = demo
    con.execute("begin transaction")
    try:
        con.execute(
            f"update waste_findings set {breach} where resource_id = (select min(resource_id) "
            "from waste_findings where billing_month = '2026-10-01') "
            "and billing_month = '2026-10-01'"
        )
        in_month = violations(con, date(2026, 10, 1))
        other_month = violations(con, date(2026, 9, 1))
    finally:
        con.execute("rollback")
    assert rule in {v["rule"] for v in in_month}
    assert other_month == []
