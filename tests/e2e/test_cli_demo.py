"""The README's demo path, end to end through the `finops` command (small and fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.demo import check_ground_truth
from finops_pipeline.warehouse import connect

pytestmark = pytest.mark.e2e

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("demo")
    warehouse, data = root / "w.duckdb", root / "data"
    result = runner.invoke(
        app,
        [
            "demo",
            "--out",
            str(data),
            "--warehouse",
            str(warehouse),
            "--months",
            "4",
            "--end-month",
            "2026-06",
        ],
    )
    assert result.exit_code == 0, result.output
    return warehouse, data, result.output


def test_demo_prints_reconciled_totals_and_matches_ground_truth(
    demo_run: tuple[Path, Path, str],
) -> None:
    warehouse, data, output = demo_run
    assert "reconciled" in output and "NOT reconciled" not in output
    assert "matches the generator's ground truth" in output
    assert "restatement:" in output and "(replaced, not added)" in output
    assert str(warehouse) in output and "finops ui" in output
    con = connect(warehouse)
    assert check_ground_truth(con, data / "ground_truth.json") == []
    formats = {
        r[0] for r in con.execute("select distinct x_SourceFormat from focus_costs").fetchall()
    }
    assert formats == {"aws-cur", "aws-cur2", "aws-focus", "gcp-billing", "azure-cost", "focus"}
    con.close()


def test_every_generated_month_matches_ground_truth_exactly(
    demo_run: tuple[Path, Path, str],
) -> None:
    warehouse, data, _ = demo_run
    truth = json.loads((data / "ground_truth.json").read_text())
    con = connect(warehouse)
    actual = {
        (s, m, c): (b, e)
        for s, m, c, b, e in con.execute(
            "select x_SourceName, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, "
            "sum(BilledCost), sum(EffectiveCost) from focus_costs group by all"
        ).fetchall()
    }
    con.close()
    assert len(truth["totals"]) == len(actual) == 7 * 4
    for item in truth["totals"]:
        billed, effective = actual[(item["source"], item["billing_month"], item["currency"])]
        derivable = truth["sources"][item["source"]]["derivable"]
        if "billed" in derivable:
            assert f"{billed:.2f}" == f"{float(item['billed_cost']):.2f}", item
        if "effective" in derivable:
            assert f"{effective:.2f}" == f"{float(item['effective_cost']):.2f}", item


def test_rerunning_ingest_on_the_same_exports_changes_nothing(
    demo_run: tuple[Path, Path, str],
) -> None:
    warehouse, data, _ = demo_run
    con = connect(warehouse)
    before = con.execute("select count(*), sum(BilledCost) from focus_costs").fetchone()
    con.close()
    result = runner.invoke(
        app,
        ["ingest", str(data / "aws-cur2"), "--source", "aws-cur2", "--warehouse", str(warehouse)],
    )
    assert result.exit_code == 0, result.output
    assert "0 loaded" in result.output and "4 unchanged" in result.output
    con = connect(warehouse)
    assert con.execute("select count(*), sum(BilledCost) from focus_costs").fetchone() == before
    con.close()


def test_finops_run_materialises_a_month_with_passing_checks(
    demo_run: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, data, _ = demo_run
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("FINOPS_SAMPLE_DATA", str(data))
    result = runner.invoke(app, ["run", "--month", "2026-05", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "2026-05 ok" in result.output


def test_finops_sql_formats_and_read_only(demo_run: tuple[Path, Path, str]) -> None:
    warehouse = demo_run[0]
    query = "select ProviderName, count(*) as n from focus_costs group by 1 order by 1"
    as_json = runner.invoke(app, ["sql", query, "--format", "json", "--warehouse", str(warehouse)])
    assert as_json.exit_code == 0, as_json.output
    providers = {row["ProviderName"] for row in json.loads(as_json.output)}
    assert providers == {"AWS", "Google Cloud", "Microsoft"}
    as_csv = runner.invoke(app, ["sql", query, "--format", "csv", "--warehouse", str(warehouse)])
    assert as_csv.output.splitlines()[0] == "ProviderName,n"
    write = runner.invoke(app, ["sql", "delete from focus_costs", "--warehouse", str(warehouse)])
    assert write.exit_code != 0
    assert "read-only" in write.output.lower() or "read only" in write.output.lower()
