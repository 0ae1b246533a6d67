"""Where landed rows are kept: the warehouse's raw tables (the default, no store), or a
store that keeps them elsewhere (the Spark lake, engines/lake_store.py).

Landing (ingest/landing.py) always reads and validates a delivery with DuckDB, into the raw
table itself or, with a store, into the store's landing table on the same connection; the
store then replaces the delivery's (source, billing period) slices with those rows inside the
landing's transaction, so the rules of landing (rejection, duplicates, restatement, the load
log) are one code path on either engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Protocol

import duckdb


class RawStore(Protocol):
    """Keeps the raw rows outside the warehouse's tables."""

    def prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        """Before landing on `con`: the landing tables exist, the raw names read the store."""

    def landing_table(self, raw_table: str) -> str:
        """The table on the landing connection a delivery's rows go into first."""

    def stage(
        self, con: duckdb.DuckDBPyConnection, source: str, load_id: str, periods: set[date]
    ) -> None:
        """Inside the landing's transaction: write the landing tables' rows of `load_id` as
        the coming rows of (`source`, each of `periods`) in every raw table (a source that
        changed format is not doubled), without changing what readers see yet."""

    def publish(self, con: duckdb.DuckDBPyConnection) -> None:
        """After the commit: the staged slices replace the current ones."""

    def clear(self, con: duckdb.DuckDBPyConnection) -> None:
        """Empty the landing tables and drop what was staged but not published (after a
        delivery, landed or rejected)."""


_CURRENT: ContextVar[RawStore | None] = ContextVar("finops_raw_store", default=None)


def current_raw_store() -> RawStore | None:
    """The store landing uses in this context; None: the warehouse's raw tables."""
    return _CURRENT.get()


@contextmanager
def use_raw_store(store: RawStore | None) -> Iterator[None]:
    """Inside the block, landing keeps its rows in `store` (None: the warehouse)."""
    token = _CURRENT.set(store)
    try:
        yield
    finally:
        _CURRENT.reset(token)
