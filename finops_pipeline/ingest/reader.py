"""Reading one export file in DuckDB: which reader, what columns it has, how to address them.

CSV is read with every column as text so that our own casts (not the sniffer's guesses)
decide what a cost or a date is, and can say which row broke. Parquet and JSON keep their
native types, including nested structs, lists and maps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.headers import check_unique_names, csv_header, parquet_names
from finops_pipeline.ingest.localized_headers import english_name
from finops_pipeline.ingest.mapping import header_key
from finops_pipeline.ingest.read_errors import check_gzip, duckdb_reason
from finops_pipeline.warehouse import quote_identifier

FileKind = Literal["csv", "parquet", "json"]

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
    localized: dict[str, str] = field(default_factory=dict)  # column -> English name it stands for
    _by_key: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """The header as the file spells it. DuckDB renames columns whose names differ only
        in case (`user:team`, `user:Team` -> `user:Team_1`), which would garble tag keys."""
        return self.headers.get(name, name)

    def __post_init__(self) -> None:
        for name in self.names:
            self._by_key.setdefault(header_key(name), name)
        for name in self.names:  # after the exact names: an English header always wins
            english = english_name(self.header(name))
            if english and header_key(english) not in self._by_key:
                self._by_key[header_key(english)] = name
                self.localized[name] = english

    def keys(self) -> set[str]:
        """Every normalised name a column answers to (localized headers: their English one)."""
        return set(self._by_key)

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
