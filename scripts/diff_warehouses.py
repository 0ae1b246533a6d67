"""Diff every table of two DuckDB warehouses: same tables, same columns and types, same rows.

Why: a refactor that promises "no behaviour change" (issue 17) proves it by building the demo
warehouse before and after and diffing the two, table by table, as multisets of rows. Columns
that record *when* or *which run* (load timestamps, run ids, temp paths) differ between any
two builds of the same code; they are compared by type only and listed in the output.

    python scripts/diff_warehouses.py BEFORE.duckdb AFTER.duckdb [--ignore COL ...]

Exit status 0 when every table matches, 1 otherwise (one line per difference).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

# Columns that differ between two builds of the same code on the same inputs.
VOLATILE_COLUMNS = frozenset(
    {
        "loaded_at",
        "built_at",
        "created_at",
        "detected_at",
        "computed_at",
        "generated_at",
        "imported_at",
        "recorded_at",
        "updated_at",
        "load_id",
        "run_id",
        "file_path",
        "snapshot_at",
        "fetched_at",
        "as_of_run",
        "started_at",
        "finished_at",
        "quarantine_path",
        "staged_path",
        "x_load_id",
        "x_loaded_at",
        "x_LoadId",
        "report_id",
    }
)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_schema || '.' || table_name, column_name, data_type "
        "from information_schema.columns where table_catalog = ? "
        "order by 1, ordinal_position",
        [catalog],
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def diff(before: Path, after: Path, ignore: frozenset[str]) -> list[str]:
    """Every difference between the two warehouses, one readable line each."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as b (read_only)")
    con.execute(f"attach '{after}' as a (read_only)")
    tb, ta = _tables(con, "b"), _tables(con, "a")
    problems: list[str] = []
    for name in sorted(set(tb) - set(ta)):
        problems.append(f"{name}: only in BEFORE")
    for name in sorted(set(ta) - set(tb)):
        problems.append(f"{name}: only in AFTER (new table; not a difference in old ones)")
    for name in sorted(set(tb) & set(ta)):
        if tb[name] != ta[name]:
            problems.append(f"{name}: columns differ: {tb[name]} != {ta[name]}")
            continue
        cols = [c for c, _ in tb[name] if c not in ignore]
        if not cols:
            continue
        select = ", ".join(_quote(c) for c in cols)
        schema, table = name.split(".", 1)
        ref_b = f"b.{_quote(schema)}.{_quote(table)}"
        ref_a = f"a.{_quote(schema)}.{_quote(table)}"
        n_b = con.execute(f"select count(*) from {ref_b}").fetchone()[0]
        n_a = con.execute(f"select count(*) from {ref_a}").fetchone()[0]
        missing = con.execute(
            f"select count(*) from (select {select} from {ref_b} except all select {select} from {ref_a})"
        ).fetchone()[0]
        extra = con.execute(
            f"select count(*) from (select {select} from {ref_a} except all select {select} from {ref_b})"
        ).fetchone()[0]
        if missing or extra or n_a != n_b:
            problems.append(
                f"{name}: {n_b} rows before, {n_a} after; {missing} rows only before, "
                f"{extra} only after"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument(
        "--ignore", nargs="*", action="extend", default=[], help="more columns to skip"
    )
    args = parser.parse_args(argv)
    ignore = VOLATILE_COLUMNS | frozenset(args.ignore)
    problems = diff(args.before, args.after, ignore)
    for line in problems:
        print(line)
    real = [p for p in problems if "only in AFTER" not in p]
    print(
        f"{'DIFFERENT' if real else 'IDENTICAL'}: {len(real)} differing tables "
        f"(ignored columns: {', '.join(sorted(ignore))})"
    )
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
