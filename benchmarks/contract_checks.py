"""Contract check time per table against the time to build that table, on a ~5M-row month.

    python benchmarks/contract_checks.py [--rows 5000000]

Builds the 13-month demo, replicates one month of focus_costs (distinct resource ids) to
~`--rows` rows, then for each published table: the build time for that month (focus_costs:
the tag projection that builds its rows, as in rebuild_tables.py; marts: their builders) and
the `data_contract` check time for that month, split into DuckDB measurement and the
great-expectations validation. great-expectations' import (once per process) is reported
on its own line.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.anomalies.build import build_cost_anomalies
from finops_pipeline.contracts.checks import run_contract
from finops_pipeline.contracts.odcs import load_contracts
from finops_pipeline.demo import ingest_demo, write_business_metrics
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import demo_settings
from finops_pipeline.showback.allocate import build_showback
from finops_pipeline.tagging.marts import build_tag_marts
from finops_pipeline.tagging.normalise import with_tag_columns
from finops_pipeline.warehouse import connect
from finops_pipeline.waste.build import build_waste_findings


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    month = date(2026, 10, 1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "data"
        generate(data, end_month="2026-11", months=13)
        write_business_metrics(data, data / "ground_truth.json")
        settings = demo_settings(data)
        policy = settings.tag_policy
        con = connect(root / "bench.duckdb")

        def ingest(c: duckdb.DuckDBPyConnection, path: Path, source: str, fmt: str) -> object:
            return ingest_and_refresh(c, path, source, fmt, policy=policy)

        list(ingest_demo(con, data, ingest))
        base = con.execute(
            "select count(*) from focus_costs where BillingPeriodStart = ?", [month]
        ).fetchone()[0]
        copies = max(1, args.rows // base)
        con.execute(
            "create or replace table focus_costs as select * replace "
            "(coalesce(ResourceId, 'r') || '-' || c.i as ResourceId) "
            "from focus_costs, range(?) c(i) where BillingPeriodStart = ?",
            [copies, month],
        )
        con.execute("checkpoint")
        rows = con.execute("select count(*) from focus_costs").fetchone()[0]
        print(f"one billing month ({month:%Y-%m}) of focus_costs: {rows:,} rows")

        base_sql = "select * exclude (x_Tags, x_Team, x_TagSource, x_TagExempt) from focus_costs"
        sql, params = with_tag_columns(base_sql, policy)
        build = {
            "focus_costs": timed(
                lambda: con.execute(f"create or replace temp table tagged as {sql}", params)
            )
        }
        con.execute("drop table tagged")
        tag_marts = timed(lambda: build_tag_marts(con, month, policy=policy, dimension="team"))
        build["tag_violations"] = build["tag_compliance"] = tag_marts
        showback = timed(lambda: build_showback(con, settings, month))
        build["allocation_ledger"] = build["showback_monthly"] = showback
        build["waste_findings"] = timed(lambda: build_waste_findings(con, month, settings.waste))
        build["cost_anomalies"] = timed(lambda: build_cost_anomalies(con, settings.anomalies))

        start = time.perf_counter()
        import great_expectations  # noqa: F401

        print(f"great-expectations import (once per process): {time.perf_counter() - start:.2f} s")
        contracts = load_contracts()
        print(
            f"{'table':<18} {'rows':>10} {'build s':>8} {'check s':>8} {'measure':>8} "
            f"{'GX':>6} {'rules':>5}  failing"
        )
        for table, contract in contracts.items():
            scope = month if contract.partition_column else None
            report = run_contract(con, contract, contracts, scope)
            count = con.execute(f"select count(*) from {table}").fetchone()[0]
            check = report.measure_seconds + report.validate_seconds
            note = (
                "(marts built together)" if table in ("tag_violations", "showback_monthly") else ""
            )
            print(
                f"{table:<18} {count:>10,} {build.get(table, float('nan')):>8.2f} {check:>8.2f} "
                f"{report.measure_seconds:>8.2f} {report.validate_seconds:>6.2f} "
                f"{len(report.results):>5}  {[r.name for r in report.failing] or ''} {note}"
            )
        con.close()


if __name__ == "__main__":
    main()
