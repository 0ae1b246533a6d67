"""Would one write meet issue 16's Parquet target? focus_costs built straight from the file.

    python benchmarks/one_write_probe.py [--rows 500000] [--workdir /tmp/one_write_probe]

Ingest writes two tables: the landed raw rows, then focus_costs from them, where DuckDB's
own `CREATE TABLE AS SELECT *` of the file writes one. The design named to close the gap is
"one write": keep the delivered Parquet as the raw rows (a view over the file, with the
landing's typed projection) and write only focus_costs. This measures that before building
it, in one process and on one CUR 2.0 Parquet month (month_build.py's generator):
  CTAS        `create table as select * from read_parquet(file)` into a new database;
  ingest      what `finops ingest` runs today (landing + focus_costs, `ingest_and_refresh`);
  from table  focus_costs rebuilt whole from the landed raw table (model + write);
  from file   the same rebuild with the raw table replaced by a view over the file: the
              one-write ingest's floor (its landing checks read the file, ~0.02 s here).
  write only  focus_costs' rows, already computed into an in-memory temp table, copied into
              a new table of the warehouse: the cost of writing focus_costs' 80 columns with
              nothing computed, i.e. the floor of any ingest that materialises focus_costs.
If "from file" is above the CTAS, one write cannot meet "Parquet ingest <= CTAS" either;
if "write only" is, no ingest that writes focus_costs can.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

from month_build import build_parquet

from finops_pipeline.core.focus import build_focus_costs
from finops_pipeline.ingest.landing import Lander
from finops_pipeline.ingest.reader import relation_sql
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.warehouse import connect

RAW = "raw_aws_cur2"


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def timed(label: str, step: Callable[[], object]) -> float:
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<12} {wall:7.2f} s  (CPU {cpu:6.2f} s)", flush=True)
    return wall


def ctas(path: Path, target: Path) -> None:
    con = duckdb.connect(str(target))
    con.execute(f"create table t as select * from read_parquet({quote_literal(str(path))})")
    con.close()


def raw_as_file_view(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Swap the landed raw table for a view over the file with the landing's projection
    (the columns it does not land come out NULL, as in the table)."""
    lander = Lander(con, "bench")
    prepared = lander._prepare(path, careful=False)
    relation, params = relation_sql(prepared.kind, path, prepared.padded)
    relation = relation.replace("?", quote_literal(params[0]), 1)
    load_id = con.execute(f"select any_value(x_load_id) from {RAW}").fetchone()[0]
    con.execute(f"create table raw_shape as select * from {RAW} limit 0")
    con.execute(f"alter table {RAW} rename to {RAW}_landed")
    con.execute(
        f"create view {RAW} as select * from raw_shape union all by name "
        f"select *, {lander._period_sql(prepared.mapping)} as x_billing_period from ("
        f"select {prepared.selection.select_list()}, 'bench' as x_source_name, "
        f"'aws-cur2' as x_source_format, {quote_literal(str(path))} as x_source_file, "
        f"{quote_literal(load_id)} as x_load_id, now()::timestamp as x_loaded_at "
        f"from {relation})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/one_write_probe"))
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    path = args.workdir / f"cur2_{args.rows}.parquet"
    build_parquet(path, args.rows)
    print(f"CUR 2.0 Parquet, {args.rows:,} rows")
    ctas_s = timed("CTAS", lambda: ctas(path, args.workdir / "ctas.duckdb"))
    con = connect(args.workdir / "finops.duckdb")
    ingest_s = timed("ingest", lambda: ingest_and_refresh(con, path, "bench"))

    def rebuild() -> None:
        con.execute("drop table focus_costs")
        build_focus_costs(con)

    table_s = timed("from table", rebuild)
    raw_as_file_view(con, path)
    rows = con.execute(f"select count(*) from {RAW}").fetchone()[0]
    assert rows == args.rows, f"the view reads {rows} rows, the file has {args.rows}"
    file_s = timed("from file", rebuild)
    con.execute("create temp table focus_rows as select * from focus_costs")

    def write_only() -> None:
        con.execute("create table focus_copy as select * from focus_rows")
        con.execute("checkpoint")

    write_s = timed("write only", write_only)
    con.close()
    print(
        f"ingest / CTAS {ingest_s / ctas_s:.2f}x; one-write floor (from file) / CTAS "
        f"{file_s / ctas_s:.2f}x; focus_costs from the landed table (model + write) / CTAS "
        f"{table_s / ctas_s:.2f}x; focus_costs rows written, nothing computed / CTAS "
        f"{write_s / ctas_s:.2f}x (issue 16 target: ingest <= 1x)"
    )


if __name__ == "__main__":
    main()
