"""Reading one export file in DuckDB: which reader, what columns it has, how to address them.

CSV is read with every column as text so that our own casts (not the sniffer's guesses)
decide what a cost or a date is, and can say which row broke. Parquet and JSON keep their
native types, including nested structs, lists and maps.
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.mapping import header_key
from finops_pipeline.warehouse import quote_identifier

FileKind = Literal["csv", "parquet", "json"]

# DuckDB's default `max_line_size`; a header line longer than this is refused before DuckDB
# (which accepts an over-long header of a single-line file as one giant column name).
MAX_LINE_BYTES = 2_000_000
# DuckDB needs ~0.3 GB to describe 10,000 CSV columns and runs out of memory on millions.
MAX_COLUMNS = 10_000

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.gzip", ".tsv", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".parq")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
MANIFEST_NAMES = ("manifest.json", "-manifest.json", "_manifest.json")


def file_kind(path: Path) -> FileKind | None:
    """The reader for a file, from its name; None for files that are not billing data."""
    name = path.name.lower()
    if name.endswith(MANIFEST_NAMES) or name.startswith("."):
        return None
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES) or ".parquet." in name:
        return "parquet"
    if name.endswith(JSON_SUFFIXES):
        return "json"
    return None


def relation_sql(kind: FileKind, path: Path, padded: bool = False) -> tuple[str, list[str]]:
    """A table-function call reading the file, and its bound parameters.

    `strict_mode = false` accepts files that mix CRLF and LF line ends (seen in real Azure
    exports); rows with the wrong number of fields and broken quotes still fail. `padded`
    reads rows that stop short of the header (see `read_schema`). Hive partitioning is off:
    a folder like `invoice_month=202401` must not become a column that hides the file's own.
    """
    if kind == "csv":
        delim = "\t" if ".tsv" in path.name.lower() else ","
        padding = "true" if padded else "false"
        return (
            "read_csv(?, header = true, all_varchar = true, delim = ?, quote = '\"', "
            "escape = '\"', nullstr = ['', 'NULL'], strict_mode = false, "
            f"compression = 'auto', null_padding = {padding}, hive_partitioning = false)",
            [str(path), delim],
        )
    if kind == "parquet":
        return "read_parquet(?, hive_partitioning = false)", [str(path)]
    return (
        "read_json(?, format = 'newline_delimited', sample_size = -1, hive_partitioning = false)",
        [str(path)],
    )


@dataclass
class NativeColumn:
    sql: str
    dtype: str
    name: str


@dataclass
class NativeSchema:
    """The columns of a file, addressable by any spelling of their names."""

    names: list[str]
    types: dict[str, duckdb.DuckDBPyType]
    padded: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    _by_key: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """The header as the file spells it. DuckDB renames columns whose names differ only
        in case (`user:team`, `user:Team` -> `user:Team_1`), which would garble tag keys."""
        return self.headers.get(name, name)

    def __post_init__(self) -> None:
        for name in self.names:
            self._by_key.setdefault(header_key(name), name)

    def resolve(self, alias: str) -> NativeColumn | None:
        """A top-level column, a struct field (`service.description`) or a map key."""
        direct = self._by_key.get(header_key(alias))
        if direct is not None:
            return NativeColumn(quote_identifier(direct), str(self.types[direct]), direct)
        if "." not in alias:
            return None
        head, *rest = alias.split(".")
        top = self._by_key.get(header_key(head))
        if top is None:
            return None
        return _resolve_nested(quote_identifier(top), self.types[top], rest, alias)


def _resolve_nested(
    sql: str, dtype: duckdb.DuckDBPyType, path: list[str], alias: str
) -> NativeColumn | None:
    if not path:
        return NativeColumn(sql, str(dtype), alias)
    step, *rest = path
    type_id = dtype.id
    if type_id == "struct":
        for child_name, child_type in dtype.children:
            if header_key(child_name) == header_key(step):
                return _resolve_nested(
                    f"{sql}.{quote_identifier(child_name)}", child_type, rest, alias
                )
        return None
    if type_id == "map" and not rest:
        value_type = dict(dtype.children)["value"]
        key = step.replace("'", "''")
        return NativeColumn(f"{sql}['{key}']", str(value_type), alias)
    return None


def check_readable(path: Path) -> None:
    """Catch an empty file before DuckDB reports it obscurely. A truncated gzip is found when
    the load fails (`check_gzip`), so good files are not decompressed twice."""
    if not path.exists():
        raise IngestError(path, "file does not exist", action="check the path")
    if path.stat().st_size == 0:
        raise IngestError(
            path,
            "file is empty (0 bytes)",
            expected="a billing export with a header row",
            action="re-download the export from the provider; the delivery may have been cut short",
        )
    if path.name.lower().endswith((".gz", ".gzip")) and path.stat().st_size < 32:
        check_gzip(path)


def check_gzip(path: Path) -> None:
    """Raise the actionable error if a gzip file is truncated or corrupt; else do nothing."""
    if not path.name.lower().endswith((".gz", ".gzip")):
        return
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 22):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(
            path,
            f"the gzip stream is truncated or corrupt ({exc})",
            expected="a complete gzip file",
            action="re-download the file from the provider (the transfer was cut short)",
        ) from exc


def read_schema(con: duckdb.DuckDBPyConnection, path: Path, kind: FileKind) -> NativeSchema:
    """The file's columns. A CSV whose data rows stop short of its header (a trailing empty
    column left out, as in some Azure exports) is read padded with NULLs, but only when the
    padded read has exactly the header's columns, so extra fields are never invented."""
    try:
        return _describe(con, path, kind, padded=False)
    except IngestError:
        if kind != "csv":
            raise
        try:
            schema = _describe(con, path, kind, padded=True)
        except IngestError:
            schema = None
        if schema is None or schema.names != csv_header(path):
            raise
        return schema


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


def clip(text: str, limit: int = 80) -> str:
    """A value or name short enough for a one-line message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _describe(
    con: duckdb.DuckDBPyConnection, path: Path, kind: FileKind, padded: bool
) -> NativeSchema:
    # The header is checked first: DuckDB would allocate for every column of a huge header.
    original = csv_header(path) if kind == "csv" else []
    sql, params = relation_sql(kind, path, padded)
    try:
        description = con.execute(f"select * from {sql} limit 0", params).description or []
    except duckdb.Error as exc:
        check_gzip(path)
        raise IngestError(
            path,
            f"cannot be read as {kind.upper()}: {duckdb_reason(exc)}",
            expected=f"a {kind.upper()} billing export",
            action="check that the file is a complete export in the format its name says",
        ) from exc
    names = [d[0] for d in description]
    if not names:
        raise IngestError(
            path, "file has no columns", expected="a header row", action="re-download the export"
        )
    if kind == "parquet":
        check_unique_names(path, parquet_names(con, path))
    headers: dict[str, str] = {}
    if kind == "csv" and len(original) == len(names):
        headers = {name: text for name, text in zip(names, original, strict=True) if name != text}
    return NativeSchema(names, {d[0]: d[1] for d in description}, padded=padded, headers=headers)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def duckdb_reason(exc: BaseException) -> str:
    """DuckDB's reason in one line. A CSV error's first line only says where ("CSV Error on
    Line: 1"); the reason (e.g. "Maximum line size of 2000000 bytes exceeded. Actual Size:
    10000212 bytes.") follows the echoed original line, which may be megabytes long."""
    lines = str(exc).strip().splitlines()
    head = first_line(exc)
    match = re.search(r"CSV Error on Line: (\d+)", head)
    if not match:
        return clip(head, 300)
    reason = next(
        (
            line.strip()
            for line in lines[1:]
            if line.strip() and not line.startswith(("Original Line:", "Possible Solution"))
        ),
        "",
    )
    reason = reason.rstrip(".")
    where = f"CSV error on line {match.group(1)}"
    return clip(f"{where}: {reason}" if reason else where, 300)
