"""Numbers and dates written the local way in Azure files with localized headers.

Such files may write numbers and dates the local way (`1.234,56`, `31.12.2025`). In a file
whose headers are localized (localized_headers.py) each money, decimal and date column is
judged as a whole: a column with a decimal comma is read as `1.234,56` throughout, a column
with `D.M.YYYY` dates as such throughout; a value that does not fit its column's format (a
column mixing `1.234,56` and `1234.56`, which cannot be read without guessing) rejects the
file, naming the row and column. A column without any decimal comma is read with `.` as the
decimal point, as in every other export. Files with English headers are never touched.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb

from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.reader import NativeSchema, relation_sql
from finops_pipeline.ingest.select import Selection

# 1.234,56 / 1234,56 / 1.234.567 / -0,5 (anchored; used only on text columns)
NUMBER_DE = r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$"
DATE_DE = r"^\d{1,2}\.\d{1,2}\.\d{4}(\s+\d{1,2}:\d{2}(:\d{2})?)?$"
DATE_FORMATS = "['%d.%m.%Y', '%d.%m.%Y %H:%M', '%d.%m.%Y %H:%M:%S']"


def localize_selection(
    con: duckdb.DuckDBPyConnection,
    selection: Selection,
    schema: NativeSchema,
    path: Path,
    kind: str,
) -> Selection:
    """For a file with localized headers, read its local-format numbers and dates: wrap each
    such column's source in a normalising expression (so the usual strict casts and error
    diagnosis apply unchanged), or reject the file naming the column. Other files: as is."""
    if not schema.localized or kind != "csv":
        return selection
    columns = {
        name: native
        for name, native in selection.sources.items()
        if selection.mapping.columns[name].type in ("money", "decimal", "timestamp")
        and native.dtype.upper().startswith("VARCHAR")
    }
    if not columns:
        return selection
    relation, params = relation_sql(kind, path, schema.padded)  # type: ignore[arg-type]
    probes = []
    for native in columns.values():
        v = f"trim({native.sql})"
        probes += [
            f"count(*) filter (where {v} like '%,%')",
            f"count(*) filter (where regexp_full_match({v}, '{DATE_DE}'))",
        ]
    counts = con.execute(f"select {', '.join(probes)} from {relation}", params).fetchone() or ()
    expressions = dict(selection.expressions)
    sources = dict(selection.sources)
    for index, (name, native) in enumerate(columns.items()):
        commas, dates = counts[2 * index], counts[2 * index + 1]
        is_time = selection.mapping.columns[name].type == "timestamp"
        if is_time and dates:
            _all_match(con, relation, params, path, native.sql, native.name, DATE_DE, "D.M.YYYY")
            wrapped = (
                f"coalesce(strftime(try_strptime(trim({native.sql}), {DATE_FORMATS}), "
                f"'%Y-%m-%d %H:%M:%S'), {native.sql})"
            )
        elif not is_time and commas:
            _all_match(con, relation, params, path, native.sql, native.name, NUMBER_DE, "1.234,56")
            wrapped = f"replace(replace(trim({native.sql}), '.', ''), ',', '.')"
        else:
            continue
        local = replace(native, sql=f"({wrapped})")
        sources[name] = local
        transform_sql = selection.expressions[name].replace(native.sql, local.sql)
        expressions[name] = transform_sql
    return Selection(selection.mapping, expressions, sources, selection.tag_columns)


def _all_match(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    params: list[str],
    path: Path,
    sql: str,
    column: str,
    pattern: str,
    example: str,
) -> None:
    """Every non-blank value of the column has the local format the column was judged to use."""
    row = con.execute(
        f"select rn, v from (select row_number() over () as rn, trim({sql}) as v from {relation}) "
        f"where v is not null and v <> '' and not regexp_full_match(v, '{pattern}') limit 1",
        params,
    ).fetchone()
    if row:
        raise IngestError(
            path,
            f"value {row[1]!r} does not fit the column's local format: the column writes "
            f"values like {example!r} elsewhere, and mixed formats cannot be read without "
            "guessing",
            expected=f"every value of the column written like {example!r}",
            action="re-export the file in one language and number format (or in English)",
            row=int(row[0]),
            column=column,
        )
