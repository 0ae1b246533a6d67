"""A month's ingest and whole derived build at growing sizes: time, peak RSS, the fitted growth
exponent and the incremental rerun (issue 16).

    python benchmarks/month_build.py [--rows [N ...]] [--parquet-rows [N ...]]
                                     [--workdir /tmp/finops_month_build] [--record FILE]
                                     [--skip-ctas] [--ingest-only] [--keep]

For each size it replicates the FinOps Foundation's 94-column legacy CUR sample
(`$FINOPS_SHARED_DATASETS/focus-converters/sample-anonymous-aws-export-dataset.csv`, one
billing month) to a CSV of that many rows (a distinct line item id per copy), then runs, each
in its own fresh process so that wall time and peak RSS are that step's alone:
  scan    DuckDB's bare scan of the file, summing the cost column (the floor);
  CTAS    DuckDB's own `CREATE TABLE AS SELECT *` of the file into a new database;
  ingest  `ingest_and_refresh`, what `finops ingest` runs (landing with checks, load_log,
          source totals, then focus_costs);
  build   `finops run` (every derived table of the month, through Dagster);
  rerun   `finops run` again with nothing changed (months skipped by their fingerprint).
`--rows` sizes (default 0.5M and 5M) are CSV files; `--parquet-rows` sizes are CUR 2.0 Parquet
files built from the same sample (a 20M-row CSV would take ~16 GB of disk): same steps. `--rows`
with no sizes measures no CSV, e.g. `--rows --parquet-rows 5000000 20000000` for Parquet only.
The warehouse uses the default memory limit (FINOPS_MEMORY_LIMIT); the load average before
each size is printed beside it (the figures are only comparable within a run on a machine that
is otherwise idle).
Prints one row per size with the ratios, then, for each file kind on its own (CSV and Parquet
differ in parsing and width, so one fit over both would mix two cost curves), the exponent k of
value ~ rows^k for ingest and build: wall time, CPU time and peak RSS (least squares on the
log-log points; 1.0 is linear). With three sizes or more of a kind it also prints k over the
two largest sizes alone: a fixed start-up cost flattens the fit at small sizes, and the top of
the range is where growth matters. On a shared machine run one size at a time with
`--record FILE`: each run appends its points (JSON lines) and the exponents are fitted over
every point recorded there. `--skip-ctas` leaves out the CTAS step (minutes at 20M rows);
`--ingest-only` leaves out CTAS, build and rerun (their columns print nan, their fits `-`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "focus-converters/sample-anonymous-aws-export-dataset.csv"
RSS_TARGET_MB = 1024


def sample_path() -> Path:
    shared = Path(os.environ.get("FINOPS_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))
    sample = shared / SAMPLE
    if not sample.exists():
        sys.exit(f"missing {sample}: set FINOPS_SHARED_DATASETS")
    return sample


def build_csv(target: Path, rows: int) -> None:
    """`rows` rows of the sample, repeated, each copy with its own line item ids."""
    import duckdb

    sample = sample_path()
    per_copy = duckdb.sql(f"select count(*) from read_csv('{sample}', all_varchar = true)")
    copies = math.ceil(rows / per_copy.fetchall()[0][0])
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(
        "copy (select * replace (lpad(c::varchar, 6, '0') || \"identity/LineItemId\" as "
        f"\"identity/LineItemId\") from read_csv('{sample}', all_varchar = true), "
        f"range({copies}) as r(c) limit {rows}) to '{target}' (header, delimiter ',')"
    )


def build_parquet(target: Path, rows: int) -> None:
    """CUR 2.0 column names (snake case) and native types, from the same sample."""
    import duckdb

    sys.path.insert(0, str(REPO / "benchmarks"))
    from ingest_speed import snake  # one spelling rule for both benchmarks

    sample = sample_path()
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    columns = con.execute(
        f"select * from read_csv('{sample}', all_varchar = true) limit 0"
    ).description
    per_copy = con.execute(f"select count(*) from read_csv('{sample}')").fetchall()[0][0]
    copies = math.ceil(rows / per_copy)
    money = ("Cost", "Rate", "Amount", "Fee", "Value", "Commitment", "Quantity", "Units")
    select = []
    for name, *_ in columns:
        expr = f'"{name}"'
        if name == "identity/LineItemId":
            expr = f"lpad(c::varchar, 6, '0') || {expr}"
        elif any(word in name.split("/")[-1] for word in money):
            expr = f"try_cast({expr} as double)"
        select.append(f"{expr} as {snake(name)}")
    select.append("map(['user_team'], ['payments']) as resource_tags")
    con.execute(
        f"copy (select {', '.join(select)} from read_csv('{sample}', all_varchar = true), "
        f"range({copies}) as r(c) limit {rows}) to '{target}' (format parquet, compression zstd)"
    )


def measure(argv: list[str], cwd: Path) -> tuple[float, float, str, float]:
    """Wall seconds, peak RSS (MB), stdout and CPU seconds (user + system) of a fresh process.
    CPU time is the figure to compare on a loaded machine: wall time there is mostly waiting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_") or k in KEEP_ENV}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"benchmark step failed ({status}): {' '.join(argv)[:300]}\n{out[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


KEEP_ENV = {"FINOPS_SHARED_DATASETS", "FINOPS_MEMORY_LIMIT", "FINOPS_TEMP_DIRECTORY"}


def ingest_code(path: Path, warehouse: Path) -> str:
    return (
        "from pathlib import Path\n"
        "from finops_pipeline.warehouse import connect\n"
        "from finops_pipeline.refresh import ingest_and_refresh\n"
        f"con = connect({str(warehouse)!r})\n"
        "con.execute('set enable_progress_bar = false')\n"
        f"r = ingest_and_refresh(con, Path({str(path)!r}), 'bench')\n"
        "assert not r.rejected, [f.reason for f in r.rejected]\n"
        "assert con.execute('select count(*) from focus_costs').fetchone()[0] > 0\n"
    )


def scan_code(path: Path) -> str:
    column = "line_item_unblended_cost" if path.suffix == ".parquet" else "lineItem/UnblendedCost"
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    return (
        "import duckdb; duckdb.execute('set enable_progress_bar = false'); "
        f"duckdb.sql('select sum(\"{column}\") from {reader}(\\'{path}\\')').fetchall()"
    )


def ctas_code(path: Path, target: Path) -> str:
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    return (
        f"import duckdb; con = duckdb.connect({str(target)!r}); "
        "con.execute('set enable_progress_bar = false'); "
        f"con.execute('create table t as select * from {reader}(\\'{path}\\')')"
    )


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_point(
    path: Path, rows: int, workdir: Path, ctas_step: bool = True, build_step: bool = True
) -> dict[str, float]:
    folder = workdir / f"wh_{path.stem}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    warehouse = folder / "finops.duckdb"
    finops = [str(Path(sys.executable).with_name("finops")), "run", "--warehouse", str(warehouse)]
    load = load_average()
    scan = measure([sys.executable, "-c", scan_code(path)], REPO)
    ctas = (float("nan"), 0.0, "", float("nan"))
    if ctas_step:
        ctas = measure([sys.executable, "-c", ctas_code(path, folder / "ctas.duckdb")], REPO)
        (folder / "ctas.duckdb").unlink()
    ingest = measure([sys.executable, "-c", ingest_code(path, warehouse)], REPO)
    skipped = (float("nan"), float("nan"), "skipped", float("nan"))
    build = measure(finops, folder) if build_step else skipped
    rerun = measure(finops, folder) if build_step else skipped
    if "skipped" not in rerun[2]:
        print(f"  note: the rerun skipped nothing:\n{rerun[2]}")
    point = {
        "rows": rows,
        "scan": scan[0],
        "ctas": ctas[0],
        "load": load,  # type: ignore[dict-item]
        "ingest": ingest[0],
        "ingest_rss": ingest[1],
        "build": build[0],
        "build_rss": build[1],
        "rerun": rerun[0],
        "rerun_rss": rerun[1],
        "scan_cpu": scan[3],
        "ctas_cpu": ctas[3],
        "ingest_cpu": ingest[3],
        "build_cpu": build[3],
        "rerun_cpu": rerun[3],
    }
    shutil.rmtree(folder, ignore_errors=True)
    return point


def exponent(points: list[dict[str, float]], key: str) -> float | None:
    """Least-squares slope of log(value) on log(rows), over the points that measured it; None
    when fewer than two distinct sizes did (e.g. build under --ingest-only)."""
    points = [p for p in points if math.isfinite(p.get(key, float("nan"))) and p[key] > 0]
    if len({p["rows"] for p in points}) < 2:
        return None
    xs = [math.log(p["rows"]) for p in points]
    ys = [math.log(p[key]) for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def print_exponents(points: list[dict[str, float]]) -> None:
    """One fit per file kind and step (never CSV and Parquet points together), over all sizes
    and, with three sizes or more, over the two largest alone."""

    def k(value: float | None) -> str:
        return f"{value:>6.2f}" if value is not None else f"{'-':>6}"

    print(
        "fitted exponent k of value ~ rows^k (least squares on log-log; 1.0 is linear), "
        "each file kind on its own:"
    )
    print(
        f"  {'kind':<8} {'step':<7} {'sizes':>5} {'time k':>6} {'CPU k':>6} {'RSS k':>6}   "
        f"{'last two sizes':<24} {'time k':>6} {'CPU k':>6} {'RSS k':>6}"
    )
    for kind in dict.fromkeys(str(p.get("kind", "csv")) for p in points):
        same = [p for p in points if p.get("kind", "csv") == kind]
        for step in ("ingest", "build"):
            keys = (step, f"{step}_cpu", f"{step}_rss")
            sizes = sorted({p["rows"] for p in same if math.isfinite(p.get(step, float("nan")))})
            fits = " ".join(k(exponent(same, key)) for key in keys)
            line = f"  {kind:<8} {step:<7} {len(sizes):>5} {fits}"
            if len(sizes) >= 3:
                top = [p for p in same if p["rows"] in sizes[-2:]]
                span = f"{sizes[-2]:,.0f} -> {sizes[-1]:,.0f}"
                line += f"   {span:<24} " + " ".join(k(exponent(top, key)) for key in keys)
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        nargs="*",
        default=[500_000, 5_000_000],
        help="CSV sizes (default 500000 5000000); no sizes: no CSV",
    )
    parser.add_argument("--parquet-rows", type=int, nargs="*", default=[], help="Parquet sizes")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/finops_month_build"))
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--record", type=Path, help="append points here; fit over all of them")
    parser.add_argument("--skip-ctas", action="store_true", help="leave out the CTAS step")
    parser.add_argument("--ingest-only", action="store_true", help="leave out CTAS, build, rerun")
    parser.add_argument("--make", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        kind, rows, target = args.make
        (build_csv if kind == "csv" else build_parquet)(Path(target), int(rows))
        return
    if not args.rows and not args.parquet_rows:
        parser.error("no sizes: give --rows or --parquet-rows sizes")
    args.workdir.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO))
    from finops_pipeline.warehouse import RUN_MEMORY_LIMIT_MB, default_memory_limit

    memory = os.environ.get("FINOPS_MEMORY_LIMIT") or (
        f"default ({default_memory_limit()}; "
        f"{default_memory_limit(limit_mb=RUN_MEMORY_LIMIT_MB)} in the Dagster run's steps)"
    )
    print(f"memory limit: {memory}; cores: {os.cpu_count()}; each step a fresh process")
    header = (
        f"{'file':<8} {'rows':>11} {'scan s':>7} {'CTAS s':>7} {'ingest s':>9} {'rows/s':>8} "
        f"{'ingest/scan':>11} {'ingest/CTAS':>11} {'ingest RSS':>10} {'build s':>8} "
        f"{'build/ingest':>12} {'build RSS':>9} {'rerun s':>8} {'rerun/build':>11}  load avg"
    )
    points: list[dict[str, float]] = []
    inputs = [("csv", n) for n in args.rows] + [("parquet", n) for n in args.parquet_rows]
    lines = []
    for kind, rows in inputs:
        path = args.workdir / f"cur_{kind}_{rows}.{kind}"
        if not path.exists():  # in a child: the parent's peak RSS would pass to the steps
            subprocess.run(
                [sys.executable, __file__, "--make", kind, str(rows), str(path)], check=True
            )
        point = run_point(
            path,
            rows,
            args.workdir,
            ctas_step=not (args.skip_ctas or args.ingest_only),
            build_step=not args.ingest_only,
        )
        point["kind"] = kind  # type: ignore[assignment]
        points.append(point)
        if args.record:
            with args.record.open("a", encoding="utf-8") as out:
                out.write(json.dumps(point) + "\n")
        lines.append(
            f"{kind:<8} {rows:>11,} {point['scan']:>7.2f} {point['ctas']:>7.2f} "
            f"{point['ingest']:>9.2f} {rows / point['ingest']:>8,.0f} "
            f"{point['ingest'] / point['scan']:>11.2f} {point['ingest'] / point['ctas']:>11.2f} "
            f"{point['ingest_rss']:>7,.0f} MB "
            f"{point['build']:>8.2f} {point['build'] / point['ingest']:>12.2f} "
            f"{point['build_rss']:>6,.0f} MB {point['rerun']:>8.2f} "
            f"{point['rerun'] / point['build']:>11.1%}  {point['load']}"
        )
        print(lines[-1] if len(lines) > 1 else f"{header}\n{lines[-1]}", flush=True)
        print(
            f"{'':<8} {'CPU s':>11} {point['scan_cpu']:>7.2f} {point['ctas_cpu']:>7.2f} "
            f"{point['ingest_cpu']:>9.2f} {'':>8} {point['ingest_cpu'] / point['scan_cpu']:>11.2f} "
            f"{point['ingest_cpu'] / point['ctas_cpu']:>11.2f} {'':>10} "
            f"{point['build_cpu']:>8.2f} {point['build_cpu'] / point['ingest_cpu']:>12.2f} "
            f"{'':>9} {point['rerun_cpu']:>8.2f} {point['rerun_cpu'] / point['build_cpu']:>11.1%}",
            flush=True,
        )
        if not args.keep:
            path.unlink()
    if args.record:
        points = [json.loads(line) for line in args.record.read_text().splitlines() if line]
        print(f"fitted over the {len(points)} points in {args.record}")
        for p in points:
            print(
                f"  {p.get('kind', 'csv'):<8} {p['rows']:>11,} ingest {p['ingest']:8.2f} s "
                f"({p['ingest_rss']:,.0f} MB), build {p['build']:8.2f} s "
                f"({p['build_rss']:,.0f} MB), rerun {p['rerun']:6.2f} s, load {p['load']}; "
                f"CPU s: scan {p.get('scan_cpu', 0):.1f}, CTAS {p.get('ctas_cpu', 0):.1f}, "
                f"ingest {p.get('ingest_cpu', 0):.1f}, build {p.get('build_cpu', 0):.1f}, "
                f"rerun {p.get('rerun_cpu', 0):.1f}"
            )
    print_exponents(points)
    worst = max(v for p in points for v in (p["ingest_rss"], p["build_rss"]) if math.isfinite(v))
    built = [p for p in points if math.isfinite(p["build"])]
    csv_built = [p for p in built if p["kind"] == "csv"] or built
    largest = max(csv_built, key=lambda p: p["rows"]) if csv_built else None
    ratio = (
        f"{largest['build'] / largest['ingest']:.2f}x ({largest['kind']}, {largest['rows']:,} rows)"
        if largest
        else "not measured"
    )
    rerun = f"{max(p['rerun'] / p['build'] for p in built):.1%} (worst)" if built else "n/a"
    print(
        f"targets: peak RSS <= {RSS_TARGET_MB} MB: {'met' if worst <= RSS_TARGET_MB else 'NOT met'} "
        f"(worst {worst:,.0f} MB); build <= 2x ingest at the largest built CSV (else Parquet): "
        f"{ratio}; rerun < 5% of build: {rerun}"
    )


if __name__ == "__main__":
    main()
