"""After a load fails: find the file's first bad row and column, for a message a user can act
on. Runs only on the error path, after the rollback, so the happy path pays nothing for it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.read_errors import check_gzip, clip, duckdb_reason
from finops_pipeline.ingest.reader import relation_sql
from finops_pipeline.ingest.select import Selection
from finops_pipeline.ingest.transforms import get_transform


class LoadFailure(Exception):
    """DuckDB refused a file; diagnosed after the rollback, when queries work again."""

    def __init__(
        self, path: Path, kind: str, selection: Selection, error: duckdb.Error, padded: bool
    ) -> None:
        super().__init__(str(error))
        self.path, self.kind, self.selection, self.error = path, kind, selection, error
        self.padded = padded

    @property
    def unreadable(self) -> bool:
        """DuckDB's reader refused the file itself (a line too long, a broken quote)."""
        return "CSV Error on Line" in str(self.error)


def diagnose(con: duckdb.DuckDBPyConnection, failure: LoadFailure) -> IngestError:
    """Find the first row and column that broke the load, for a message a user can act on."""
    path, selection, exc = failure.path, failure.selection, failure.error
    try:
        check_gzip(path)
    except IngestError as error:
        return error
    relation, params = relation_sql(failure.kind, path, failure.padded)  # type: ignore[arg-type]
    checked = {} if failure.unreadable else selection.sources  # no value can be read then
    for name, native in checked.items():
        transform = get_transform(selection.mapping.columns[name].type)
        bad = transform.bad(native.sql, native.dtype)
        if bad is None:
            continue
        try:
            rows = con.execute(
                f"select rn, cast(v as varchar) from (select row_number() over () as rn, "
                f"{native.sql} as v, * from {relation}) where {bad.replace(native.sql, 'v')} "
                f"limit 1",
                params,
            ).fetchall()
        except duckdb.Error:
            continue
        if rows:
            row_number, value = rows[0]
            return IngestError(
                path,
                f"cannot read value {clip(str(value))!r}",
                expected=transform.expected,
                action="fix or remove that row, or re-export the file from the provider",
                row=int(row_number),
                column=native.name,
            )
    message = duckdb_reason(exc)
    if "gzip" in message.lower() or "decompress" in message.lower():
        return IngestError(
            path,
            "the gzip stream is truncated or corrupt",
            expected="a complete gzip file",
            action="re-download the file from the provider",
        )
    return IngestError(
        path,
        f"cannot be loaded: {message}",
        expected=f"a valid {selection.mapping.format} export",
        action="check the file against the provider's export schema",
    )
