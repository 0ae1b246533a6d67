"""Build `waste_findings` for one billing month (a Dagster partition) or all, atomically.

The SQL model holds the checks (one CTE each); this module loads the maintained
previous-generation lists (AWS families; Azure and GCP VM series) into
`ref_waste_previous_generation` / `ref_waste_previous_generation_series` and replaces the
month(s).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb

from finops_pipeline.warehouse import read_sql, table_exists, transaction
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
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            (
                row["family"].strip().lower(),
                row["successor"].strip() or None,
                row["graviton_successor"].strip() or None,
            )
            for row in csv.DictReader(handle)
        ]
    con.execute(
        f"create or replace table {_REF_TABLE} "
        "(family varchar primary key, successor varchar, graviton_successor varchar)"
    )
    con.executemany(f"insert into {_REF_TABLE} values (?, ?, ?)", rows)
    return len(rows)


def load_previous_series(con: duckdb.DuckDBPyConnection, path: Path = PREVIOUS_SERIES_CSV) -> int:
    """Replace the reference table of previous-generation Azure and GCP VM series."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            (
                row["provider"].strip(),
                row["series"].strip().lower(),
                row["successor"].strip(),
                row["note"].strip(),
            )
            for row in csv.DictReader(handle)
        ]
    con.execute(
        f"create or replace table {_SERIES_TABLE} (provider varchar, series varchar, "
        "successor varchar, note varchar, primary key (provider, series))"
    )
    con.executemany(f"insert into {_SERIES_TABLE} values (?, ?, ?, ?)", rows)
    return len(rows)


def build_waste_findings(
    con: duckdb.DuckDBPyConnection,
    period: date | None,
    settings: WasteSettings | None = None,
) -> int:
    """Replace the findings of billing month `period` (None: every month); rows written.

    Old-snapshot age looks back over every loaded month, whatever `period` is. A table whose
    columns differ from the model is rebuilt whole, so it never holds one month alone.
    """
    settings = settings or WasteSettings()
    period = period.replace(day=1) if period is not None else None
    model = read_sql(f"marts/{TABLE}.sql")
    with transaction(con):
        load_previous_generation(con)
        load_previous_series(con)
        if table_exists(con, TABLE) and _stale(con, model, settings):
            con.execute(f"drop table {TABLE}")
            period = None
        params = settings.sql_params(period)
        con.execute(f"create table if not exists {TABLE} as {model} limit 0", params)
        if period is None:
            con.execute(f"delete from {TABLE}")
        else:
            con.execute(f"delete from {TABLE} where billing_month = ?", [period])
        row = con.execute(f"insert into {TABLE} {model}", params).fetchone()
    return int(row[0]) if row else 0


def _stale(con: duckdb.DuckDBPyConnection, model: str, settings: WasteSettings) -> bool:
    current = con.execute(f"select * from {TABLE} limit 0").description or []
    wanted = con.execute(f"select * from ({model}) limit 0", settings.sql_params(None)).description
    return [(d[0], str(d[1])) for d in current] != [(d[0], str(d[1])) for d in wanted or []]
