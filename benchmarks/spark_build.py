"""DuckDB vs Spark local[2]: `finops ingest` + `finops run` of one month, same data (issue 15).

    python benchmarks/spark_build.py [--rows 1000000 5000000] [--workdir /tmp/finops_spark_build]
                                     [--driver-memory 2g]

For each `--rows`, builds the 94-column legacy CUR CSV of month_build.py (the real-width
sample in ../shared/datasets, replicated with fresh line item ids), then runs the two
commands a user runs, each in its own fresh process, once per engine, each engine with its
own warehouse (and lake):
  ingest   `finops ingest CUR.csv --engine E`: landing (DuckDB's readers on both engines;
           with spark the rows are staged as Parquet into the lake) and focus_costs, built
           by E;
  run      `finops run --engine E`: every derived table of the month, built by E.
Wall time, CPU seconds and peak RSS of the whole process tree (sampled every 0.2 s with
psutil: Spark's JVM is a child of the Python driver, so its memory counts) are printed with
rows/s. Spark runs with its event log on (`spark.eventLog.*`, in the run's folder): the
work of every task of each command is summed from it, task seconds (launch to finish),
executor CPU seconds, input, shuffle written and read, per command and for the largest
stage, the figures the cost model in the README's "Running on Spark" is built from.
Afterwards the warehouses are compared: focus_costs, allocation_ledger and
showback_monthly row counts and cost totals per currency must be equal to the cent, or the
script fails. Not a timed test: figures depend on the machine and its load (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from month_build import KEEP_ENV, build_csv, load_average

TOTALS = {
    "focus_costs": "select BillingCurrency, count(*), sum(BilledCost), sum(EffectiveCost) "
    "from focus_costs group by all order by all",
    "allocation_ledger": "select billing_currency, count(*), sum(billed_cost), "
    "sum(effective_cost) from allocation_ledger group by all order by all",
    "showback_monthly": "select billing_currency, count(*), sum(billed_cost), "
    "sum(effective_cost) from showback_monthly group by all order by all",
}
ENGINES = ("duckdb", "spark")


def measure_tree(argv: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS of the process and its descendants (MB), CPU seconds of the
    tree, and stdout, of a fresh process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_") or k in KEEP_ENV}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    peak, cpu = 0.0, {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            rss = 0
            for member in tree:
                try:
                    rss += member.memory_info().rss
                    times = member.cpu_times()
                    cpu[member.pid] = times.user + times.system
                except psutil.NoSuchProcess:
                    continue
            peak = max(peak, rss / 2**20)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read() if proc.stdout else ""
    status = proc.wait()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"benchmark step failed ({status}): {' '.join(argv)[:300]}\n{out[-3000:]}")
    return wall, peak, sum(cpu.values()), out


def spark_work(event_files: list[Path]) -> dict[str, float]:
    """Summed from Spark's event logs (one per session a command started): tasks, task
    seconds, executor CPU seconds, input MB, shuffle MB written and read, stages, and the
    shuffle MB written by the largest stage."""
    work = dict.fromkeys(("tasks", "task_s", "cpu_s", "input_mb", "shuffle_write_mb",
                          "shuffle_read_mb"), 0.0)  # fmt: skip
    per_stage: dict[tuple[str, int], float] = {}
    # Spark 4 writes each session's log as a folder (eventlog_v2_*) of rolled events_* files
    logs = [f for p in event_files for f in (sorted(p.glob("events_*")) if p.is_dir() else [p])]
    for path in logs:
        for line in path.open(encoding="utf-8"):
            event = json.loads(line)
            if event.get("Event") != "SparkListenerTaskEnd":
                continue
            info, metrics = event["Task Info"], event.get("Task Metrics") or {}
            read = metrics.get("Shuffle Read Metrics", {})
            written = metrics.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0)
            work["tasks"] += 1
            work["task_s"] += (info["Finish Time"] - info["Launch Time"]) / 1e3
            work["cpu_s"] += metrics.get("Executor CPU Time", 0) / 1e9
            work["input_mb"] += metrics.get("Input Metrics", {}).get("Bytes Read", 0) / 2**20
            work["shuffle_write_mb"] += written / 2**20
            work["shuffle_read_mb"] += (
                read.get("Remote Bytes Read", 0) + read.get("Local Bytes Read", 0)
            ) / 2**20
            session = path.parent if path.name.startswith("events_") else path
            stage = (str(session), event["Stage ID"])
            per_stage[stage] = per_stage.get(stage, 0.0) + written / 2**20
    work["stages"] = len(per_stage)
    work["max_stage_shuffle_mb"] = max(per_stage.values(), default=0.0)
    return work


def finops(*args: str) -> list[str]:
    return [sys.executable, "-c", "from finops_pipeline.cli import app; app()", *args]


def totals(warehouse: Path) -> dict[str, list]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            table: [list(map(str, r)) for r in con.sql(q).fetchall()] for table, q in TOTALS.items()
        }
    finally:
        con.close()


def run_point(rows: int, workdir: Path, driver_memory: str) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    csv = workdir / "exports" / "cur.csv"
    csv.parent.mkdir(parents=True)
    build_csv(csv, rows)
    load = load_average()
    figures: dict[str, dict[str, tuple]] = {}
    work: dict[tuple[str, str], dict[str, float]] = {}
    for engine in ENGINES:
        home = workdir / engine
        home.mkdir()
        events = home / "spark-events"
        events.mkdir()
        (home / "finops.yaml").write_text(
            "warehouse: finops.duckdb\nlake: lake\n"
            f"spark:\n  master: local[2]\n  conf:\n    spark.driver.memory: {driver_memory}\n"
            f"    spark.eventLog.enabled: 'true'\n    spark.eventLog.dir: file://{events}\n"
            "    spark.eventLog.compress: 'false'\n"
        )
        commands = {
            "ingest": finops("ingest", str(csv), "--source", "bench", "--engine", engine),
            "run": finops("run", "--engine", engine),
        }
        figures[engine] = {}
        for step, argv in commands.items():
            before = set(events.iterdir())
            figures[engine][step] = measure_tree(argv, home)
            work[(engine, step)] = spark_work(sorted(set(events.iterdir()) - before))
    expected = totals(workdir / "duckdb" / "finops.duckdb")
    got = totals(workdir / "spark" / "finops.duckdb")
    if got != expected:
        sys.exit(f"Spark's tables differ from DuckDB's:\n{json.dumps([expected, got], indent=1)}")
    print(f"\n{rows:,} rows (94-column legacy CUR CSV, {csv.stat().st_size / 2**20:,.0f} MB), "
          f"load average before: {load}")  # fmt: skip
    for engine in ENGINES:
        for step, (wall, rss, cpu, _) in figures[engine].items():
            print(
                f"  {engine:7} {step:7} {wall:8.1f} s  cpu {cpu:8.1f} s  "
                f"peak rss {rss:7,.0f} MB (tree)  {rows / wall:10,.0f} rows/s"
            )
        whole = sum(figures[engine][s][0] for s in ("ingest", "run"))
        print(f"  {engine:7} total   {whole:8.1f} s  {rows / whole:10,.0f} rows/s")
    for step in ("ingest", "run"):
        ratio = figures["spark"][step][0] / figures["duckdb"][step][0]
        print(f"  spark / duckdb {step}: {ratio:.2f}x wall")
    for step in ("ingest", "run"):
        w = work[("spark", step)]
        print(
            f"  spark {step:7} {w['tasks']:6,.0f} tasks in {w['stages']:3,.0f} stages: "
            f"{w['task_s']:8.1f} task-s, {w['cpu_s']:8.1f} executor cpu-s "
            f"({rows / max(w['cpu_s'], 1e-9):,.0f} rows per cpu-s), input {w['input_mb']:,.0f} MB, "
            f"shuffle written {w['shuffle_write_mb']:,.0f} MB / read {w['shuffle_read_mb']:,.0f} MB, "
            f"largest stage's shuffle {w['max_stage_shuffle_mb']:,.0f} MB"
        )
    print(f"  equal to the cent: {', '.join(TOTALS)} ({expected['focus_costs']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/finops_spark_build"))
    parser.add_argument("--driver-memory", default="2g", help="spark.driver.memory (local)")
    args = parser.parse_args()
    for rows in args.rows:
        run_point(rows, args.workdir, args.driver_memory)
    shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
