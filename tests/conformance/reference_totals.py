"""Independent totals of a provider file, computed with Python's csv and Decimal.

The warehouse's numbers are checked against these, so the test does not trust DuckDB's
CSV reader or our SQL to grade themselves.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path


def read_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def totals_by(
    rows: list[dict[str, str]],
    currency: Callable[[dict[str, str]], str],
    amount: Callable[[dict[str, str]], Decimal],
) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        out[currency(row)] += amount(row)
    return dict(out)


def dec(value: str | None) -> Decimal:
    value = (value or "").strip()
    if value in ("", "NULL"):
        return Decimal(0)
    return Decimal(value)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))
