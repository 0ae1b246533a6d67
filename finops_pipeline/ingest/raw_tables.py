"""The raw landing tables: one per format mapping, typed columns plus lineage.

With `engine: spark` the raw rows live in the lake and the warehouse's raw tables are DuckDB
views over it (engines/lake_store.py); `ensure_raw_tables` leaves such a view alone.
"""

from __future__ import annotations

import duckdb

from finops_pipeline.ingest.mapping import FormatMapping, load_mappings
from finops_pipeline.ingest.transforms import get_transform
from finops_pipeline.warehouse import quote_identifier

LINEAGE_COLUMNS = {
    "x_source_name": "varchar",
    "x_source_format": "varchar",
    "x_source_file": "varchar",
    "x_load_id": "varchar",
    "x_loaded_at": "timestamp",
    "x_billing_period": "date",
}


def raw_columns(table: str) -> dict[str, str]:
    """Column name -> DuckDB type of raw table `table`: every mapping landing in it (a raw
    table may take several formats' columns), then the lineage columns."""
    columns: dict[str, str] = {}
    for mapping in _mappings_of(table):
        for name, spec in mapping.columns.items():
            columns.setdefault(name, get_transform(spec.type).ddl)
    columns.update(LINEAGE_COLUMNS)
    return columns


def raw_table_ddl(table: str, name: str | None = None, *, temporary: bool = False) -> str:
    """`create table` of raw table `table` under `name` (default: its own)."""
    ddl = ", ".join(f"{quote_identifier(n)} {t}" for n, t in raw_columns(table).items())
    kind = "temporary table" if temporary else "table"
    return f"create {kind} if not exists {name or table} ({ddl})"


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create each raw table from its mapping; add columns a newer mapping introduced. A raw
    table that is a view (over the Spark lake) is the lake store's to keep. One catalogue
    query finds what is missing, so a warehouse that has it all is not written to (every
    command calls this; a DDL per table was a third of a rerun that skips every month)."""
    views = {row[0] for row in con.execute("select view_name from duckdb_views()").fetchall()}
    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = current_schema() and database_name = current_database()"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    for table in raw_tables():
        if table in views:
            continue
        if table not in existing:
            con.execute(raw_table_ddl(table))
            continue
        for name, ddl_type in raw_columns(table).items():
            if name not in existing[table]:
                con.execute(f"alter table {table} add column {quote_identifier(name)} {ddl_type}")


def raw_tables() -> list[str]:
    return sorted({m.raw_table for m in load_mappings().values()})


def _mappings_of(table: str) -> list[FormatMapping]:
    return [m for m in load_mappings().values() if m.raw_table == table]
