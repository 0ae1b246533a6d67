"""Reading errors of an export file, in the one line a user can act on.

DuckDB's messages can echo a whole offending line (megabytes) and put the reason on a later
line; these helpers keep the reason, clip the rest, and name a truncated gzip as such.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

from finops_pipeline.errors import IngestError


def check_gzip(path: Path) -> None:
    """Raise the actionable error if a gzip file is truncated or corrupt; else do nothing."""
    if not path.name.lower().endswith((".gz", ".gzip")):
        return
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 22):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(
            path,
            f"the gzip stream is truncated or corrupt ({exc})",
            expected="a complete gzip file",
            action="re-download the file from the provider (the transfer was cut short)",
        ) from exc


def clip(text: str, limit: int = 80) -> str:
    """A value or name short enough for a one-line message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def duckdb_reason(exc: BaseException) -> str:
    """DuckDB's reason in one line. A CSV error's first line only says where ("CSV Error on
    Line: 1"); the reason (e.g. "Maximum line size of 2000000 bytes exceeded. Actual Size:
    10000212 bytes.") follows the echoed original line, which may be megabytes long."""
    lines = str(exc).strip().splitlines()
    head = first_line(exc)
    match = re.search(r"CSV Error on Line: (\d+)", head)
    if not match:
        return clip(head, 300)
    reason = next(
        (
            line.strip()
            for line in lines[1:]
            if line.strip() and not line.startswith(("Original Line:", "Possible Solution"))
        ),
        "",
    )
    reason = reason.rstrip(".")
    where = f"CSV error on line {match.group(1)}"
    return clip(f"{where}: {reason}" if reason else where, 300)
