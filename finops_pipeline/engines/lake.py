"""The Parquet lake Spark builds into: one folder per table, Hive-partitioned by billing
period (and by source for the raw and focus tables), so a restated month replaces only its
own folders (dynamic partition overwrite).

The partition columns are derived copies (`lake_period=YYYY-MM-DD`, `lake_source=NAME`): the
table's own columns stay in the files with their types, and every reader drops the derived
ones (`read_table` on Spark, `create_duckdb_views` on DuckDB), so a table reads the same on
either engine. Delta or Iceberg (atomic commits, time travel) would replace these folders;
their jars come from Maven, which is out of reach here, so the lake is plain Parquet.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import duckdb

PERIOD = "lake_period"
SOURCE = "lake_source"
DERIVED = (PERIOD, SOURCE)
SCHEMA_FILE = "_finops_schema.json"  # `_` files are skipped by Spark's and DuckDB's readers
DUCKDB_TYPE = "finops.duckdb_type"  # a field's DuckDB type, where Parquet has none (JSON)
# Columns holding the billing period of a table, first match wins.
_PERIOD_COLUMNS = ("billing_month", "billing_period", "BillingPeriodStart", "x_billing_period")
_SOURCE_COLUMNS = ("x_SourceName", "x_source_name")
# Tables partitioned by source too: each (source, month) is restated on its own.
_BY_SOURCE = ("focus_costs", "raw_")


def table_path(lake: str, table: str) -> str:
    return f"{lake.rstrip('/')}/{table}"


def partition_spec(table: str, columns: Sequence[str]) -> list[tuple[str, str]]:
    """(derived partition column, the table column it copies) for `table`."""
    spec: list[tuple[str, str]] = []
    period = next((c for c in _PERIOD_COLUMNS if c in columns), None)
    if period:
        spec.append((PERIOD, period))
    if table.startswith(_BY_SOURCE):
        source = next((c for c in _SOURCE_COLUMNS if c in columns), None)
        if source:
            spec.append((SOURCE, source))
    return spec


def create_duckdb_views(con: duckdb.DuckDBPyConnection, lake: str, tables: Sequence[str]) -> None:
    """DuckDB views over the lake's tables (a local lake), named as the tables, so `finops
    sql`, the report and the notebooks read Spark's tables as they read DuckDB's."""
    for table in tables:
        folder = Path(table_path(lake, table))
        if not any(folder.rglob("*.parquet")):
            if (folder / SCHEMA_FILE).is_file():  # built with no rows yet: its columns, empty
                con.execute(f"create or replace view {table} as {_empty_select(folder)}")
            continue
        pattern = str(folder / "**" / "*.parquet")
        derived = _derived(folder)
        exclude = f" exclude ({', '.join(derived)})" if derived else ""
        declared = _declared(folder)
        if declared:
            casts = ", ".join(f'cast("{name}" as {kind}) as "{name}"' for name, kind in declared)
            exclude += f" replace ({casts})"
        con.execute(
            f"create or replace view {table} as select *{exclude} from read_parquet("
            f"'{pattern}', hive_partitioning = {bool(derived)}, union_by_name = true)"
        )


def _declared(folder: Path) -> list[tuple[str, str]]:
    """The columns whose DuckDB type Parquet does not carry (JSON stored as text), from the
    schema file the Spark engine writes beside the data."""
    schema = folder / SCHEMA_FILE
    if not schema.is_file():
        return []
    fields = json.loads(schema.read_text())["fields"]
    return [
        (field["name"], field["metadata"][DUCKDB_TYPE])
        for field in fields
        if DUCKDB_TYPE in field.get("metadata", {})
    ]


def _empty_select(folder: Path) -> str:
    """A select of no rows with the columns and DuckDB types of the table's schema file."""
    declared = dict(_declared(folder))
    fields = json.loads((folder / SCHEMA_FILE).read_text())["fields"]
    columns = ", ".join(
        f'cast(null as {declared.get(f["name"]) or _duckdb_type(f["type"])}) as "{f["name"]}"'
        for f in fields
    )
    return f"select {columns} where false"


def _duckdb_type(spark: str | dict) -> str:
    """DuckDB's type for a field of a Spark schema (its JSON form), as DuckDB reads the same
    column from Spark's Parquet: a zoned timestamp is TIMESTAMPTZ, timestamp_ntz TIMESTAMP."""
    if isinstance(spark, dict):
        kind = spark["type"]
        if kind == "array":
            return f"{_duckdb_type(spark['elementType'])}[]"
        if kind == "map":
            return f"MAP({_duckdb_type(spark['keyType'])}, {_duckdb_type(spark['valueType'])})"
        inner = ", ".join(f'"{f["name"]}" {_duckdb_type(f["type"])}' for f in spark["fields"])
        return f"STRUCT({inner})"
    simple = {
        "string": "VARCHAR",
        "integer": "INTEGER",
        "long": "BIGINT",
        "short": "SMALLINT",
        "byte": "TINYINT",
        "double": "DOUBLE",
        "float": "FLOAT",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "timestamp": "TIMESTAMPTZ",
        "timestamp_ntz": "TIMESTAMP",
        "binary": "BLOB",
    }
    return simple.get(spark) or spark.upper()  # decimal(p,s) is written the same


def _derived(folder: Path) -> list[str]:
    """The derived partition columns of a table folder, from its first data file's path."""
    first = next(folder.rglob("*.parquet"))
    parts = first.relative_to(folder).parts[:-1]
    return [part.split("=", 1)[0] for part in parts if "=" in part]


def publish_to_lake(
    con: duckdb.DuckDBPyConnection,
    lake: str,
    table: str,
    where: str = "true",
    params: Sequence[object] = (),
) -> int:
    """Copy the rows of a DuckDB table matching `where` (positional `?` params) into the
    lake's Hive folders (a local lake), replacing each folder they fall in whole. A table DuckDB
    built, placed where Spark reads it (the engine tests compare the two this way; raw rows
    reach the lake through landing, engines/lake_store.py); rows written."""
    columns = [row[0] for row in con.execute(f"describe {table}").fetchall()]
    spec = partition_spec(table, columns)
    keys = ", ".join(
        f"strftime(cast({column} as date), '%Y-%m-%d') as {name}"
        if name == PERIOD
        else f"cast({column} as varchar) as {name}"
        for name, column in spec
    )
    selected = f"select *{', ' + keys if keys else ''} from {table} where {where}"
    names = [name for name, _ in spec]
    folders = con.execute(
        f"select distinct {', '.join(names) or 'true'} from ({selected})", list(params)
    ).fetchall()
    written = 0
    for key in folders:
        parts = [f"{n}={v}" for n, v in zip(names, key, strict=True)] if names else []
        folder = Path(table_path(lake, table), *parts)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        match = " and ".join(f"{n} = ?" for n in names) or "true"
        exclude = f" exclude ({', '.join(names)})" if names else ""
        rows = f"select *{exclude} from ({selected}) where {match}"
        bound = [*params, *(key if names else ())]
        count = con.execute(f"select count(*) from ({rows})", bound).fetchall()[0]
        target = folder / f"part-{uuid.uuid4().hex}.parquet"
        con.execute(f"copy ({rows}) to '{target}' (format parquet)", bound).fetchall()
        written += count[0] if count else 0
    return written
