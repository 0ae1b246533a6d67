"""The DuckDB warehouse: where it lives, how to connect, and the one runner of `sql/` files.

SQL lives in files under `sql/` (staging per provider, then core). This module is the only
place that reads them, so every statement goes through the same parameter binding and the
same sqlglot parse check in the tests.

DuckDB lets one process write a file, or several read it, never both. `connect` waits for a
lock another process holds (FINOPS_LOCK_TIMEOUT seconds, default 60, with a progress line on
stderr) and then fails with one line naming that process, instead of DuckDB's traceback.
Read-only connections also lose file access and configuration changes: they serve
`finops sql`, the notebooks and the read commands, which must not be able to write anything.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from finops_pipeline.errors import ConfigError, WarehouseLockedError
from finops_pipeline.package_files import REPO_ROOT as REPO_ROOT
from finops_pipeline.package_files import sql_dir

DEFAULT_WAREHOUSE = "finops.duckdb"
LOCK_TIMEOUT_ENV = "FINOPS_LOCK_TIMEOUT"
MEMORY_LIMIT_ENV = "FINOPS_MEMORY_LIMIT"
TEMP_DIRECTORY_ENV = "FINOPS_TEMP_DIRECTORY"
# DuckDB's own budget; the process adds Python, Dagster and buffers DuckDB does not count
# (~480 MB in a Dagster run, see RUN_MEMORY_LIMIT_MB). Default: 512 MB, or 40% of RAM on a
# smaller machine, so ingest and `finops run` of a month stay under 1 GB peak RSS whatever its size (issue 16: 0.5M to
# 20M rows, benchmarks/month_build.py); past it DuckDB spills to the temp directory. Larger
# machines may raise it (FINOPS_MEMORY_LIMIT=8GB) to spill less.
DEFAULT_MEMORY_LIMIT_MB = 512
# A Dagster run (`finops run`, the focus_costs refresh of `finops ingest`) holds ~480 MB
# itself once its checks have loaded great-expectations, and a heavy step (the tag marts)
# fills whatever limit DuckDB has: peak RSS is about that plus the limit, so its connections
# get a smaller default (5M-row month: ~1,000 MB at 512MB, 899 MB at 384MB; every step of
# the month completes at 384MB, the rest spills). FINOPS_MEMORY_LIMIT still overrides both.
RUN_MEMORY_LIMIT_MB = 384
RAM_SHARE = 0.4
_MEMORY_LIMIT = re.compile(r"\s*\d+(\.\d+)?\s*(B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)\s*", re.IGNORECASE)
DEFAULT_LOCK_TIMEOUT = 60.0
# Read-only connections cannot read or write other files (read_csv, COPY, ATTACH, INSTALL)
# nor undo that with SET: DuckDB enforces it, not a filter of ours.
READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}
_LOCK_MESSAGE = "Could not set lock"
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")
SQL_DIR = sql_dir()

LOAD_LOG_DDL = """
create table if not exists load_log (
    load_id varchar not null,
    source_name varchar not null,
    source_format varchar,
    file_path varchar not null,
    file_sha256 varchar,
    file_bytes bigint,
    billing_periods date[],
    rows bigint,
    source_total map(varchar, decimal(38, 12)),
    cost_basis varchar,
    status varchar not null,
    reason varchar,
    loaded_at timestamp not null
)
"""


def warehouse_path(override: str | Path | None = None) -> Path:
    """The warehouse file: explicit override, else FINOPS_WAREHOUSE, else ./finops.duckdb."""
    chosen = override or os.environ.get("FINOPS_WAREHOUSE") or DEFAULT_WAREHOUSE
    return Path(chosen).expanduser().resolve()


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    lock_timeout: float | None = None,
    writes_files: bool = False,
    default_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse and make sure the shared objects (macros, load_log) exist.

    `read_only` connections have external access off and their configuration locked, unless
    `writes_files` (our own code writing files from the warehouse, `finops export`; never a
    user's query).
    Either kind waits up to `lock_timeout` (default: FINOPS_LOCK_TIMEOUT or 60 s) for a
    lock held by another process, then raises WarehouseLockedError.
    `default_limit_mb`: DuckDB's memory limit when FINOPS_MEMORY_LIMIT is unset (at most 40%
    of RAM; a Dagster run passes RUN_MEMORY_LIMIT_MB).
    """
    target = warehouse_path(path)
    if read_only:
        config = {} if writes_files else READ_ONLY_CONFIG
        return open_waiting(target, True, config, lock_timeout)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = open_waiting(target, False, {}, lock_timeout)
    con.execute("set preserve_insertion_order = false")
    apply_memory_settings(con, target, default_limit_mb)
    con.execute("set TimeZone = 'UTC'")
    ensure_base_schema(con)
    return con


def memory_settings(
    target: Path, default_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB
) -> tuple[str, Path]:
    """DuckDB's memory limit and spill folder for a warehouse: FINOPS_MEMORY_LIMIT (a size
    such as 500MB or 2GB; default `default_memory_limit()`) and FINOPS_TEMP_DIRECTORY (default: `<warehouse>.tmp`
    beside the file, DuckDB's own convention, so a spill lands on the warehouse's disk)."""
    limit = os.environ.get(MEMORY_LIMIT_ENV, "").strip() or default_memory_limit(
        limit_mb=default_limit_mb
    )
    if not _MEMORY_LIMIT.fullmatch(limit):
        raise ConfigError(
            f"{MEMORY_LIMIT_ENV}={limit!r}: expected a size such as 500MB or 2GB (DuckDB's "
            "memory limit; larger months spill to the temp directory instead of failing)"
        )
    temp = os.environ.get(TEMP_DIRECTORY_ENV, "").strip()
    folder = Path(temp).expanduser().resolve() if temp else target.with_name(target.name + ".tmp")
    return limit.replace(" ", ""), folder


def default_memory_limit(
    ram_bytes: int | None = None, limit_mb: int = DEFAULT_MEMORY_LIMIT_MB
) -> str:
    """`limit_mb` (512MB; RUN_MEMORY_LIMIT_MB in a Dagster run), or 40% of the machine's RAM
    when that is less (DuckDB's own default, 80% of RAM, lets a month's build grow with the
    month)."""
    if ram_bytes is None:
        try:
            ram_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):  # not a POSIX system: assume enough
            ram_bytes = 0
    limit = limit_mb
    if ram_bytes > 0:
        limit = max(64, min(limit, int(ram_bytes * RAM_SHARE / 2**20)))
    return f"{limit}MB"


def apply_memory_settings(
    con: duckdb.DuckDBPyConnection, target: Path, default_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB
) -> None:
    """Bound the writer's memory: a month of tens of millions of rows must not need RAM in
    proportion (issue 16). Sorts, joins and aggregates past the limit spill to disk."""
    limit, folder = memory_settings(target, default_limit_mb)
    con.execute(f"set memory_limit = '{limit}'")
    con.execute("set temp_directory = '" + str(folder).replace("'", "''") + "'")


def lock_timeout_seconds() -> float:
    """How long to wait for another process's lock: FINOPS_LOCK_TIMEOUT, else 60 s."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ConfigError(
            f"{LOCK_TIMEOUT_ENV}={raw!r}: expected a number of seconds >= 0 (0: do not wait)"
        )
    return value


def open_waiting(
    target: Path, read_only: bool, config: dict[str, Any], timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retried while another process holds the file's lock."""
    limit = lock_timeout_seconds() if timeout is None else timeout
    start = time.monotonic()
    announced = 0.0
    pause = 0.05
    while True:
        try:
            return duckdb.connect(str(target), read_only=read_only, config=dict(config))
        except duckdb.IOException as exc:
            if _LOCK_MESSAGE not in str(exc):
                raise
            holder = lock_holder(str(exc))
            waited = time.monotonic() - start
            if waited >= limit:
                raise WarehouseLockedError(
                    f"warehouse {target} is locked by {holder} (waited {waited:.0f} s): DuckDB "
                    "allows one writer, or readers, at a time; wait for that process to finish "
                    f"(or stop it) and run the command again, or raise {LOCK_TIMEOUT_ENV} "
                    f"(now {limit:g} s)"
                ) from None
            if not announced or waited - announced >= 10:
                announced = max(waited, 1e-9)
                print(
                    f"warehouse {target} is locked by {holder}; waited {waited:.0f} s, "
                    f"waiting up to {limit:g} s ({LOCK_TIMEOUT_ENV})...",
                    file=sys.stderr,
                    flush=True,
                )
            time.sleep(min(pause, max(limit - waited, 0.01)))
            pause = min(pause * 2, 1.0)


def lock_holder(message: str) -> str:
    """'process 1234 (finops ingest ...)' from DuckDB's lock error, as far as it says."""
    match = _LOCK_HOLDER.search(message)
    if not match:
        return "another process"
    program, pid = match.group(1), match.group(2)
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    except OSError:
        command = program
    command = " ".join(command.split())  # one line, whatever the arguments held
    command = command if len(command) <= 120 else command[:117] + "..."
    return f"process {pid} ({command})"


def ensure_base_schema(con: duckdb.DuckDBPyConnection) -> None:
    run_sql_file(con, "macros.sql")
    con.execute(LOAD_LOG_DDL)


def sql_file(name: str) -> Path:
    path = SQL_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"SQL file {path} is missing: reinstall the package (the wheel ships sql/ as "
            "finops_pipeline/_data/sql), or in a source checkout keep sql/ beside finops_pipeline/"
        )
    return path


def read_sql(name: str) -> str:
    return sql_file(name).read_text(encoding="utf-8")


def run_sql_file(
    con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] | dict[str, Any] | None = None
) -> None:
    """Run every statement of a file in `sql/`, binding `params` (never formatted in)."""
    text = read_sql(name)
    for statement in split_statements(text):
        if params is None:
            con.execute(statement)
        else:
            con.execute(statement, params)


def split_statements(text: str) -> Iterator[str]:
    """Split on semicolons that end a line; our SQL files keep one statement per block."""
    buffer: list[str] = []
    for line in text.splitlines():
        buffer.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(buffer).strip().rstrip(";").strip()
            if _has_code(statement):
                yield statement
            buffer = []
    rest = "\n".join(buffer).strip()
    if _has_code(rest):
        yield rest


def _has_code(statement: str) -> bool:
    return any(
        line.strip() and not line.strip().startswith("--") for line in statement.splitlines()
    )


def quote_identifier(name: str) -> str:
    """Quote an identifier that comes from data (a header, a tag key) for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure rolls back so earlier good data stays as it was."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def checkpoint_written(con: duckdb.DuckDBPyConnection, *, deleted: bool) -> None:
    """Checkpoint right after a large write's commit; keep the row groups as written when
    the write deleted nothing (issue 16).

    A parallel insert leaves each thread's last row group part-full. The vacuum of the next
    checkpoint merges such row groups with their neighbours: it decompresses and rewrites
    them on one thread, ~1 s per table per 0.5M rows of a month (as long as the landing
    insert itself), and more as the part-full groups lie further apart in a larger month.
    A checkpoint with the vacuum off writes them as they are instead (a few part-full row
    groups per delivery, no rewrite), and a later checkpoint leaves a table it did not change
    alone. A write that deleted rows (a restatement, a rebuilt month) keeps the vacuum, which
    reclaims their space. Done now, not at close: a later statement that touches the table's
    catalog entry (recreating a view over it) would hand it to a vacuuming checkpoint.
    A checkpoint DuckDB refuses (some versions do while another transaction is open) is
    skipped: the next checkpoint does the work.
    """
    row = con.execute("select current_setting('max_vacuum_tasks')").fetchone()
    before = int(row[0]) if row else 100
    try:
        if not deleted:
            con.execute("set max_vacuum_tasks = 0")  # a global setting: restored below
        con.execute("checkpoint")
    except duckdb.Error:
        pass
    finally:
        if not deleted:
            con.execute(f"set max_vacuum_tasks = {before}")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def view_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether `name` is a user view (on the Spark engine a lake table is a view over its folder)."""
    row = con.execute(
        "select count(*) from duckdb_views() where view_name = ? and not internal", [name]
    ).fetchone()
    return bool(row and row[0])
