"""Time to rebuild the issue-3 tables: for the 13-month demo, and for one 5M-row month.

    python benchmarks/rebuild_tables.py [--rows 5000000]

(a) demo: generate the demo exports, ingest them with the demo tag policy, then time the
    full rebuild `finops demo` does (the Dagster job `build_derived`, one run over the months):
    focus_costs with normalised tags and every derived table, for all months.
(b) a 5M-row month: one demo month's focus_costs rows replicated (with distinct resource ids)
    to ~5M rows, then time the tag projection over it, the tag marts and showback for it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from finops_pipeline.demo import ingest_demo, write_business_metrics
from finops_pipeline.orchestration.month_runner import build_every_month
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import demo_settings
from finops_pipeline.showback.allocate import build_showback, conservation
from finops_pipeline.tagging.marts import build_tag_marts
from finops_pipeline.tagging.normalise import with_tag_columns
from finops_pipeline.warehouse import connect


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label}: {time.perf_counter() - start:.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "data"
        generate(data, end_month="2026-11", months=13)
        write_business_metrics(data, data / "ground_truth.json")
        settings = demo_settings(data)
        path = root / "demo.duckdb"
        con = connect(path)
        policy = settings.tag_policy

        def ingest(c, path, source, fmt):
            return ingest_and_refresh(c, path, source, fmt, policy=policy)

        list(ingest_demo(con, data, ingest))
        rows = con.execute("select count(*) from focus_costs").fetchone()[0]
        print(f"(a) demo, 13 months, {rows:,} focus_costs rows")
        con.close()
        failed = timed(
            "rebuild every derived table, one Dagster run over the months (finops demo)",
            lambda: build_every_month(settings, path),
        )
        assert failed == [], failed
        con = connect(path)
        assert all(r.ok for r in conservation(con))

        month = date(2026, 10, 1)
        base = con.execute(
            "select count(*) from focus_costs where BillingPeriodStart = ?", [month]
        ).fetchone()[0]
        copies = max(1, args.rows // base)
        print(f"(b) one month x {copies} = {base * copies:,} rows")
        con.execute(
            "create or replace table focus_costs as select * replace "
            "(coalesce(ResourceId, 'r') || '-' || c.i as ResourceId) "
            "from focus_costs, range(?) c(i) where BillingPeriodStart = ?",
            [copies, month],
        )
        con.execute("checkpoint")
        base_sql = "select * exclude (x_Tags, x_Team, x_TagSource, x_TagExempt) from focus_costs"
        sql, params = with_tag_columns(base_sql, policy)
        timed(
            "tag projection (normalised tags for every row)",
            lambda: con.execute(f"create or replace temp table tagged as {sql}", params),
        )
        timed(
            "tag marts for the month",
            lambda: build_tag_marts(con, month, policy=policy, dimension="team"),
        )
        timed("ledger + showback for the month", lambda: build_showback(con, settings, month))
        timed("conservation check", lambda: conservation(con, month))
        assert all(r.ok for r in conservation(con, month))
        con.close()


if __name__ == "__main__":
    main()
