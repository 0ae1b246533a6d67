"""The sample-data generator: native layouts, determinism, and files that reconcile to truth.

One small generation (3 months, scale 1) is shared by the module; the billed and effective
sums are read back from the written files with DuckDB and compared with ground_truth.json.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.sample_data import SOURCES, generate
from finops_pipeline.sample_data.periods import build_window
from finops_pipeline.sample_data.sources import BUILDERS, price
from finops_pipeline.sample_data.truth import waste

CONFIG = {"end_month": "2026-06", "months": 3, "scale": 1, "seed": 7}
TOLERANCE = Decimal("0.000001")

CUR_EFFECTIVE = """
    case "lineItem/LineItemType"
        when 'SavingsPlanCoveredUsage' then cast("savingsPlan/SavingsPlanEffectiveCost" as {t})
        when 'SavingsPlanRecurringFee' then cast("savingsPlan/TotalCommitmentToDate" as {t})
            - cast("savingsPlan/UsedCommitment" as {t})
        when 'SavingsPlanNegation' then 0
        when 'SavingsPlanUpfrontFee' then 0
        when 'DiscountedUsage' then cast("reservation/EffectiveCost" as {t})
        when 'RIFee' then cast("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod" as {t})
            + cast("reservation/UnusedRecurringFee" as {t})
        else case when "lineItem/LineItemType" = 'Fee' and "reservation/ReservationARN" is not null
            then 0 else cast("lineItem/UnblendedCost" as {t}) end
    end
""".format(t="decimal(38,10)")
CUR2_EFFECTIVE = (
    CUR_EFFECTIVE.replace('"lineItem/LineItemType"', "line_item_line_item_type")
    .replace('"savingsPlan/SavingsPlanEffectiveCost"', "savings_plan_savings_plan_effective_cost")
    .replace('"savingsPlan/TotalCommitmentToDate"', "savings_plan_total_commitment_to_date")
    .replace('"savingsPlan/UsedCommitment"', "savings_plan_used_commitment")
    .replace('"reservation/EffectiveCost"', "reservation_effective_cost")
    .replace(
        '"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"',
        "reservation_unused_amortized_upfront_fee_for_billing_period",
    )
    .replace('"reservation/UnusedRecurringFee"', "reservation_unused_recurring_fee")
    .replace('"reservation/ReservationARN"', "reservation_reservation_a_r_n")
    .replace('"lineItem/UnblendedCost"', "line_item_unblended_cost")
)
GCP_BILLED = (
    "sum(cost::decimal(38,6)) + coalesce(sum(list_sum(list_transform(credits, "
    "lambda c: c.amount::decimal(38,6)))), 0)"
)
# (billed sum, effective sum or None when the file cannot carry it) per source
SUMS = {
    "aws-cur-legacy": (
        'sum(cast("lineItem/UnblendedCost" as decimal(38,10)))',
        f"sum({CUR_EFFECTIVE})",
    ),
    "aws-cur2": ("sum(line_item_unblended_cost::decimal(38,10))", f"sum({CUR2_EFFECTIVE})"),
    "aws-focus": ("sum(BilledCost::decimal(38,10))", "sum(EffectiveCost::decimal(38,10))"),
    "gcp-billing": (GCP_BILLED, GCP_BILLED),
    "azure-ea-actual": ("sum(CostInBillingCurrency::decimal(38,10))", None),
    "azure-mca-amortized": (None, "sum(costInBillingCurrency::decimal(38,10))"),
    "azure-focus": ("sum(BilledCost::decimal(38,10))", "sum(EffectiveCost::decimal(38,10))"),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sample")
    messages: list[str] = []
    truth = generate(out, progress=messages.append, **CONFIG)
    assert any("aws-cur-legacy" in m for m in messages)
    return out, truth


def _relation(path: Path) -> str:
    if path.suffix == ".parquet":
        return f"read_parquet('{path}')"
    if path.suffix == ".json":
        return f"read_json('{path}', format='newline_delimited')"
    return f"read_csv('{path}', all_varchar=true)"


def _sums(path: Path, *expressions: str) -> list[Decimal]:
    """Aggregate one file in a single scan; the last value is its row count."""
    con = duckdb.connect()
    con.execute(f"create table data as select * from {_relation(path)}")
    columns = {row[0] for row in con.execute("describe data").fetchall()}
    sql = ", ".join([*expressions, "count(*)"])
    for quoted in set(re.findall(r'"[A-Za-z]+/[A-Za-z]+"', sql)):
        if quoted.strip('"') not in columns:  # legacy CUR columns come and go month to month
            sql = sql.replace(quoted, "NULL")
    return [Decimal(v) for v in con.execute(f"select {sql} from data").fetchall()[0]]


def _read(path: Path, expression: str) -> tuple[Decimal, int]:
    value, rows = _sums(path, expression)
    return value, int(rows)


def _first_line(path: Path) -> str:
    with gzip.open(path, "rt") as fh:
        return fh.readline().strip()


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_sources_are_the_published_registry() -> None:
    assert SOURCES == {
        "aws-cur-legacy": "aws-cur",
        "aws-cur2": "aws-cur2",
        "aws-focus": "aws-focus",
        "gcp-billing": "gcp-billing",
        "azure-ea-actual": "azure-cost",
        "azure-mca-amortized": "azure-cost",
        "azure-focus": "focus",
    }


def test_ground_truth_file_equals_returned_dict(generated: tuple[Path, dict]) -> None:
    out, truth = generated
    assert json.loads((out / "ground_truth.json").read_text()) == truth
    assert set(truth["sources"]) == set(SOURCES)
    assert truth["as_of"] == "2026-06-30"
    assert {t["billing_month"] for t in truth["totals"]} == {"2026-04", "2026-05", "2026-06"}


@pytest.mark.parametrize(
    ("source", "pattern"),
    [
        ("aws-cur-legacy", "cur/kestrel-daily-cur/2026*-2026*/*/kestrel-daily-cur-00001.csv.gz"),
        ("aws-cur-legacy", "cur/kestrel-daily-cur/2026*-2026*/kestrel-daily-cur-Manifest.json"),
        ("aws-cur2", "*/*/data/BILLING_PERIOD=2026-0?/*-00001.snappy.parquet"),
        ("aws-cur2", "*/*/metadata/BILLING_PERIOD=2026-0?/*-Manifest.json"),
        ("aws-focus", "*/*/data/BILLING_PERIOD=2026-0?/*.parquet"),
        ("gcp-billing", "billing_export/invoice_month=2026??/part-000.*"),
        ("azure-ea-actual", "*/*/*/2026??01-2026????/*_*.csv"),
        ("azure-mca-amortized", "*/*/*AmortizedCost*/2026??01-2026????/*AmortizedCost*_*.csv"),
        ("azure-focus", "*/*/*/2026??01-2026????/*/part_0_0001.csv"),
    ],
)
def test_native_layout(generated: tuple[Path, dict], source: str, pattern: str) -> None:
    out, _ = generated
    assert len(list((out / source).glob(pattern))) >= 3


def test_gcp_writes_json_then_parquet_for_the_last_two_months(generated) -> None:
    out, _ = generated
    folder = out / "gcp-billing" / "billing_export"
    assert (folder / "invoice_month=202604" / "part-000.json").exists()
    assert (folder / "invoice_month=202605" / "part-000.parquet").exists()
    assert (folder / "invoice_month=202606" / "part-000.parquet").exists()


def test_azure_ea_file_is_bom_crlf_and_eur(generated) -> None:
    out, truth = generated
    entry = next(t for t in truth["totals"] if t["source"] == "azure-ea-actual")
    raw = (out / entry["path"]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert b",EUR," in raw and b"/2026," in raw


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_files_sum_to_ground_truth(generated: tuple[Path, dict], source: str) -> None:
    out, truth = generated
    billed_sql, effective_sql = SUMS[source]
    totals = [t for t in truth["totals"] if t["source"] == source]
    assert len(totals) == CONFIG["months"]
    for t in totals:
        billed, effective, rows = _sums(out / t["path"], billed_sql or "0", effective_sql or "0")
        if billed_sql:
            assert abs(billed - Decimal(t["billed_cost"])) <= TOLERANCE, (source, t)
        if effective_sql:
            assert abs(effective - Decimal(t["effective_cost"])) <= TOLERANCE, (source, t)
        assert rows == t["native_rows"]


def test_cur_manifest_points_to_current_assembly_and_restatement_is_kept(generated) -> None:
    out, truth = generated
    by_source = {r["source"]: r for r in truth["restatements"]}
    assert set(by_source) == {"aws-cur-legacy", "azure-ea-actual"}
    for r in by_source.values():
        assert r["billing_month"] == "2026-04"
        original, _ = _read(out / r["original_path"], SUMS[r["source"]][0])
        revised, _ = _read(out / r["revised_path"], SUMS[r["source"]][0])
        assert original == Decimal(r["original_billed_cost"]) != revised
        assert revised == Decimal(r["revised_billed_cost"])
    cur = by_source["aws-cur-legacy"]
    period = Path(cur["revised_path"]).parent.parent
    manifest = json.loads((out / period / "kestrel-daily-cur-Manifest.json").read_text())
    assert manifest["reportKeys"] == [cur["revised_path"].removeprefix("aws-cur-legacy/")]
    assert {"assemblyId", "account", "columns", "billingPeriod", "bucket"} <= set(manifest)
    assert by_source["azure-ea-actual"]["original_path"].startswith("_restatements/")


def test_cur_schema_drifts_with_usage(generated) -> None:
    out, truth = generated
    paths = [out / t["path"] for t in truth["totals"] if t["source"] == "aws-cur-legacy"]
    headers = [_first_line(p).split(",") for p in sorted(paths)]
    assert len(headers[0]) >= 95 and "lineItem/ResourceId" in headers[0]
    assert "reservation/ReservationARN" not in headers[0]  # commitments bought in month 2
    assert "reservation/ReservationARN" in headers[1]
    assert any(c.startswith("resourceTags/user:") for c in headers[0])


def test_open_month_stops_the_day_before_as_of(tmp_path: Path) -> None:
    truth = generate(tmp_path, end_month="2026-06", months=1, as_of=date(2026, 6, 10))
    assert truth["data_through"] == "2026-06-09"
    path = next(t["path"] for t in truth["totals"] if t["source"] == "azure-focus")
    last = duckdb.sql(f"select max(ChargePeriodStart) from {_relation(tmp_path / path)}")
    assert last.fetchall()[0][0].startswith("2026-06-09")


def test_generation_is_byte_identical(generated: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = generated
    generate(tmp_path, **CONFIG)
    assert _file_hashes(tmp_path) == _file_hashes(out)


def test_scale_multiplies_rows(tmp_path: Path) -> None:
    rows = {}
    for scale in (1, 2):
        truth = generate(
            tmp_path / str(scale),
            end_month="2026-06",
            months=1,
            scale=scale,
            as_of=date(2026, 6, 8),
        )
        rows[scale] = sum(t["native_rows"] for t in truth["totals"])
    assert 1.8 <= rows[2] / rows[1] <= 2.2


def test_anomalies_are_planted_clear_of_noise(generated) -> None:
    _, truth = generated
    kinds = {a["kind"]: a for a in truth["anomalies"]}
    assert {"spike", "drop", "level_shift"} <= set(kinds)
    for a in truth["anomalies"]:
        expected, actual = Decimal(a["expected_daily_cost"]), Decimal(a["actual_daily_cost"])
        assert expected > 0
        ratio = actual / expected
        assert ratio > Decimal("1.25") if a["kind"] != "drop" else ratio < Decimal("0.6")
    assert kinds["level_shift"]["last_date"] is None
    assert {a["level"] for a in truth["anomalies"]} == {"service", "sub_account", "team"}


def test_waste_is_listed_and_billed(generated) -> None:
    out, truth = generated
    checks = {w["check"] for w in truth["waste"]}
    assert {"gp2_volume", "previous_generation", "idle_nat_gateway", "unused_commitment"} <= checks
    nat = next(w for w in truth["waste"] if w["check"] == "idle_nat_gateway")
    assert ":natgateway/nat-" in nat["resource_id"]
    path = next(
        t["path"]
        for t in truth["totals"]
        if t["source"] == "aws-cur-legacy" and t["billing_month"] == nat["billing_month"]
    )
    usage = duckdb.sql(
        f"""select "lineItem/UsageType" as kind, sum("lineItem/UsageAmount"::double) as qty
        from {_relation(out / path)} where "lineItem/ResourceId" = '{nat["resource_id"]}'
        group by 1"""
    ).fetchall()
    amounts = dict(usage)
    assert amounts["NatGateway-Hours"] == 30 * 24 and amounts["NatGateway-Bytes"] < 1


def test_old_snapshot_needs_twelve_months_of_history() -> None:
    window = build_window("2026-11", 13)
    estate = BUILDERS["aws-cur-legacy"](window, 3, 1)
    found = waste(estate, price(estate, window, 3), window)
    snapshots = [w for w in found if w["check"] == "old_snapshot"]
    assert [w["billing_month"] for w in snapshots] == ["2026-11"]
