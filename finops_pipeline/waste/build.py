"""Build `waste_findings` for one billing month (a Dagster partition) or all, atomically.

The SQL model holds the checks (one CTE each); this module loads the maintained
previous-generation lists (AWS families; Azure and GCP VM series) into
`ref_waste_previous_generation` / `ref_waste_previous_generation_series` and replaces the
month(s).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.build_runner import build_partition
from finops_pipeline.waste.settings import WasteSettings

TABLE = "waste_findings"
PREVIOUS_GENERATION_CSV = Path(__file__).with_name("previous_generation.csv")
PREVIOUS_SERIES_CSV = Path(__file__).with_name("previous_generation_series.csv")
_REF_TABLE = "ref_waste_previous_generation"
_SERIES_TABLE = "ref_waste_previous_generation_series"


def load_previous_generation(
    con: duckdb.DuckDBPyConnection, path: Path = PREVIOUS_GENERATION_CSV
) -> int:
    """Replace the reference table of previous-generation families with the CSV's rows."""
    return _replace_from_csv(
        con,
        _REF_TABLE,
        "family varchar primary key, successor varchar, graviton_successor varchar",
        path,
        lambda row: (
            row["family"].strip().lower(),
            row["successor"].strip() or None,
            row["graviton_successor"].strip() or None,
        ),
    )


def load_previous_series(con: duckdb.DuckDBPyConnection, path: Path = PREVIOUS_SERIES_CSV) -> int:
    """Replace the reference table of previous-generation Azure and GCP VM series."""
    return _replace_from_csv(
        con,
        _SERIES_TABLE,
        "provider varchar, series varchar, successor varchar, note varchar, "
        "primary key (provider, series)",
        path,
        lambda row: (
            row["provider"].strip(),
            row["series"].strip().lower(),
            row["successor"].strip(),
            row["note"].strip(),
        ),
    )


def _replace_from_csv(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: str,
    path: Path,
    values: Callable[[dict[str, str]], tuple[str | None, ...]],
) -> int:
    """Replace `table` (`columns`: its column definitions) with one row per CSV line of
    `path`, as `values` reads the line; the number of rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [values(row) for row in csv.DictReader(handle)]
    con.execute(f"create or replace table {table} ({columns})")
    if rows:
        placeholders = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into {table} values ({placeholders})", rows)
    return len(rows)


def build_waste_findings(
    con: duckdb.DuckDBPyConnection,
    period: date | None,
    settings: WasteSettings | None = None,
) -> int:
    """Replace the findings of billing month `period` (None: every month); rows written.

    Old-snapshot age looks back over every loaded month, whatever `period` is. A table whose
    columns differ from the model is rebuilt whole (the runner), so it never holds one month
    alone. The settings' fields are the model's named parameters.
    """
    settings = settings or WasteSettings()

    def load_reference(con: duckdb.DuckDBPyConnection) -> None:
        load_previous_generation(con)
        load_previous_series(con)

    return build_partition(
        con,
        table=TABLE,
        model=f"marts/{TABLE}.sql",
        params=settings.model_dump(),
        period=period,
        prepare=load_reference,
    )
