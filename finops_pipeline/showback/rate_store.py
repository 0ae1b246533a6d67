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
from pathlib import Path

import duckdb

from finops_pipeline.showback.rate_files import read_rate_file
from finops_pipeline.warehouse import run_sql_file, table_exists, transaction

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


def ensure_rate_tables(con: duckdb.DuckDBPyConnection) -> None:
    run_sql_file(con, "rates/rate_tables.sql")


def has_imported_rates(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, DAILY_TABLE) or table_exists(con, MONTHLY_TABLE)


def import_rates(con: duckdb.DuckDBPyConnection, path: Path) -> RateImport:
    """Parse `path` completely (any bad cell stops it before anything is written), then merge."""
    parsed = read_rate_file(path)
    ensure_rate_tables(con)
    now = datetime.now(UTC).replace(tzinfo=None)
    source = str(path.resolve())
    if parsed.kind == "ecb":
        table, temp, value = DAILY_TABLE, "tmp_rate_import_daily", "units_per_eur"
        keys = ("rate_date", "currency")
        rows = [[r.day, r.currency, r.units_per_eur, source, now] for r in parsed.daily]
        months = "strftime(rate_date, '%Y-%m')"
        currencies = f"select distinct currency from {temp}"
    else:
        table, temp, value = MONTHLY_TABLE, "tmp_rate_import_monthly", "rate"
        keys = ("month", "from_currency", "to_currency")
        rows = [
            [r.month, r.from_currency, r.to_currency, r.rate, source, now] for r in parsed.monthly
        ]
        months = "strftime(month, '%Y-%m')"
        currencies = f"select from_currency from {temp} union select to_currency from {temp}"
    con.execute(f"create or replace temp table {temp} as select * from {table} limit 0")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into {temp} values ({marks})", rows)
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
        rows=len(rows),
        added=len(rows) - unchanged - changed,
        changed=changed,
        currencies=codes,
        first_month=span[0] if span else None,
        last_month=span[1] if span else None,
    )
