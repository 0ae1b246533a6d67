"""The header of an export, checked before DuckDB reads the file.

DuckDB accepts the over-long header of a single-line file as one giant column name, needs
memory for every column of a huge header, and renames a duplicated column (`BilledCost_1`)
so that the first one silently wins: each of these is refused here, in one line.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path

import duckdb

from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.read_errors import check_gzip, clip

# DuckDB's default `max_line_size`; a header line longer than this is refused before DuckDB
# (which accepts an over-long header of a single-line file as one giant column name).
MAX_LINE_BYTES = 2_000_000
# DuckDB needs ~0.3 GB to describe 10,000 CSV columns and runs out of memory on millions.
MAX_COLUMNS = 10_000


def csv_header(path: Path) -> list[str]:
    """The header row as the file spells it, refused (one line, naming the limit) when it is
    too long or too wide for DuckDB to read safely: a file with no line break, or millions
    of columns, would otherwise exhaust memory or end in a `csv` module traceback."""
    opener = gzip.open if path.name.lower().endswith((".gz", ".gzip")) else open
    try:
        with opener(path, "rb") as raw:  # type: ignore[operator]
            first = raw.readline(MAX_LINE_BYTES + 1)
        if len(first) > MAX_LINE_BYTES:
            raise IngestError(
                path,
                f"the header line is longer than the maximum line size of {MAX_LINE_BYTES:,} "
                f"bytes (no line break in its first {MAX_LINE_BYTES:,} bytes)",
                expected="a CSV export: a header row, then one line per charge",
                action="check that the file is a complete CSV billing export, not a single-line "
                "or binary file",
            )
        delimiter = "\t" if ".tsv" in path.name.lower() else ","
        with opener(path, "rt", encoding="utf-8-sig", newline="") as stream:  # type: ignore[operator]
            header = next(csv.reader(stream, delimiter=delimiter), [])
    except UnicodeDecodeError as exc:
        raise IngestError(
            path,
            f"the header row is not UTF-8 text ({exc.reason} at byte {exc.start})",
            expected="a UTF-8 CSV export",
            action="re-export the file as UTF-8 CSV",
        ) from exc
    except (OSError, EOFError, zlib.error) as exc:
        check_gzip(path)  # raises the actionable error for a truncated or corrupt gzip
        raise IngestError(
            path, f"cannot be read: {exc}", action="check the file and its permissions"
        ) from exc
    except csv.Error as exc:
        raise IngestError(
            path,
            f"the header row cannot be read: {exc}",
            expected="a header row of column names",
            action="check that the file is a complete CSV billing export",
        ) from exc
    _check_header(path, header)
    return header


def _check_header(path: Path, header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise IngestError(
            path,
            f"the header has {len(header):,} columns, more than the limit of {MAX_COLUMNS:,}",
            expected="a billing export's header (a few hundred columns at most)",
            action="check that the file is a CSV billing export and that its delimiter is ','",
        )
    check_unique_names(path, header)


def check_unique_names(path: Path, names: list[str]) -> None:
    """A column named twice would be read as whichever DuckDB renamed, silently: refuse.
    A NUL byte in a name is refused too: it would end up in a tag key."""
    with_nul = [n for n in names if "\x00" in n]
    if with_nul:
        raise IngestError(
            path,
            f"the column name {with_nul[0]!r} contains a NUL byte (\\x00)",
            expected="column names without control characters",
            action="re-export the file, or fix its header row",
        )
    seen: set[str] = set()
    twice = [n for n in names if n in seen or seen.add(n)]  # type: ignore[func-returns-value]
    if twice:
        shown = ", ".join(repr(clip(n)) for n in dict.fromkeys(twice))
        raise IngestError(
            path,
            f"the header names column(s) {shown} more than once",
            expected="each column name once",
            action="re-export the file, or remove or rename the duplicate column",
            column=", ".join(clip(n) for n in dict.fromkeys(twice)),
        )


def parquet_names(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Top-level column names as the Parquet footer spells them (DuckDB renames duplicates).

    `parquet_schema` lists the schema tree depth first; the root's direct children are the
    columns, each followed by its own subtree, which is skipped."""
    try:
        nodes = con.execute(
            "select name, coalesce(num_children, 0) from parquet_schema(?)", [str(path)]
        ).fetchall()
    except duckdb.Error:
        return []  # the read that follows reports an unreadable file properly
    names: list[str] = []
    i = 1
    while i < len(nodes):
        names.append(str(nodes[i][0]))
        pending = nodes[i][1]  # descendants of this column still to skip
        i += 1
        while pending and i < len(nodes):
            pending += nodes[i][1] - 1
            i += 1
    return names
