"""The report as a workbook: one sheet per section, number formats, frozen header rows.

Amounts are written as numbers rounded to the cent, the very values the HTML shows, and
totals are those values too (not formulas), so a reader's SUM and the report agree.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from finops_pipeline.report.model import Report, Table, cents

FORMATS = {
    "money": "#,##0.00;[Red]-#,##0.00",
    "pct": "0.0%",
    "int": "#,##0",
    "num": "0.######",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "money":
        return float(cents(value))  # two decimals survive the float exactly as text
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(report: Report, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    bold = book.add_format({"bold": True, "bg_color": "#F3F5F7", "bottom": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 13})
    muted = book.add_format({"italic": True, "font_color": "#5B6570"})
    kinds = {k: book.add_format({"num_format": f}) for k, f in FORMATS.items()}
    totals = {
        k: book.add_format({"num_format": f, "bold": True, "top": 2}) for k, f in FORMATS.items()
    }
    total_text = book.add_format({"bold": True, "top": 2})
    for section in report.sections:
        sheet = book.add_worksheet(_sheet_name(section.title))
        sheet.write(0, 0, f"{section.title} — {report.month_label}", title)
        row = 1
        for note in [section.intro, *section.notes]:
            if note:
                sheet.write(row, 0, note, muted)
                row += 1
        frozen = False
        widths: dict[int, int] = {}
        for table in section.tables:
            row += 1
            sheet.write(row, 0, table.title, title)
            row += 1
            if table.note:
                sheet.write(row, 0, table.note, muted)
                row += 1
            if not frozen:
                sheet.freeze_panes(row + 1, 1)  # the first table's header and first column
                frozen = True
            row = _write_table(sheet, row, table, bold, kinds, totals, total_text, widths)
        for col, width in widths.items():
            sheet.set_column(col, col, min(max(width, 8), 60))
    book.close()
    return path


def _write_table(
    sheet: Any,
    row: int,
    table: Table,
    bold: Any,
    kinds: dict,
    totals: dict,
    total_text: Any,
    widths: dict[int, int],
) -> int:
    for col, column in enumerate(table.columns):
        sheet.write(row, col, column.name, bold)
        widths[col] = max(widths.get(col, 0), len(column.name) + 2)
    row += 1
    for values in table.rows:
        for col, column in enumerate(table.columns):
            _write(sheet, row, col, _cell(values[col], column.kind), kinds.get(column.kind))
            widths[col] = max(widths.get(col, 0), min(len(str(values[col] or "")), 60))
        row += 1
    if table.total:
        for col, column in enumerate(table.columns):
            value = _cell(table.total[col], column.kind)
            _write(sheet, row, col, value, totals.get(column.kind, total_text))
        row += 1
    return row


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
    """'2. Showback by team' -> 'Showback by team' (Excel: max 31 chars, no []:*?/\\)."""
    name = title.split(". ", 1)[-1]
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31]
