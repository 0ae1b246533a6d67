"""How a value of each column kind is shown in HTML (and in CSV as text)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from finops_pipeline.report.model import cents


def display(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{cents(value):,.2f}"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "int":
        return f"{value:,}"
    if kind == "num":
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return f"{value:,.2f}" if isinstance(value, float) else str(value)
    if kind == "datetime" and isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if kind == "date" and isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def is_number(kind: str) -> bool:
    return kind in ("money", "pct", "int", "num")
