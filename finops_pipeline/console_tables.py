"""Query results for people (a table that fits the terminal) and for programs (CSV, JSON).

Every value a table shows goes through `cell`, the one place that decides how a value of
each kind is written (and where markup escaping lives). Money is right-aligned with
thousands separators and never cut: when the columns do not fit the terminal, each record
is printed as its own block of `name  value` lines instead of squeezing cells.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from finops_pipeline.csv_safe import row as csv_row

NUMERIC = ("money", "int", "num", "pct", "rate")


def cell(value: Any, kind: str = "text") -> str:
    """The text of one value: money `1,234.56` (never `-0.00`), counts `1,234`, dates ISO."""
    if value is None:
        return ""
    if kind == "money":
        rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        return escape(f"{rounded if rounded else abs(rounded):,.2f}")
    if kind == "pct":
        return escape(f"{float(value):,.1f}%")
    if kind == "rate":
        return escape(f"{Decimal(str(value)).normalize():f}")
    if kind == "int":
        return escape(f"{int(value):,}")
    if kind == "num":
        if isinstance(value, Decimal):
            return escape(f"{value.normalize():,f}")
        return escape(f"{value:,.2f}" if isinstance(value, float) else str(value))
    if isinstance(value, datetime):
        return escape(f"{value:%Y-%m-%d %H:%M}")
    if isinstance(value, date):
        return escape(f"{value:%Y-%m-%d}")
    return escape(str(value))


def plain(value: Any) -> Any:
    """A value for CSV / JSON: exact decimals as plain text (`0.000000000000`, not `0E-12`)."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def infer_kind(name: str, values: Sequence[Any], kinds: dict[str, str]) -> str:
    if name in kinds:
        return kinds[name]
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return "text"
    if isinstance(sample, Decimal):
        return "money"
    if isinstance(sample, int):
        return "int"
    if isinstance(sample, float):
        return "num"
    return "text"


def write_rows(
    console: Console,
    names: list[str],
    rows: list[Sequence[Any]],
    fmt: str,
    *,
    title: str | None = None,
    kinds: dict[str, str] | None = None,
) -> None:
    """Print rows as `fmt` (table, csv or json); a table's title names the month it shows."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(csv_row(names))
        writer.writerows(csv_row(row) for row in rows)
        return
    if fmt == "json":
        records = [{n: plain(v) for n, v in zip(names, row, strict=True)} for row in rows]
        print(json.dumps(records, default=str, indent=2))
        return
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    chosen = [infer_kind(n, col, kinds or {}) for n, col in zip(names, columns, strict=True)]
    texts = [[cell(v, k) for v, k in zip(row, chosen, strict=True)] for row in rows]
    widths = [max([len(n), *(len(t[i]) for t in texts)]) for i, n in enumerate(names)]
    needed = sum(widths) + 3 * len(names) + 1
    if needed > console.width:
        _blocks(console, names, texts, chosen, title)
    else:
        _table(console, names, texts, chosen, widths, title)
    console.print(f"{len(rows)} row(s)", highlight=False)


def _table(
    console: Console,
    names: list[str],
    texts: list[list[str]],
    kinds: list[str],
    widths: list[int],
    title: str | None,
) -> None:
    table = Table(title=escape(title) if title else None, title_justify="left")
    for name, kind, width in zip(names, kinds, widths, strict=True):
        numeric = kind in NUMERIC
        table.add_column(
            escape(name),
            justify="right" if numeric else "left",
            no_wrap=True,
            min_width=width,
        )
    for row in texts:
        table.add_row(*row)
    console.print(table, highlight=False)


def _blocks(
    console: Console,
    names: list[str],
    texts: list[list[str]],
    kinds: list[str],
    title: str | None,
) -> None:
    """One record per block: each value on its own line, numbers right-aligned together."""
    if title:
        console.print(f"[bold]{escape(title)}[/]", highlight=False)
    label = max(len(n) for n in names)
    number = max([len(row[i]) for row in texts for i, k in enumerate(kinds) if k in NUMERIC] or [0])
    for index, row in enumerate(texts, start=1):
        console.print(f"[dim]── {index} ──[/]", highlight=False)
        for name, kind, text in zip(names, kinds, row, strict=True):
            if not text:
                continue
            shown = text.rjust(number) if kind in NUMERIC else text
            console.print(f"{escape(name).ljust(label)}  {shown}", highlight=False, soft_wrap=True)
