"""The raw landing tables: one per format mapping, typed columns plus lineage."""

from __future__ import annotations

import duckdb

from finops_pipeline.ingest.mapping import load_mappings
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


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create each raw table from its mapping; add columns a newer mapping introduced."""
    for mapping in load_mappings().values():
        columns = {name: get_transform(spec.type).ddl for name, spec in mapping.columns.items()}
        columns.update(LINEAGE_COLUMNS)
        ddl = ", ".join(f"{quote_identifier(n)} {t}" for n, t in columns.items())
        con.execute(f"create table if not exists {mapping.raw_table} ({ddl})")
        existing = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_name = ?",
                [mapping.raw_table],
            ).fetchall()
        }
        for name, ddl_type in columns.items():
            if name not in existing:
                con.execute(
                    f"alter table {mapping.raw_table} add column {quote_identifier(name)} {ddl_type}"
                )


def raw_tables() -> list[str]:
    return sorted({m.raw_table for m in load_mappings().values()})
