"""Keep imported exchange rates in the warehouse, for every later showback build.

`finops rates import FILE` lands the file's rates here: the ECB's daily reference rates in
`exchange_rates_daily`, monthly rates in `exchange_rates_imported` (sql/rates/). The rates
stay as published (daily, per EUR) rather than pre-averaged per pair, so any pair a build needs
is derived from the days themselves (rate_resolve.py). Importing merges in one transaction:
unchanged rows are left alone, changed rates replace the stored ones, new ones are added, so
re-importing a file (or a newer ECB file that repeats the history) is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from finops_pipeline.showback.rate_files import read_rate_file
from finops_pipeline.warehouse import run_sql_file, transaction

SCALE = Decimal("0.000000000001")
DAILY_TABLE = "exchange_rates_daily"
MONTHLY_TABLE = "exchange_rates_imported"


@dataclass(frozen=True)
class RateImport:
    path: Path
    kind: str  # 'ecb' or 'monthly'
    rows: int  # rates in the file
    added: int
    changed: int
    currencies: list[str]
    first_month: str | None
    last_month: str | None


def _decimals(values: list[Decimal]) -> pa.Array:
    """Exact DECIMAL(38, 12) values (more than 12 places are rounded half-even, as a cast
    to the column's type would)."""
    return pa.array([v.quantize(SCALE, ROUND_HALF_EVEN) for v in values], pa.decimal128(38, 12))


def ensure_rate_tables(con: duckdb.DuckDBPyConnection) -> None:
    run_sql_file(con, "rates/rate_tables.sql")


def import_rates(con: duckdb.DuckDBPyConnection, path: Path) -> RateImport:
    """Parse `path` completely (any bad cell stops it before anything is written), then merge."""
    parsed = read_rate_file(path)
    ensure_rate_tables(con)
    now = datetime.now(UTC).replace(tzinfo=None)
    source = str(path.resolve())
    if parsed.kind == "ecb":
        table, temp, value = DAILY_TABLE, "tmp_rate_import_daily", "units_per_eur"
        keys = ("rate_date", "currency")
        columns = {
            "rate_date": pa.array([r.day for r in parsed.daily], pa.date32()),
            "currency": pa.array([r.currency for r in parsed.daily], pa.string()),
            "units_per_eur": _decimals([r.units_per_eur for r in parsed.daily]),
        }
        months = "strftime(rate_date, '%Y-%m')"
        currencies = f"select distinct currency from {temp}"
    else:
        table, temp, value = MONTHLY_TABLE, "tmp_rate_import_monthly", "rate"
        keys = ("month", "from_currency", "to_currency")
        columns = {
            "month": pa.array([r.month for r in parsed.monthly], pa.date32()),
            "from_currency": pa.array([r.from_currency for r in parsed.monthly], pa.string()),
            "to_currency": pa.array([r.to_currency for r in parsed.monthly], pa.string()),
            "rate": _decimals([r.rate for r in parsed.monthly]),
        }
        months = "strftime(month, '%Y-%m')"
        currencies = f"select from_currency from {temp} union select to_currency from {temp}"
    # the file's rates reach DuckDB as one Arrow table (200k ECB rates: row-by-row inserts
    # would take longer than parsing the file)
    incoming = pa.table(columns)
    con.register("tmp_rate_incoming", incoming)
    try:
        con.execute(
            f"create or replace temp table {temp} as select *, ? as source_file, "
            "cast(? as timestamp) as imported_at from tmp_rate_incoming",
            [source, now],
        )
    finally:
        con.unregister("tmp_rate_incoming")
    count = incoming.num_rows
    on = " and ".join(f"s.{k} = t.{k}" for k in keys)
    stored = con.execute(
        f"select count(*) filter (where s.{value} = t.{value}), "
        f"count(*) filter (where s.{value} <> t.{value}) "
        f"from {temp} as t join {table} as s on {on}"
    ).fetchone()
    unchanged, changed = (int(stored[0]), int(stored[1])) if stored else (0, 0)
    with transaction(con):
        run_sql_file(con, f"rates/import_{'daily' if parsed.kind == 'ecb' else 'monthly'}.sql")
    span = con.execute(f"select min({months}), max({months}) from {temp}").fetchone()
    codes = sorted(r[0] for r in con.execute(currencies).fetchall())
    return RateImport(
        path=path,
        kind=parsed.kind,
        rows=count,
        added=count - unchanged - changed,
        changed=changed,
        currencies=codes,
        first_month=span[0] if span else None,
        last_month=span[1] if span else None,
    )
