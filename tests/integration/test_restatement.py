"""Restated months replace, identical files are no-ops, CUR manifests pick the assembly."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.refresh import ingest_and_refresh
from tests.fixtures.cur import cur_rows, write_cur


def _month_totals(con: duckdb.DuckDBPyConnection) -> dict[str, Decimal]:
    return dict(
        con.execute(
            "select strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost) from focus_costs group by 1"
        ).fetchall()
    )


def test_restated_period_replaces_only_that_period_of_that_source(
    warehouse, tmp_path: Path
) -> None:
    may = write_cur(tmp_path / "v1" / "may.csv", cur_rows("2024-05", ["10.00", "1.00"]))
    june = write_cur(tmp_path / "v1" / "june.csv", cur_rows("2024-06", ["20.00"]))
    other = write_cur(tmp_path / "other" / "may.csv", cur_rows("2024-05", ["5.00"]))
    ingest_and_refresh(warehouse, may, "aws-a")
    ingest_and_refresh(warehouse, june, "aws-a")
    ingest_and_refresh(warehouse, other, "aws-b")
    assert _month_totals(warehouse) == {"2024-05": Decimal("16.00"), "2024-06": Decimal("20.00")}

    restated = write_cur(
        tmp_path / "v2" / "may.csv", cur_rows("2024-05", ["12.50", "1.00", "0.25"])
    )
    report = ingest_and_refresh(warehouse, restated, "aws-a")
    assert report.changed_periods == {("aws-a", restated_period := report.files[0].periods[0])}
    assert f"{restated_period:%Y-%m}" == "2024-05"
    assert _month_totals(warehouse) == {"2024-05": Decimal("18.75"), "2024-06": Decimal("20.00")}
    raw = warehouse.execute(
        "select x_source_name, count(*) from raw_aws_cur where x_billing_period = '2024-05-01' group by 1 order by 1"
    ).fetchall()
    assert raw == [("aws-a", 3), ("aws-b", 1)]
    assert all(row.ok for row in reconcile(warehouse))


def test_identical_file_twice_is_a_no_op(warehouse, tmp_path: Path) -> None:
    path = write_cur(tmp_path / "may.csv", cur_rows("2024-05"))
    first = ingest_and_refresh(warehouse, path, "aws")
    copy = write_cur(tmp_path / "copy" / "may-again.csv", cur_rows("2024-05"))
    second = ingest_and_refresh(warehouse, copy, "aws")
    assert first.files[0].status == "loaded"
    assert second.files[0].status == "skipped_duplicate"
    assert second.focus_rows_written == 0
    assert warehouse.execute("select count(*) from focus_costs").fetchone()[0] == 3
    statuses = warehouse.execute("select status from load_log order by loaded_at").fetchall()
    assert statuses == [("loaded",), ("skipped_duplicate",)]


def test_reloading_an_older_export_after_a_restatement_loads_it_again(
    warehouse, tmp_path: Path
) -> None:
    """A byte-identical file is skipped only while its rows are the current ones."""
    v1 = write_cur(tmp_path / "v1" / "may.csv", cur_rows("2024-05", ["1.00"]))
    v2 = write_cur(tmp_path / "v2" / "may.csv", cur_rows("2024-05", ["2.00"]))
    for path in (v1, v2, v1):
        ingest_and_refresh(warehouse, path, "aws")
    assert _month_totals(warehouse) == {"2024-05": Decimal("1.00")}


def test_a_source_that_changes_format_is_not_doubled(warehouse, tmp_path: Path) -> None:
    ingest_and_refresh(
        warehouse, write_cur(tmp_path / "cur.csv", cur_rows("2024-05", ["4.00"])), "aws"
    )
    parquet = tmp_path / "cur2.parquet"
    warehouse.execute(
        f"""copy (select '111' as bill_payer_account_id, 'x' as bill_payer_account_name,
            timestamp '2024-05-01' as bill_billing_period_start_date, '222' as line_item_usage_account_id,
            'Usage' as line_item_line_item_type, timestamp '2024-05-02' as line_item_usage_start_date,
            'AmazonS3' as line_item_product_code, 'USD' as line_item_currency_code,
            6.5::double as line_item_unblended_cost,
            map(['user_team'], ['search']) as resource_tags) to '{parquet}' (format parquet)"""
    )
    report = ingest_and_refresh(warehouse, parquet, "aws")
    assert report.files[0].format == "aws-cur2"
    assert _month_totals(warehouse) == {"2024-05": Decimal("6.50")}
    assert warehouse.execute("select Tags->>'user_team' from focus_costs").fetchone()[0] == "search"


def test_legacy_cur_manifest_selects_the_current_assembly(warehouse, tmp_path: Path) -> None:
    period = tmp_path / "prefix" / "report" / "20240501-20240601"
    write_cur(
        period / "assembly-old" / "report-00001.csv.gz", cur_rows("2024-05", ["1.00"]), gz=True
    )
    write_cur(
        period / "assembly-new" / "report-00001.csv.gz", cur_rows("2024-05", ["3.00"]), gz=True
    )
    write_cur(
        period / "assembly-new" / "report-00002.csv.gz", cur_rows("2024-05", ["4.00"]), gz=True
    )
    manifest = {
        "assemblyId": "assembly-new",
        "reportKeys": [
            "prefix/report/20240501-20240601/assembly-new/report-00001.csv.gz",
            "prefix/report/20240501-20240601/assembly-new/report-00002.csv.gz",
        ],
        "billingPeriod": {"start": "20240501T000000.000Z", "end": "20240601T000000.000Z"},
    }
    (period / "report-Manifest.json").write_text(json.dumps(manifest))
    report = ingest_and_refresh(warehouse, tmp_path, "aws")
    assert [p.parent.name for p in report.superseded] == ["assembly-old"]
    assert report.count("loaded") == 2
    assert _month_totals(warehouse) == {"2024-05": Decimal("7.00")}
