"""DuckDB vs Spark local[2]: one month's whole derived build from the same landed rows (issue 15).

    python benchmarks/spark_build.py [--rows 1000000] [--workdir /tmp/finops_spark_build]

Builds the 94-column legacy CUR CSV of month_build.py at `--rows` rows and lands it once with
DuckDB (`ingest_and_refresh`, what `finops ingest` runs). Then, each in its own fresh process
(wall time, CPU seconds and peak RSS of that process alone; Spark's JVM is a child process, so
its RSS is reported by the JVM's own peak, not here):
  duckdb   every derived table of the month through the Dagster job (`build_every_month`),
           engine: duckdb, on one copy of the warehouse;
  spark    the same job with engine: spark (master local[2]) on another copy: the landed raw
           tables are first published to the lake by DuckDB (the bridge until Spark lands
           exports with its own readers; timed apart as `publish`), then every table, from
           focus_costs to the marts, is built on Spark into the lake.
Afterwards both warehouses are compared: focus_costs, allocation_ledger and showback_monthly
row counts and BilledCost/EffectiveCost totals per currency must be equal to the cent, or the
script fails. Not a timed test: figures depend on the machine and its load (printed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from month_build import REPO, build_csv, ingest_code, load_average, measure

TOTALS = {
    "focus_costs": "select BillingCurrency, count(*), sum(BilledCost), sum(EffectiveCost) "
    "from focus_costs group by all order by all",
    "allocation_ledger": "select billing_currency, count(*), sum(billed_cost), "
    "sum(effective_cost) from allocation_ledger group by all order by all",
    "showback_monthly": "select billing_currency, count(*), sum(billed_cost), "
    "sum(effective_cost) from showback_monthly group by all order by all",
}


def build_code(warehouse: Path, lake: Path | None) -> str:
    """The derived build of every loaded month; with `lake`, on Spark after the bridge."""
    engine = (
        f"settings = settings.model_copy(update={{'engine': 'spark', 'lake': {str(lake)!r}}})\n"
        "import time\n"
        "from finops_pipeline.engines.lake import create_duckdb_views, publish_to_lake\n"
        "from finops_pipeline.ingest.raw_tables import raw_tables\n"
        "from finops_pipeline.warehouse import connect, table_exists\n"
        f"con = connect({str(warehouse)!r})\n"
        "start = time.perf_counter()\n"
        "published = [t for t in raw_tables() if table_exists(con, t)\n"
        f"             and publish_to_lake(con, {str(lake)!r}, t) > 0]\n"
        "for table in published:\n"
        "    con.execute(f'drop table {table}')\n"
        f"create_duckdb_views(con, {str(lake)!r}, published)\n"
        "con.execute('drop table focus_costs')  # built by the landing on DuckDB: Spark rebuilds it\n"
        "con.close()\n"
        "print('publish_s', round(time.perf_counter() - start, 2))\n"
        if lake
        else ""
    )
    return (
        "from pathlib import Path\n"
        "from finops_pipeline.settings import load_settings\n"
        "from finops_pipeline.orchestration.month_runner import build_every_month\n"
        f"settings = load_settings(None, Path({str(warehouse)!r}))\n"
        f"{engine}"
        f"failed = build_every_month(settings, Path({str(warehouse)!r}))\n"
        "assert failed == [], failed\n"
    )


def totals(warehouse: Path) -> dict[str, list]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            table: [list(map(str, r)) for r in con.sql(q).fetchall()] for table, q in TOTALS.items()
        }
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/finops_spark_build"))
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    csv = args.workdir / "cur.csv"
    build_csv(csv, args.rows)
    landed = args.workdir / "landed.duckdb"
    load = load_average()
    ingest = measure([sys.executable, "-c", ingest_code(csv, landed)], REPO)
    on_duckdb, on_spark = args.workdir / "duckdb.duckdb", args.workdir / "spark.duckdb"
    shutil.copyfile(landed, on_duckdb)
    shutil.copyfile(landed, on_spark)
    duck = measure([sys.executable, "-c", build_code(on_duckdb, None)], REPO)
    lake = args.workdir / "lake"
    spark = measure([sys.executable, "-c", build_code(on_spark, lake)], REPO)
    publish = next(
        (float(line.split()[1]) for line in spark[2].splitlines() if line.startswith("publish_s")),
        float("nan"),
    )
    expected, got = totals(on_duckdb), totals(on_spark)
    if got != expected:
        sys.exit(f"Spark's tables differ from DuckDB's:\n{json.dumps([expected, got], indent=1)}")
    print(f"{args.rows:,} rows (94-column legacy CUR CSV), load average before: {load}")
    print(f"  landing (DuckDB) {ingest[0]:7.1f} s  cpu {ingest[3]:7.1f} s  rss {ingest[1]:6.0f} MB")
    for name, step in (("duckdb", duck), ("spark local[2]", spark)):
        rate = args.rows / step[0]
        print(
            f"  derived build on {name:15} {step[0]:7.1f} s  cpu {step[3]:7.1f} s  "
            f"rss {step[1]:6.0f} MB (driver process)  {rate:9,.0f} rows/s"
        )
    print(f"  of which publishing the raw rows to the lake (DuckDB): {publish:.1f} s")
    print(f"  spark / duckdb: {spark[0] / duck[0]:.2f}x wall")
    print(f"  equal to the cent: {', '.join(TOTALS)} ({expected['focus_costs']})")
    shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
