"""NUL bytes in landed text: refused, naming the file's row and column.

DuckDB reads a NUL inside a CSV field (or a Parquet string) as an ordinary character, so an
id with a NUL in it would land and later break exports, joins and terminals. The check runs
on the landed rows of one file, inside the landing transaction: a scan of the text columns
in DuckDB's own storage, much cheaper than a NUL test in every value of the load's SELECT.
Only when it finds one is the file itself scanned to name the first row and column.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.mapping import FormatMapping
from finops_pipeline.ingest.read_errors import clip
from finops_pipeline.ingest.reader import FileKind, relation_sql
from finops_pipeline.ingest.select import Selection
from finops_pipeline.ingest.transforms import get_transform
from finops_pipeline.warehouse import quote_identifier

# A NUL inside a JSON string is written as this escape (to_json of a tag map does so).
JSON_NUL = "\\u0000"


def _has_nul(expr: str, json: bool) -> str:
    text = f"cast({expr} as varchar)"
    test = f"contains({text}, chr(0))"
    return f"({test} or contains({text}, '{JSON_NUL}'))" if json else test


def landed_nul_condition(mapping: FormatMapping) -> str:
    """True for a landed row with a NUL in any text or JSON column of the raw table."""
    tests = []
    for name, spec in mapping.columns.items():
        ddl = get_transform(spec.type).ddl
        if ddl in ("varchar", "json"):
            tests.append(_has_nul(quote_identifier(name), json=ddl == "json"))
    return " or ".join(tests) or "false"


def find_nul(
    con: duckdb.DuckDBPyConnection, path: Path, kind: FileKind, padded: bool, selection: Selection
) -> IngestError:
    """The first row and column of the file holding a NUL, as the rejection to report."""
    columns: list[tuple[str, str, bool]] = []  # (sql, name as the file spells it, json?)
    for name, native in selection.sources.items():
        json = get_transform(selection.mapping.columns[name].type).ddl == "json"
        columns.append((native.sql, native.name, json))
    columns += [(quote_identifier(c), c, False) for c in selection.tag_columns]
    relation, params = relation_sql(kind, path, padded)
    which = " ".join(
        f"when {_has_nul(sql, json)} then {i}" for i, (sql, _, json) in enumerate(columns)
    )
    try:
        found = con.execute(
            f"select rn, i from (select row_number() over () as rn, case {which} end as i "
            f"from {relation}) where i is not null order by rn limit 1",
            params,
        ).fetchall()
    except duckdb.Error:
        found = []
    row, column = (int(found[0][0]), columns[int(found[0][1])][1]) if found else (None, None)
    return IngestError(
        path,
        "a value contains a NUL byte (\\x00)",
        expected="text without control characters",
        action="fix or remove that value, or re-export the file from the provider",
        row=row,
        column=clip(column) if column else None,
    )
