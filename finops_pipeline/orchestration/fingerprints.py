"""Skip a month whose inputs did not change since its last successful build (`finops run`).

A month's fingerprint is a hash of what its derived tables are made from:
- the raw rows of every month (each source's current load ids and row counts): history feeds
  later months (forecasts, anomalies), so any load anywhere invalidates every month, which is
  conservative but never stale;
- the settings, with the content of every file they name (metrics, rates, budgets, policies);
- the code that builds it (package version and the `sql/` files), and today's date, because the
  open month's forecast depends on the day it is made.
A derived table dropped by hand is not noticed: `finops run --force` rebuilds it.
It is stored in `build_fingerprints` only after the month built without failure, so a failed or
interrupted build is always redone. Computing it reads three small columns of the raw tables
and the load log, never the rows themselves (issue 16: a rerun with nothing changed < 5% of a
full build).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from finops_pipeline.ingest.raw_tables import ensure_raw_tables, raw_tables
from finops_pipeline.warehouse import SQL_DIR, table_exists

if TYPE_CHECKING:
    from finops_pipeline.settings import Settings

TABLE = "build_fingerprints"
DDL = f"""
create table if not exists {TABLE} (
    billing_month date primary key,
    fingerprint varchar not null,
    built_at timestamp not null
)
"""
# Files named in the settings larger than this are identified by size and time, not content
# (a source path may be a multi-gigabyte export; its rows are already in the raw load ids).
_HASH_CONTENT_UP_TO = 64 * 1024 * 1024


WAREHOUSE_INPUTS = ("exchange_rates_imported", "exchange_rates_daily")


def month_fingerprints(
    con: duckdb.DuckDBPyConnection, months: Iterable[date], settings: Settings
) -> dict[date, str]:
    """The fingerprint of each month's inputs as they are now."""
    ensure_raw_tables(con)
    shared = hashlib.sha256()
    for table in raw_tables():
        rows = con.execute(
            f"select x_source_name, x_billing_period, x_load_id, count(*) from {table} "
            "group by all order by all"
        ).fetchall()
        shared.update(repr((table, rows)).encode())
    # Inputs held in the warehouse itself, not in a file the settings name: exchange rates
    # imported with `finops rates import` (a month missing a rate is rebuilt once it arrives).
    for table in WAREHOUSE_INPUTS:
        if table_exists(con, table):
            rows = con.execute(f"select * from {table} order by all").fetchall()
            shared.update(repr((table, rows)).encode())
    shared.update(_settings_digest(settings).encode())
    shared.update(_code_digest().encode())
    shared.update(date.today().isoformat().encode())
    return {m: _with(shared, m.isoformat()) for m in months}


def unchanged_months(con: duckdb.DuckDBPyConnection, fingerprints: dict[date, str]) -> set[date]:
    """Months whose stored fingerprint equals the current one."""
    if not table_exists(con, TABLE):
        return set()
    stored = dict(con.execute(f"select billing_month, fingerprint from {TABLE}").fetchall())
    return {m for m, f in fingerprints.items() if stored.get(m) == f}


def record_built(con: duckdb.DuckDBPyConnection, month: date, fingerprint: str) -> None:
    """Remember a month that built without failure, under the inputs it was built from."""
    con.execute(DDL)
    con.execute(
        f"insert or replace into {TABLE} values (?, ?, ?)",
        [month, fingerprint, datetime.now(UTC).replace(tzinfo=None)],
    )


def _with(base: hashlib._Hash, extra: str) -> str:
    digest = base.copy()
    digest.update(extra.encode())
    return digest.hexdigest()


def _settings_digest(settings: Settings) -> str:
    data = settings.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    config_file = settings.config_file
    for path in sorted({*_named_files(data), *([str(config_file)] if config_file else [])}):
        digest.update(path.encode())
        digest.update(_file_digest(Path(path)).encode())
    return digest.hexdigest()


def _named_files(data: object) -> set[str]:
    """Every string in the settings that names an existing file, but the warehouse itself
    (and its DuckDB companions), which every build rewrites."""
    if isinstance(data, dict):
        return {f for v in data.values() for f in _named_files(v)}
    if isinstance(data, list):
        return {f for v in data for f in _named_files(v)}
    if isinstance(data, str) and 0 < len(data) < 4096 and ("/" in data or "." in data):
        try:
            if Path(data).expanduser().is_file() and ".duckdb" not in Path(data).name:
                return {str(Path(data).expanduser().resolve())}
        except OSError:
            return set()
    return set()


def _file_digest(path: Path) -> str:
    try:
        stat = path.stat()
        if stat.st_size > _HASH_CONTENT_UP_TO:
            return f"{stat.st_size}:{stat.st_mtime_ns}"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _code_digest() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("finops-pipeline")
    except PackageNotFoundError:
        installed = "source"
    digest = hashlib.sha256(installed.encode())
    for path in sorted(SQL_DIR.rglob("*.sql")):
        digest.update(str(path.relative_to(SQL_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def skip_unchanged(
    con: duckdb.DuckDBPyConnection, keys: list[str], settings: Settings, force: bool
) -> tuple[dict[str, str], list[str]]:
    """(fingerprint by partition key, the keys still to build), printing what is skipped.

    `force` builds every key (their fingerprints are still recorded when they succeed)."""
    from finops_pipeline import console as out

    months = {key: date.fromisoformat(key) for key in keys}
    prints = month_fingerprints(con, months.values(), settings)
    by_key = {key: prints[m] for key, m in months.items()}
    same = set() if force else unchanged_months(con, prints)
    skipped = [key for key, m in months.items() if m in same]
    if skipped:
        names = ", ".join(key[:7] for key in skipped)
        out.console.print(
            f"skipped {len(skipped)} month(s) whose inputs did not change since their last "
            f"build: {names} (--force rebuilds them)",
            soft_wrap=True,
            markup=False,
        )
    return by_key, [key for key in keys if key not in skipped]
