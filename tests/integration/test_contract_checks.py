"""Contract checks in real Dagster runs: an `error` rule that fails stops the downstream
asset; a failing `warning` rule is reported and does not."""

# No `from __future__ import annotations`: Dagster reads the assets' annotations.
from pathlib import Path

import dagster as dg
import pytest
import yaml

from finops_pipeline.contracts.checks import build_contract_checks
from finops_pipeline.resources import WarehouseResource, billing_months, partition_month


def write_contract(folder: Path) -> None:
    contract = {
        "apiVersion": "v3.1.0",
        "kind": "DataContract",
        "id": "test/charges",
        "name": "charges",
        "version": "0.0.1",
        "status": "draft",
        "schema": [
            {
                "name": "charges",
                "physicalName": "charges",
                "physicalType": "table",
                "properties": [
                    {"name": "billing_month", "physicalType": "DATE", "required": True,
                     "partitioned": True, "primaryKey": True, "primaryKeyPosition": 1},
                    {"name": "charge_id", "physicalType": "VARCHAR", "required": True,
                     "primaryKey": True, "primaryKeyPosition": 2},
                    {"name": "amount", "physicalType": "DECIMAL(38,12)", "required": True},
                    {"name": "category", "physicalType": "VARCHAR", "quality": [
                        {"name": "category_allowed", "metric": "invalidValues",
                         "arguments": {"validValues": ["Usage", "Tax"]}, "mustBe": 0,
                         "severity": "warning"}]},
                ],
                "quality": [
                    {"name": "amount_not_negative", "type": "sql",
                     "query": "select count(*) from charges where amount < 0", "mustBe": 0,
                     "severity": "error"},
                    {"name": "has_rows", "metric": "rowCount", "mustBeGreaterThan": 0,
                     "severity": "error"},
                ],
            }
        ],
    }  # fmt: skip
    (folder / "charges.odcs.yaml").write_text(yaml.safe_dump(contract), encoding="utf-8")


def build(tmp_path: Path, rows: list[tuple[str, str, str]]) -> list:
    """`charges` (rows for the partition's month, plus a bad row in another month that the
    month-scoped check must not see) and a downstream `charges_summary`."""
    partitions = billing_months("2026-01-01")

    @dg.asset(partitions_def=partitions)
    def charges(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
        month = partition_month(context.partition_key)
        con = warehouse.connect()
        con.execute(
            "create or replace table charges (billing_month date, charge_id varchar, "
            "amount decimal(38, 12), category varchar)"
        )
        con.execute("insert into charges values ('2025-12-01', 'old', -5, 'Bogus')")
        if rows:
            con.executemany(
                "insert into charges values (?, ?, ?, ?)", [(month, *row) for row in rows]
            )
        con.close()

    @dg.asset(partitions_def=partitions, deps=[charges])
    def charges_summary(warehouse: WarehouseResource) -> None:
        con = warehouse.connect()
        con.execute("create or replace table charges_summary as select count(*) n from charges")
        con.close()

    write_contract(tmp_path)
    checks = build_contract_checks([charges, charges_summary], contracts_dir=tmp_path)
    assert [c.check_keys for c in checks] == [
        {dg.AssetCheckKey(dg.AssetKey("charges"), "data_contract")}
    ]
    return [charges, charges_summary, *checks]


def run(tmp_path: Path, rows: list[tuple[str, str, str]]) -> dg.ExecuteInProcessResult:
    defs = build(tmp_path, rows)
    with dg.instance_for_test() as instance:
        return dg.materialize(
            defs,
            partition_key="2026-02-01",
            resources={"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb"))},
            instance=instance,
            raise_on_error=False,
        )


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def test_all_rules_pass_and_downstream_runs(tmp_path: Path) -> None:
    result = run(tmp_path, [("a", "1.50", "Usage"), ("b", "2.00", "Tax")])
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed, evaluation.description
    assert evaluation.metadata["rules_checked"].value == 7
    assert materialized(result) == {"charges", "charges_summary"}


def test_failing_error_rule_blocks_downstream(tmp_path: Path) -> None:
    result = run(tmp_path, [("a", "-1.00", "Usage")])
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["failing_rules"].value == ["amount_not_negative"]
    assert materialized(result) == {"charges"}  # charges_summary did not run


def test_failing_warning_rule_does_not_block(tmp_path: Path) -> None:
    result = run(tmp_path, [("a", "1.00", "Bogus")])
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["failing_rules"].value == ["category_allowed"]
    assert "Bogus" in evaluation.metadata["rules"].value  # the offending value is shown
    assert materialized(result) == {"charges", "charges_summary"}


@pytest.mark.parametrize(
    ("rows", "failing"),
    [
        ([("a", "1", "Usage"), ("a", "2", "Usage")], ["primary_key_unique"]),
        ([("a", None, "Usage")], ["amount_not_null"]),
        ([], ["has_rows"]),
    ],
)
def test_keys_required_columns_and_row_count(
    tmp_path: Path, rows: list[tuple], failing: list[str]
) -> None:
    result = run(tmp_path, rows)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.metadata["failing_rules"].value == failing
    assert materialized(result) == {"charges"}
