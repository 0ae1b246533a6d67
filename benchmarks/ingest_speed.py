"""Ingest speed against DuckDB's bare scan, on a full-width legacy CUR and a CUR 2.0 Parquet.

    python benchmarks/ingest_speed.py [--copies 400] [--workdir benchmarks/.work]

Builds a >= 500k-row legacy CUR CSV by replicating the FinOps Foundation's 94-column sample
(`$FINOPS_SHARED_DATASETS/focus-converters/sample-anonymous-aws-export-dataset.csv`) and a CUR
2.0 Parquet of the same rows, then measures, each in its own fresh process so that wall time
and peak RSS include Python start-up and nothing else:
  (a) DuckDB's bare scan of the file, summing the cost column;
  (b) our ingest (landing with checks, load_log, source totals) + the focus_costs build;
  (l) the landing alone (b without the focus_costs build: what is in the warehouse then is
      the raw rows, checked and reconciled to the file's totals);
  (c) DuckDB's own `CREATE TABLE AS SELECT *` of the file into a new database file.
Prints rows/s, wall seconds, peak RSS and the ratios b/a, b/c and l/c for each file, against
the targets of issue 16: CSV b/a <= 2, Parquet "ingest" <= the CTAS, read both ways (with
focus_costs, b/c; the landing alone, l/c), peak RSS <= 1 GB (the warehouse's
default memory limit; FINOPS_MEMORY_LIMIT changes it). Each repeat runs a, l, b, c back
to back, so the ratios compare steps under the same machine load.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "focus-converters/sample-anonymous-aws-export-dataset.csv"

CTAS = {
    "csv": "create table t as select * from read_csv('{path}')",
    "parquet": "create table t as select * from read_parquet('{path}')",
}
BARE_SCAN = {
    "csv": "select sum(\"lineItem/UnblendedCost\") from read_csv('{path}')",
    "parquet": "select sum(line_item_unblended_cost) from read_parquet('{path}')",
}


def snake(name: str) -> str:
    """CUR legacy header -> CUR 2.0 column name (lineItem/UnblendedCost -> line_item_unblended_cost)."""
    category, _, field = name.partition("/")
    convert = lambda s: re.sub(r"(?<!^)(?=[A-Z])", "_", s).lower()  # noqa: E731
    return f"{convert(category)}_{convert(field)}"


def build_inputs(workdir: Path, copies: int) -> tuple[Path, Path, int]:
    import duckdb

    shared = Path(os.environ.get("FINOPS_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))
    sample = shared / SAMPLE
    if not sample.exists():
        sys.exit(f"missing {sample}: set FINOPS_SHARED_DATASETS")
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / "cur_legacy_big.csv"
    parquet_path = workdir / "cur2_big.parquet"
    lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    rows = len(body) * copies
    if not csv_path.exists():
        with csv_path.open("w", encoding="utf-8") as out:
            out.write(header)
            for copy in range(copies):
                # A distinct line item id per copy, as in a real month; the rest repeats.
                out.writelines(f"{copy:04d}{line}" for line in body)
    if not parquet_path.exists():
        con = duckdb.connect()
        columns = con.execute(
            "select * from read_csv(?, all_varchar = true) limit 0", [str(csv_path)]
        ).description
        money = re.compile(r"(Cost|Rate|Amount|Fee|Value|Commitment|Quantity|Units|Factor)")
        select = []
        for name, *_rest in columns:
            target = snake(name)
            expr = f'"{name}"'
            if money.search(name.split("/")[-1]):
                expr = f"try_cast({expr} as double)"
            select.append(f"{expr} as {target}")
        select.append("map(['user_team'], ['payments']) as resource_tags")
        select.append("map(['product_name'], [\"product/ProductName\"]) as product")
        con.execute(
            f"copy (select {', '.join(select)} from read_csv(?, all_varchar = true)) "
            f"to '{parquet_path}' (format parquet, compression zstd)",
            [str(csv_path)],
        )
    return csv_path, parquet_path, rows


def measure(code: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a fresh Python process running `code`."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"benchmark step failed ({status}): {code[:200]}")
    return wall, usage.ru_maxrss / 1024


def ingest_code(path: Path, warehouse: Path, focus_costs: bool = True) -> str:
    """Our ingest of `path` into a new warehouse: `finops ingest` (landing + focus_costs), or
    with `focus_costs` False the landing alone (`ingest_path`)."""
    module, run, check = (
        ("refresh", "ingest_and_refresh", "select count(*) from focus_costs")
        if focus_costs
        else (
            "ingest.service",
            "ingest_path",
            "select count(*) from load_log where status = 'loaded'",
        )
    )
    return (
        "from pathlib import Path\n"
        "from finops_pipeline.warehouse import connect\n"
        f"from finops_pipeline.{module} import {run}\n"
        f"con = connect({str(warehouse)!r})\n"
        "con.execute('set enable_progress_bar = false')\n"
        f"r = {run}(con, Path({str(path)!r}), 'bench')\n"
        "assert not r.rejected, [f.reason for f in r.rejected]\n"
        f"assert con.execute({check!r}).fetchone()[0] > 0\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--copies", type=int, default=400, help="sample copies (400 -> 512,400 rows)"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/finops_ingest_speed"))
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per step; the median is reported"
    )
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build_inputs(args.workdir, args.copies)
        return
    # Build in a child: a forked child inherits the parent's peak RSS on Linux, so the
    # parent must stay small for the children's peak RSS figures to be their own.
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--build-only",
            "--copies",
            str(args.copies),
            "--workdir",
            str(args.workdir),
        ],
        check=True,
    )
    csv_path, parquet_path, rows = build_inputs(args.workdir, args.copies)
    print(
        f"rows: {rows:,}; CSV {csv_path.stat().st_size / 1e6:,.0f} MB, "
        f"Parquet {parquet_path.stat().st_size / 1e6:,.0f} MB"
    )
    for kind, path in (("csv", csv_path), ("parquet", parquet_path)):
        quiet = "import duckdb; duckdb.execute('set enable_progress_bar = false'); "
        scan = quiet + f"duckdb.sql({BARE_SCAN[kind].format(path=path)!r}).fetchall()"
        warehouse = args.workdir / f"bench_{kind}.duckdb"
        copy_db = args.workdir / f"ctas_{kind}.duckdb"
        ctas = (
            "import duckdb; con = duckdb.connect("
            f"{str(copy_db)!r}); con.execute('set enable_progress_bar = false'); "
            f"con.execute({CTAS[kind].format(path=path)!r})"
        )
        scans, ingests, landings, copies = [], [], [], []
        stale = (warehouse, warehouse.with_suffix(".duckdb.wal"), copy_db)
        for _ in range(args.repeat):
            scans.append(measure(scan))
            for file in stale:
                file.unlink(missing_ok=True)
            landings.append(measure(ingest_code(path, warehouse, focus_costs=False)))
            for file in stale:
                file.unlink(missing_ok=True)
            ingests.append(measure(ingest_code(path, warehouse)))
            copies.append(measure(ctas))
        (a_wall, a_rss), (b_wall, b_rss) = median(scans), median(ingests)
        c_wall, c_rss = median(copies)
        l_wall, l_rss = median(landings)
        runs = ", ".join(f"{b:.2f}/{a:.2f}" for (a, _), (b, _) in zip(scans, ingests, strict=True))
        runs_c = ", ".join(
            f"{b:.2f}/{c:.2f}" for (b, _), (c, _) in zip(ingests, copies, strict=True)
        )
        print(
            f"{kind}: (a) bare scan {a_wall:.2f} s, {rows / a_wall:,.0f} rows/s, peak RSS {a_rss:,.0f} MB"
        )
        print(
            f"{kind}: (b) ingest + focus_costs {b_wall:.2f} s, {rows / b_wall:,.0f} rows/s, "
            f"peak RSS {b_rss:,.0f} MB"
        )
        print(
            f"{kind}: (l) landing alone {l_wall:.2f} s, {rows / l_wall:,.0f} rows/s, "
            f"peak RSS {l_rss:,.0f} MB"
        )
        print(
            f"{kind}: (c) DuckDB CREATE TABLE AS SELECT * {c_wall:.2f} s, peak RSS {c_rss:,.0f} MB"
        )
        target = "target <= 2" if kind == "csv" else "no target"
        print(
            f"{kind}: ratio b/a = {b_wall / a_wall:.2f} ({target}; runs b/a: {runs}); "
            f"ratio b/c = {b_wall / c_wall:.2f} ({'target <= 1' if kind == 'parquet' else 'no target'}"
            f"; runs b/c: {runs_c}); peak RSS {'within' if b_rss <= 1024 else 'OVER'} 1 GB"
        )
        runs_l = ", ".join(
            f"{lw:.2f}/{c:.2f}" for (lw, _), (c, _) in zip(landings, copies, strict=True)
        )
        print(
            f"{kind}: ratio l/c = {l_wall / c_wall:.2f} "
            f"({'target <= 1, read as the landing alone' if kind == 'parquet' else 'no target'}"
            f"; runs l/c: {runs_l}); ratio l/a = {l_wall / a_wall:.2f}"
        )


def median(samples: list[tuple[float, float]]) -> tuple[float, float]:
    """Median wall time of the runs, with the largest peak RSS seen."""
    walls = sorted(s[0] for s in samples)
    return walls[len(walls) // 2], max(s[1] for s in samples)


if __name__ == "__main__":
    main()
