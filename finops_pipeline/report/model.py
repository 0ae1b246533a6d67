"""What a report is, independent of how it is rendered: sections of titled tables.

Renderers (HTML, XLSX, CSV) read the same objects, so the XLSX totals are the HTML's totals
by construction. Money stays `Decimal` here; each renderer formats it, never re-adds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

Kind = Literal["text", "money", "pct", "points", "date", "datetime", "int", "num"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"


@dataclass
class Table:
    """One table of a section; `total` is its totals row (already summed from the data)."""

    title: str
    columns: list[Column]
    rows: list[Sequence[Any]]
    total: Sequence[Any] | None = None
    note: str = ""
    key: str = ""  # stable name for tests and sheet lookups, e.g. "showback_by_team"

    def column(self, name: str) -> list[Any]:
        index = [c.name for c in self.columns].index(name)
        return [row[index] for row in self.rows]


@dataclass
class Chart:
    title: str
    svg: str  # inline SVG rendered by vl-convert
    spec: dict = field(default_factory=dict)  # the Vega-Lite spec the SVG was drawn from
    mark: str = ""  # the SVG's aria-roledescription of one data mark ("bar", "point")
    marks: int = 0  # how many such marks the data should draw


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "not available: ..." lines and caveats
    tables_before_charts: int = 0  # the summary leads with its key figures, then the chart

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass
class Report:
    billing_month: date
    reporting_currency: str
    is_open_month: bool
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)
    ledger: Table | None = None  # the month's allocation_ledger (XLSX sheet 'Ledger')

    @property
    def month_label(self) -> str:
        return f"{self.billing_month:%Y-%m}"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def totals_row(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """'Total', then each money column summed (None when no row has a value), blanks elsewhere."""
    total: list[Any] = []
    for index, column in enumerate(columns):
        values = [row[index] for row in rows if row[index] is not None]
        if index == 0:
            total.append("Total")
        elif column.kind == "money":
            total.append(sum(values, Decimal(0)) if values else None)
        else:
            total.append(None)
    return total


def cents(value: Decimal | None, digits: int = 2) -> Decimal | None:
    """Round half-up to the displayed precision (the number shown, in HTML and XLSX alike)."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding="ROUND_HALF_UP")


def not_available(what: str, why: str) -> str:
    return f"{what}: not available: {why}"
