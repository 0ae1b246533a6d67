"""Errors a user can act on.

Every problem with an input file becomes an `IngestError` that names the file, the row and
column where known, what was expected, and what to do. The CLI prints its one-line form; the
load log stores it as the rejection reason. Every message passes through `redact`, so a URL
in it never carries a password, a token in its path or a signed query string.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from finops_pipeline.redact import redact


class FinopsError(Exception):
    """Base class for errors that the CLI reports without a traceback."""

    def __str__(self) -> str:
        return redact(super().__str__())


@dataclass
class IngestError(FinopsError):
    """A file could not be loaded; says where, what was expected, and what to do."""

    file: Path | str
    problem: str
    expected: str = ""
    action: str = ""
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.one_line())

    def location(self) -> str:
        where = str(self.file)
        if self.row is not None:
            where += f", data row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return where

    def one_line(self) -> str:
        text = f"{self.location()}: {self.problem}"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.action:
            text += f". {self.action}"
        return redact(text)

    def __str__(self) -> str:
        return self.one_line()


class ConfigError(FinopsError):
    """The settings or a mapping file is invalid."""


class WarehouseLockedError(FinopsError):
    """Another process held the warehouse's lock for longer than the configured wait."""


class ReadOnlyQueryError(FinopsError):
    """`finops sql` or a notebook was given something other than one read-only query."""


class RefreshFailed(FinopsError):
    """focus_costs could not be rebuilt after a load. The landed rows are committed and their
    (source, billing period) pairs stay in `pending_rebuild`, so the months keep their earlier
    focus_costs rows until a later `finops ingest` or `finops run` finishes them."""

    def __init__(self, failures: list[str]) -> None:
        super().__init__(
            "focus_costs was not rebuilt after the load (" + "; ".join(failures) + "). The "
            "loaded files are kept and those months still show their earlier focus_costs "
            "rows: fix the cause, then run `finops ingest` again (any path) or `finops run`"
        )
