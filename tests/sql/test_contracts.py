"""Each data contract matches its table exactly, and its quality rules hold on real loads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from finops_pipeline.contracts.checks import run_contract
from finops_pipeline.contracts.odcs import load_contract, load_contracts
from finops_pipeline.demo import write_business_metrics
from finops_pipeline.ingest.service import ingest_path
from finops_pipeline.orchestration.month_runner import build_every_month
from finops_pipeline.report.log import record_report
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import DEMO_SOURCES, demo_settings
from finops_pipeline.warehouse import REPO_ROOT, connect

CONTRACTS = sorted((REPO_ROOT / "data_contracts").glob("*.odcs.yaml"))


def _contract(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("contracts")
    data = root / "data"
    generate(data, end_month="2026-03", months=3)
    settings = demo_settings(data)
    write_business_metrics(data, data / "ground_truth.json")
    path = root / "w.duckdb"
    con = connect(path)
    for source in DEMO_SOURCES:
        ingest_path(con, data / source, source)
    con.close()
    failed = build_every_month(settings, path)  # the Dagster job, as `finops run` builds
    assert failed == [], failed
    con = connect(path)
    record_report(con, date(2026, 2, 1), datetime(2026, 3, 2, 9, 0))  # report_log's rows
    yield con
    con.close()


def test_every_published_table_has_a_contract() -> None:
    published = {
        "focus_costs",
        "tag_violations",
        "tag_compliance",
        "allocation_ledger",
        "showback_monthly",
        "unit_costs",
        "cost_forecast",
        "budget_variance",
        "waste_findings",
        "cost_anomalies",
    }
    assert {p.name.removesuffix(".odcs.yaml") for p in CONTRACTS} >= published


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_contract_columns_match_the_table_exactly(
    loaded: duckdb.DuckDBPyConnection, path: Path
) -> None:
    contract = _contract(path)
    [obj] = contract["schema"]
    table = obj["physicalName"]
    actual = loaded.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    declared = [(p["name"], p["physicalType"]) for p in obj["properties"]]
    assert declared == actual


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_contract_rules_hold(loaded: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Every rule of every contract passes on a real load, for each billing month."""
    contracts = load_contracts()
    contract = load_contract(path)
    months = [None]
    if contract.partition_column:
        months = [
            r[0]
            for r in loaded.execute(
                f'select distinct cast("{contract.partition_column}" as date) from {contract.table}'
            ).fetchall()
        ]
    assert months
    for month in months:
        report = run_contract(loaded, contract, contracts, month)
        failing = [(r.name, r.value, r.examples, r.note) for r in report.failing]
        assert failing == [], f"{contract.table} {month}"
        assert len(report.results) == len(contract.rules) > 0


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_contract_declares_keys_and_expectations(path: Path) -> None:
    """Each contract says what the issue asks: required columns and at least one quality rule;
    a table with a billing-month column declares it as the partition its check is scoped to."""
    contract = load_contract(path)
    kinds = {r.kind for r in contract.rules}
    assert "nulls" in kinds
    assert kinds - {"nulls"}
    month_columns = {"BillingPeriodStart", "billing_month"} & {c for c, _ in contract.columns}
    if month_columns:
        assert contract.partition_column in month_columns
