"""CSV cells a spreadsheet will not run: the one helper every CSV export goes through.

Excel, LibreOffice and Google Sheets treat a cell starting with `=`, `+`, `-`, `@`, a tab
or a carriage return as a formula (OWASP "CSV injection"), so a team named
`=HYPERLINK("http://...")` in a tag would become a live link in finance's sheet. Text cells
that start so get a leading `'`, which spreadsheets show as text and do not evaluate.

Numbers are left alone: a money column's Decimal `-12.50` is typed data from the warehouse,
not text someone typed, and must stay a number a spreadsheet can sum. Only `str` values (and
anything else that is not a number) are prefixed, so the text `-12.50` in a text column
becomes `'-12.50`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One CSV cell: '' for NULL, numbers as they are, text made inert."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"  # plain digits: `0.000000000000`, never `0E-12`
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row(values: Iterable[Any]) -> list[str]:
    return [cell(v) for v in values]
