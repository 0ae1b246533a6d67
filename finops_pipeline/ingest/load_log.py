"""The load log, and what it answers: is this file already the current data of its source?

A file is skipped only when it is byte-identical to one whose rows are still current; its
checksum is computed beside the load unless a loaded file of the same size makes a
duplicate possible.
"""

from __future__ import annotations

import hashlib
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from finops_pipeline.ingest.outcomes import FileOutcome
from finops_pipeline.ingest.raw_tables import raw_tables


@dataclass
class Hashes:
    """File checksums, known already or still being computed beside the load."""

    known: dict[Path, str] | None = None
    pending: Future[dict[Path, str]] | None = None

    def resolve(self) -> dict[Path, str]:
        if self.known is None and self.pending is not None:
            self.known = self.pending.result()
        return self.known or {}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def new_load_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def could_be_duplicates(con: duckdb.DuckDBPyConnection, source: str, files: list[Path]) -> bool:
    """Only a file whose size matches a loaded file of this source needs hashing first."""
    for path in files:
        row = con.execute(
            "select count(*) from load_log where source_name = ? and file_bytes = ? "
            "and status = 'loaded'",
            [source, path.stat().st_size],
        ).fetchone()
        if not row or not row[0]:
            return False
    return True


def all_current(con: duckdb.DuckDBPyConnection, source: str, hashes: dict[Path, str]) -> bool:
    """True when every file is byte-identical to one whose rows are still current."""
    for digest in hashes.values():
        rows = con.execute(
            "select load_id from load_log where source_name = ? and file_sha256 = ? "
            "and status = 'loaded' order by loaded_at desc limit 1",
            [source, digest],
        ).fetchall()
        if not rows or not load_is_current(con, rows[0][0]):
            return False
    return True


def load_is_current(con: duckdb.DuckDBPyConnection, load_id: str) -> bool:
    for table in raw_tables():
        found = con.execute(
            f"select 1 from {table} where x_load_id = ? limit 1", [load_id]
        ).fetchall()
        if found:
            return True
    return False


def write_load_log(
    con: duckdb.DuckDBPyConnection,
    source: str,
    load_id: str,
    outcomes: list[FileOutcome],
    hashes: Hashes | dict[Path, str],
) -> None:
    """One row per file of the load: checksum, rows, periods, totals, status, reason."""
    if isinstance(hashes, Hashes):
        hashes = hashes.resolve()
    now = datetime.now(UTC).replace(tzinfo=None)
    for outcome in outcomes:
        path = outcome.path
        size = path.stat().st_size if path.exists() else None
        con.execute(
            "insert into load_log values (?, ?, ?, ?, ?, ?, ?, ?, map(?, ?), ?, ?, ?, ?)",
            [
                load_id,
                source,
                outcome.format,
                str(path),
                hashes.get(path),
                size,
                outcome.periods,
                outcome.rows,
                list(outcome.totals),
                [str(v) for v in outcome.totals.values()],
                outcome.cost_basis,
                outcome.status,
                outcome.reason,
                now,
            ],
        )
