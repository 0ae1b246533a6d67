"""The report as a workbook: one sheet per table, each an Excel table with filters, plus the
month's allocation ledger as a sheet to pivot.

Amounts are written as numbers rounded to the cent, the very values the HTML shows, and
totals are those values too (a bold row under the table, not formulas), so a reader's SUM and
the report agree. No number format turns a value red: a negative variance is favourable.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from finops_pipeline.report.model import Report, Section, Table, cents

FORMATS = {
    "money": "#,##0.00;-#,##0.00;0.00",
    "pct": "0.0%;-0.0%;0.0%",
    "points": '+0.0" pts";-0.0" pts";0.0" pts"',
    "int": "#,##0",
    "num": "0.######",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
HEADER_ROWS = 4  # title, section intro, table note, blank


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "money":
        return float(cents(value)) + 0.0  # two decimals survive the float; + 0.0 drops -0.0
    if isinstance(value, Decimal):
        return float(value) + 0.0
    return value


def write_xlsx(report: Report, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    styles = _Styles(book)
    names: set[str] = set()
    for section in report.sections:
        if not section.tables:
            sheet = book.add_worksheet(_unique(_sheet_name(section.title), names))
            _heading(sheet, styles, f"{section.title} — {report.month_label}", section, None)
            continue
        for index, table in enumerate(section.tables):
            base = section.title if index == 0 else table.title
            sheet = book.add_worksheet(_unique(_sheet_name(base), names))
            title = f"{section.title}: {table.title} — {report.month_label}"
            _heading(sheet, styles, title, section if index == 0 else None, table)
            _write_table(sheet, HEADER_ROWS, table, styles, f"t_{table.key or len(names)}")
    if report.ledger is not None:
        sheet = book.add_worksheet(_unique("Ledger", names))
        _heading(sheet, styles, f"Allocation ledger — {report.month_label}", None, report.ledger)
        _write_table(sheet, HEADER_ROWS, report.ledger, styles, "t_ledger")
    book.close()
    return path


class _Styles:
    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.muted = book.add_format({"italic": True, "font_color": "#5B6570"})
        self.kinds = {k: book.add_format({"num_format": f}) for k, f in FORMATS.items()}
        self.totals = {
            k: book.add_format({"num_format": f, "bold": True, "top": 2})
            for k, f in FORMATS.items()
        }
        self.total_text = book.add_format({"bold": True, "top": 2})


def _heading(
    sheet: Any, styles: _Styles, title: str, section: Section | None, table: Table | None
) -> None:
    sheet.write(0, 0, title, styles.title)
    intro = " ".join([section.intro, *section.notes] if section else []).strip()
    if intro:
        sheet.write(1, 0, intro, styles.muted)
    if table is not None and table.note:
        sheet.write(2, 0, table.note, styles.muted)


def _write_table(sheet: Any, row: int, table: Table, styles: _Styles, name: str) -> None:
    headers = _unique_headers([c.name for c in table.columns])
    last_col = len(headers) - 1
    if not table.rows:
        for col, header in enumerate(headers):
            sheet.write(row, col, header, styles.total_text)
        sheet.write(row + 1, 0, "none", styles.muted)
        return
    sheet.add_table(
        row,
        0,
        row + len(table.rows),
        last_col,
        {
            "name": _table_name(name),
            "style": "Table Style Light 9",
            "autofilter": True,
            "columns": [
                {"header": header, "format": styles.kinds.get(column.kind)}
                for header, column in zip(headers, table.columns, strict=True)
            ],
        },
    )
    widths = [len(h) + 4 for h in headers]  # room for the filter button
    for offset, values in enumerate(table.rows, start=1):
        for col, column in enumerate(table.columns):
            value = _cell(values[col], column.kind)
            _write(sheet, row + offset, col, value, styles.kinds.get(column.kind))
            widths[col] = max(widths[col], min(len(_shown(values[col], column.kind)), 60))
    if table.total:
        total_row = row + len(table.rows) + 1
        for col, column in enumerate(table.columns):
            value = _cell(table.total[col], column.kind)
            _write(sheet, total_row, col, value, styles.totals.get(column.kind, styles.total_text))
    sheet.freeze_panes(row + 1, 1)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width, 8), 60))


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{cents(value):,.2f}"
    return str(value)


def _write(sheet: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, col, value, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _sheet_name(title: str) -> str:
    """'3. Showback by team (USD)' -> 'Showback by team' (Excel: max 31 chars, no []:*?/\\)."""
    name = title.split(". ", 1)[-1] if re.match(r"^\d+\. ", title) else title
    name = re.sub(r"\s*\([A-Z]{3}\)$", "", name)
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    if len(name) > 31:  # cut between words, not inside one
        name = name[:32].rsplit(" ", 1)[0].rstrip(" ,;-")
    return name[:31].strip()


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in used:
        suffix = f" {n}"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _unique_headers(names: list[str]) -> list[str]:
    """Excel table headers must be distinct non-empty strings."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        text = name or "column"
        count = seen.get(text.lower(), 0)
        seen[text.lower()] = count + 1
        out.append(text if not count else f"{text} {count + 1}")
    return out


def _table_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)[:250]
