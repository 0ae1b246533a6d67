"""Contract parsing (errors name the file and the rule) and what each rule kind measures."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from finops_pipeline.contracts.checks import run_contract
from finops_pipeline.contracts.odcs import load_contract
from finops_pipeline.errors import ConfigError


def contract_file(folder: Path, quality: list[dict], sla: list[dict] | None = None) -> Path:
    doc = {
        "apiVersion": "v3.1.0",
        "kind": "DataContract",
        "schema": [
            {
                "name": "t",
                "physicalName": "t",
                "properties": [
                    {"name": "month", "physicalType": "DATE", "partitioned": True},
                    {"name": "code", "physicalType": "VARCHAR", "quality": [
                        {"metric": "invalidValues", "arguments": {"pattern": "[A-Z]{3}"},
                         "mustBe": 0, "severity": "warning"}]},
                    {"name": "seen_at", "physicalType": "TIMESTAMP"},
                ],
                "quality": quality,
            }
        ],
    }  # fmt: skip
    if sla:
        doc["slaProperties"] = sla
    path = folder / "t.odcs.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values "
        "(date '2026-01-01', 'USD', timestamp '2026-01-31 00:00:00'), "
        "(date '2026-02-01', 'usd', timestamp '2026-02-20 00:00:00'), "
        "(date '2026-02-01', 'EUR', timestamp '2026-02-21 00:00:00')) v(month, code, seen_at)"
    )
    return con


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"name": "x", "type": "sql", "query": "select 1"}, "expected exactly one of mustBe"),
        ({"name": "x", "type": "sql", "mustBe": 0}, "a sql rule needs a name and a query"),
        ({"metric": "tableSize", "mustBe": 1}, "unsupported rule 'tableSize'"),
        ({"metric": "rowCount", "mustBe": 1, "mustBeLessThan": 3}, "found ['mustBe'"),
    ],
)
def test_bad_rules_name_the_file_and_the_rule(tmp_path: Path, rule: dict, message: str) -> None:
    path = contract_file(tmp_path, [rule])
    with pytest.raises(ConfigError) as info:
        load_contract(path)
    assert str(path) in str(info.value)
    assert "t quality[0]" in str(info.value) or "a sql rule" in str(info.value)
    assert message in str(info.value)


def test_file_stem_must_be_the_table(tmp_path: Path) -> None:
    path = contract_file(tmp_path, [])
    wrong = path.rename(tmp_path / "other.odcs.yaml")
    with pytest.raises(ConfigError, match="file stem must equal"):
        load_contract(wrong)


def test_month_scope_pattern_and_row_count(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = contract_file(tmp_path, [{"metric": "rowCount", "mustBeBetween": [1, 2]}])
    contract = load_contract(path)
    january = run_contract(con, contract, month=date(2026, 1, 1))
    assert january.failing == []
    february = run_contract(con, contract, month=date(2026, 2, 1))
    [bad] = february.failing
    assert (bad.name, bad.value, bad.examples, bad.severity) == (
        "code_invalidValues",
        1.0,
        ["usd"],
        "warning",
    )
    views = "select count(*) from duckdb_views() where temporary and view_name = 't'"
    assert con.execute(views).fetchone()[0] == 0  # the month view is gone after each check
    whole = run_contract(con, contract)
    assert [r.name for r in whole.failing] == ["code_invalidValues", "row_count"]


def test_freshness_applies_to_the_open_month_only(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    sla = [{"property": "latency", "value": 2, "unit": "d", "element": "t.seen_at"}]
    contract = load_contract(contract_file(tmp_path, [], sla))
    [rule] = [r for r in contract.rules if r.kind == "freshness_hours"]
    assert rule.threshold == 48
    from finops_pipeline.contracts.measure import measure, scope_to_month

    scope_to_month(con, {"t": contract}, date(2026, 2, 1))
    fresh = measure(con, contract, date(2026, 2, 1), now=datetime(2026, 2, 22, 12))
    stale = measure(con, contract, date(2026, 2, 1), now=datetime(2026, 2, 25))
    closed = measure(con, contract, date(2026, 2, 1), now=datetime(2026, 4, 1))
    by_kind = {m.rule.kind: m for m in fresh}
    assert by_kind["freshness_hours"].value == 36.0
    assert {m.rule.kind: m for m in stale}["freshness_hours"].value == 96.0
    assert not {m.rule.kind: m for m in closed}["freshness_hours"].applicable
