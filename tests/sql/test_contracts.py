"""Each data contract matches its table exactly, and its quality rules hold on real loads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from finops_pipeline.demo import build_derived, write_business_metrics
from finops_pipeline.ingest.service import ingest_path
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
    con = connect(root / "w.duckdb")
    for source in DEMO_SOURCES:
        ingest_path(con, data / source, source, policy=settings.tag_policy)
    build_derived(con, settings)
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
    [obj] = _contract(path)["schema"]
    table = obj["physicalName"]
    for prop in obj["properties"]:
        if prop.get("required"):
            nulls = loaded.execute(
                f'select count(*) from {table} where "{prop["name"]}" is null'
            ).fetchone()
            assert nulls == (0,), f"{table}.{prop['name']} is required but has nulls"
    for rule in obj.get("quality", []):
        assert rule["type"] == "sql"
        found = loaded.execute(rule["query"]).fetchone()[0]
        assert found == rule["mustBe"], f"{rule['name']}: {found} rows"
