"""Data contracts as Dagster asset checks: one blocking `data_contract` check per table.

Generic on purpose: any asset whose key equals a contract's table name gets a check, so a
table added later gets one by dropping `<table>.odcs.yaml` into data_contracts/. Contracts
whose table is not an asset in these definitions are skipped.

Severity: the check fails with ERROR when an `error` rule fails, which (blocking=True) stops
the downstream assets in the same run; with only `warning` rules failing it fails with WARN,
which Dagster shows but does not block on.
"""

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from finops_pipeline.contracts.measure import measure, scope_to_month, unscope
from finops_pipeline.contracts.odcs import Contract, load_contracts
from finops_pipeline.contracts.suite import RuleResult, validate
from finops_pipeline.orchestration.month_assets import CheckEvent, judge_each_month
from finops_pipeline.resources import WarehouseResource

CHECK_NAME = "data_contract"


@dataclass
class ContractReport:
    table: str
    results: list[RuleResult]
    measure_seconds: float
    validate_seconds: float

    @property
    def failing(self) -> list[RuleResult]:
        return [r for r in self.results if not r.passed]

    @property
    def blocking_failures(self) -> list[RuleResult]:
        return [r for r in self.failing if r.severity == "error"]


def run_contract(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    contracts: dict[str, Contract] | None = None,
    month: date | None = None,
) -> ContractReport:
    """Measure (DuckDB) and judge (great-expectations) one contract, on one month if given."""
    start = time.perf_counter()
    views = scope_to_month(con, contracts or {contract.table: contract}, month) if month else []
    try:
        measurements = measure(con, contract, month)
    finally:
        unscope(con, views)
    measured = time.perf_counter()
    results = validate(contract.table, measurements)
    return ContractReport(contract.table, results, measured - start, time.perf_counter() - measured)


def check_result(report: ContractReport) -> dg.AssetCheckResult:
    failing = report.failing
    severity = (
        dg.AssetCheckSeverity.ERROR if report.blocking_failures else dg.AssetCheckSeverity.WARN
    )
    rows = ["| rule | severity | measured | expected | ok |", "|---|---|---|---|---|"]
    for r in report.results:
        value = "n/a" if not r.applicable else r.value
        ok = "yes" if r.passed else "**NO**"
        extra = f" ({', '.join(r.examples)})" if r.examples else (f" ({r.note})" if r.note else "")
        rows.append(f"| {r.name} | {r.severity} | {value}{extra} | {r.expected} | {ok} |")
    return dg.AssetCheckResult(
        passed=not failing,
        severity=severity,
        description=(
            "; ".join(f"{r.name} ({r.severity}): measured {r.value}, expected {r.expected}"
                      for r in failing) or None
        ),
        metadata={
            "rules_checked": len(report.results),
            "rules_failing": len(failing),
            "failing_rules": dg.MetadataValue.json([r.name for r in failing]),
            "measure_seconds": round(report.measure_seconds, 3),
            "validate_seconds": round(report.validate_seconds, 3),
            "rules": dg.MetadataValue.md("\n".join(rows)),
        },
    )  # fmt: skip


def build_contract_checks(
    assets: Sequence[dg.AssetsDefinition], contracts_dir: Path | None = None
) -> list[dg.AssetChecksDefinition]:
    """A `data_contract` check for every asset that has a contract."""
    contracts = load_contracts(contracts_dir)
    checks = []
    for asset in assets:
        for key in asset.keys:
            contract = contracts.get(key.to_user_string())
            if contract is not None:
                checks.append(_contract_check(key, contract, contracts, asset.partitions_def))
    return checks


def _contract_check(
    key: dg.AssetKey,
    contract: Contract,
    contracts: dict[str, Contract],
    partitions: dg.PartitionsDefinition | None,
) -> dg.AssetChecksDefinition:
    blocking = sum(r.blocking for r in contract.rules)

    @dg.asset_check(
        asset=key,
        name=CHECK_NAME,
        blocking=True,
        partitions_def=partitions,
        description=(
            f"The ODCS contract {contract.path.name}: {len(contract.rules)} rules "
            f"({blocking} error severity, which block downstream assets; the rest warn). "
            "Measured in DuckDB, judged as a great-expectations suite."
        ),
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[CheckEvent]:
        with warehouse.connection() as con:
            if partitions is None:
                yield check_result(run_contract(con, contract, contracts))
                return
            whole: list[dg.AssetCheckResult] = []  # no partition column: judged once per run

            def judge(month: date) -> dg.AssetCheckResult:
                if contract.partition_column:
                    return check_result(run_contract(con, contract, contracts, month))
                whole[:] = whole or [check_result(run_contract(con, contract, contracts))]
                return whole[0]

            yield from judge_each_month(context, judge)

    return _check
