"""The sync state of cloud sources (`connector_state`): what was fetched and landed last.

A delivery is unchanged, and nothing is downloaded, when every object the listing shows for it
matches what was recorded after its last successful land.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from finops_pipeline.warehouse import run_sql_file, transaction


@dataclass(frozen=True)
class ObjectState:
    """One remote object of a delivery, as listed: its key, ETag and size."""

    key: str
    etag: str
    size: int
    role: str = "data"  # "manifest" or "data"


def ensure_state_table(con: duckdb.DuckDBPyConnection) -> None:
    run_sql_file(con, "connectors/connector_state.sql")


def recorded(con: duckdb.DuckDBPyConnection, source: str, delivery_key: str) -> dict[str, tuple]:
    rows = con.execute(
        "select object_key, etag, size_bytes from connector_state "
        "where source_name = ? and delivery_key = ?",
        [source, delivery_key],
    ).fetchall()
    return {key: (etag, size) for key, etag, size in rows}


def is_unchanged(
    con: duckdb.DuckDBPyConnection,
    source: str,
    delivery_key: str,
    fingerprint: Iterable[ObjectState],
    listing: dict[str, ObjectState] | None = None,
) -> bool:
    """True when the delivery's listed objects match the state of its last successful land.

    `fingerprint` are the objects that define the delivery (its manifest, or its files);
    `listing`, when given, also re-checks every recorded object (a data file replaced in place
    under an unchanged manifest is a change too).
    """
    state = recorded(con, source, delivery_key)
    if not state:
        return False
    for obj in fingerprint:
        if state.get(obj.key) != (obj.etag, obj.size):
            return False
    if listing is not None:
        for key, seen in state.items():
            now = listing.get(key)
            if now is None or (now.etag, now.size) != seen:
                return False
    return True


def record(
    con: duckdb.DuckDBPyConnection,
    source: str,
    delivery_key: str,
    objects: Iterable[ObjectState],
    version: str,
    period: date | None,
) -> None:
    """Replace the delivery's rows: called only after its files landed."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with transaction(con):
        con.execute(
            "delete from connector_state where source_name = ? and delivery_key = ?",
            [source, delivery_key],
        )
        for obj in objects:
            con.execute(
                "insert into connector_state values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [source, delivery_key, obj.key, obj.role, obj.etag, obj.size, version, period, now],
            )
