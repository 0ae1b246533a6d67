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


def test_showback_explain_and_tags_commands(demo_run: tuple[Path, Path, str]) -> None:
    warehouse = str(demo_run[0])
    shown = runner.invoke(
        app, ["showback", "--month", "2026-05", "--format", "json", "-w", warehouse]
    )
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.output)
    assert {r["kind"] for r in rows} >= {"direct", "shared"}
    assert set(rows[0]) >= {
        "team",
        "kind",
        "billing_currency",
        "billed_cost",
        "effective_cost",
        "reporting_currency",
        "billed_cost_reporting",
        "effective_cost_reporting",
    }
    explained = runner.invoke(
        app,
        [
            "explain",
            "--team",
            "payments",
            "--month",
            "2026-05",
            "--format",
            "json",
            "-w",
            warehouse,
        ],
    )
    assert explained.exit_code == 0, explained.output
    lines = json.loads(explained.output)
    assert {line["rule"] for line in lines} & {"tag", "owner"}
    assert any(line["rule"].startswith("pool:tax:fixed") for line in lines)
    payments = [r for r in rows if r["team"] == "payments"]
    for currency in {r["billing_currency"] for r in payments}:
        shown_total = sum(
            float(r["effective_cost"]) for r in payments if r["billing_currency"] == currency
        )
        explained_total = sum(
            float(line["effective_cost"]) for line in lines if line["currency"] == currency
        )
        assert round(shown_total, 6) == round(explained_total, 6)
    tags = runner.invoke(app, ["tags", "--month", "2026-05", "-w", warehouse])
    assert tags.exit_code == 0, tags.output
    assert "tag compliance 2026-05" in tags.output and "violations by cost" in tags.output


def test_each_demo_pool_splits_as_configured(demo_run: tuple[Path, Path, str]) -> None:
    con = connect(demo_run[0])
    rules = dict(
        con.execute(
            "select pool_name, any_value(split_part(rule, ':', 3)) from allocation_ledger "
            "where source_kind = 'pool' group by 1"
        ).fetchall()
    )
    assert rules == {
        "shared-platform": "proportional",
        "support": "even",
        "tax": "fixed",
        "observability": "metric",
    }
    tax = dict(
        con.execute(
            "select team, sum(billed_cost) / (select sum(billed_cost) from allocation_ledger "
            "where pool_name = 'tax' and billing_month = '2026-05-01' and billing_currency = 'USD') "
            "from allocation_ledger where pool_name = 'tax' and billing_month = '2026-05-01' "
            "and billing_currency = 'USD' group by 1"
        ).fetchall()
    )
    weights = {
        "payments": 30,
        "search": 20,
        "data-platform": 20,
        "mobile": 10,
        "ml": 10,
        "platform": 10,
    }
    assert {t: round(float(v) * 100, 2) for t, v in tax.items()} == {
        t: float(w) for t, w in weights.items()
    }
    shared_recipients = {
        r[0]
        for r in con.execute(
            "select distinct team from allocation_ledger where pool_name = 'shared-platform'"
        ).fetchall()
    }
    assert shared_recipients <= {"payments", "search", "data-platform", "mobile", "ml"}
    con.close()


def test_bad_config_is_named_and_nothing_is_written(
    demo_run: tuple[Path, Path, str], tmp_path: Path
) -> None:
    warehouse = demo_run[0]
    config = tmp_path / "finops.yaml"
    config.write_text(
        "allocation:\n  pools:\n    - name: tax\n      match: {all: [{column: ChargeCategory, equals: Tax}]}\n"
        "      split: fixed\n      weights: {payments: 60, search: 30}\n"
    )
    before = (
        connect(warehouse)
        .execute("select count(*), sum(effective_cost) from showback_monthly")
        .fetchone()
    )
    result = runner.invoke(
        app, ["run", "--month", "2026-05", "--config", str(config), "-w", str(warehouse)]
    )
    assert result.exit_code == 2
    assert "allocation.pools.0.weights (line 6)" in result.output and "100" in result.output
    after = (
        connect(warehouse)
        .execute("select count(*), sum(effective_cost) from showback_monthly")
        .fetchone()
    )
    assert after == before


def test_waste_and_anomaly_commands_on_the_demo(demo_run: tuple[Path, Path, str]) -> None:
    warehouse = str(demo_run[0])
    waste = runner.invoke(app, ["waste", "--month", "2026-05", "--format", "json", "-w", warehouse])
    assert waste.exit_code == 0, waste.output
    findings = json.loads(waste.output)
    assert findings and {"check_name", "resource_id", "savings", "recommendation"} <= set(
        findings[0]
    )
    savings = [float(f["savings"]) for f in findings]
    assert savings == sorted(savings, reverse=True)
    found = runner.invoke(app, ["anomalies", "--format", "json", "-w", warehouse])
    assert found.exit_code == 0, found.output
    for row in json.loads(found.output):
        assert row["direction"] in ("up", "down") and row["severity"]
        assert json.loads(row["contributors"])


def test_demo_writes_the_last_closed_months_report_and_finops_report_rewrites_it(
    demo_run: tuple[Path, Path, str], tmp_path: Path
) -> None:
    warehouse, _data, output = demo_run
    html = warehouse.parent / "reports" / "finance_report_2026-05.html"
    assert "report 2026-05 (last closed month)" in output and str(html) in output
    assert html.is_file() and html.with_suffix(".xlsx").is_file()
    result = runner.invoke(
        app,
        [
            "report",
            "--month",
            "2026-04",
            "--out",
            str(tmp_path),
            "--format",
            "xlsx,csv",
            "--warehouse",
            str(warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "finance_report_2026-04.xlsx").is_file()
    assert (tmp_path / "showback_monthly_2026-04.csv").is_file()
    assert not (tmp_path / "finance_report_2026-04.html").exists()
    bad = runner.invoke(app, ["report", "--month", "2026-13", "--warehouse", str(warehouse)])
    assert bad.exit_code == 2 and "is not YYYY-MM" in bad.output
    notebooks = runner.invoke(app, ["notebooks", "--warehouse", str(warehouse)])
    assert notebooks.exit_code == 0 and "01_explore_costs.ipynb" in notebooks.output
    assert f"FINOPS_WAREHOUSE={warehouse}" in notebooks.output
