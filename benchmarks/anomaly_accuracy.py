"""Strict precision and recall of cost_anomalies against planted anomalies.

    python benchmarks/anomaly_accuracy.py [--seeds 1 2 3 4 5] [--months 13]   # the demo
    python benchmarks/anomaly_accuracy.py --suite [--suite-seeds 30]          # independent
    python benchmarks/anomaly_accuracy.py --runtime [--series 1000] [--months 13]

`--suite` runs benchmarks/anomaly_suite.py (built without the demo generator) and, in the
same run, the three naive baselines of benchmarks/anomaly_baselines.py; see
benchmarks/anomaly_suite_run.py. `--runtime` times detection alone on synthetic series, then
the whole build_cost_anomalies (SQL, every level, contributors, table written) on the same
series as focus_costs rows.

For each generator seed: generate the demo exports (the seed changes the usage noise, tag
mess and ids; the planted anomalies stay at their dates), ingest them with the demo tag
policy, build cost_anomalies at the default settings as of the generator's as-of date, and
grade it with finops_pipeline/anomalies/accuracy.py (one row per distinct planted anomaly;
every other row is a false positive). Prints precision, recall and detection runtime per
seed, then the totals over all seeds (pooled rows, not an average of ratios).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from functools import partial
from pathlib import Path

from finops_pipeline.anomalies import build_cost_anomalies
from finops_pipeline.anomalies.accuracy import grade, reported
from finops_pipeline.demo import ingest_demo
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import demo_settings
from finops_pipeline.warehouse import connect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--suite", action="store_true", help="the independent suite")
    parser.add_argument("--suite-seeds", type=int, default=30)
    parser.add_argument(
        "--runtime", action="store_true", help="time detection alone, then the whole build"
    )
    parser.add_argument("--series", type=int, default=1000)
    args = parser.parse_args()
    if args.suite or args.runtime:
        from anomaly_suite_run import run_runtime, run_suite

        if args.suite:
            run_suite(list(range(1, args.suite_seeds + 1)))
        if args.runtime:
            run_runtime(args.series, args.months)
        return
    rows = true_rows = planted = found = 0
    detect_total = 0.0
    started = time.perf_counter()
    print("seed  rows  planted  found  false_pos  precision  recall  detect_s  seed_total_s")
    for seed in args.seeds:
        seed_start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            truth = generate(data, end_month="2026-11", months=args.months, seed=seed)
            policy = demo_settings(data).tag_policy
            con = connect(Path(tmp) / "w.duckdb")

            list(ingest_demo(con, data, partial(ingest_and_refresh, policy=policy)))
            t0 = time.perf_counter()
            build_cost_anomalies(con, as_of=date.fromisoformat(truth["as_of"]))
            detect_s = time.perf_counter() - t0
            result = grade(reported(con), truth)
            con.close()
        rows += result.rows
        true_rows += result.rows - len(result.false_positives)
        planted += result.planted
        found += len(result.found)
        detect_total += detect_s
        print(
            f"{seed:>4}  {result.rows:>4}  {result.planted:>7}  {len(result.found):>5}  "
            f"{len(result.false_positives):>9}  {result.precision:>9.3f}  {result.recall:>6.3f}  "
            f"{detect_s:>8.2f}  {time.perf_counter() - seed_start:>12.1f}"
        )
        for fp in result.false_positives:
            print(
                f"      false positive: {fp['level']} {fp['key']} {fp['provider']} "
                f"{fp['direction']} {fp['first_date']}..{fp['last_date']} impact {fp['impact']}"
            )
        if result.missed:
            print(f"      missed: {', '.join(result.missed)}")
    precision = true_rows / rows if rows else 1.0
    recall = found / planted if planted else 1.0
    print(
        f"all {len(args.seeds)} seeds: precision {precision:.3f} ({true_rows}/{rows}), "
        f"recall {recall:.3f} ({found}/{planted}), detection {detect_total:.2f} s, "
        f"total {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
