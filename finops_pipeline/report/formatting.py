"""How a value of each column kind is shown in HTML (and in CSV as text)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from finops_pipeline.report.model import cents


def money_text(value: Decimal | float | int) -> str:
    """Two decimals with thousands separators; an amount that rounds to zero is `0.00`,
    never `-0.00`."""
    rounded = cents(Decimal(str(value)) if isinstance(value, float) else Decimal(value))
    if not rounded:
        rounded = abs(rounded)
    return f"{rounded:,.2f}"


def display(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return money_text(value)
    if kind == "pct":
        text = f"{value * 100:.1f}%"
        return "0.0%" if text == "-0.0%" else text
    if kind == "points":
        text = f"{value:+.1f} pts"
        return "0.0 pts" if text in ("+0.0 pts", "-0.0 pts") else text
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
    return kind in ("money", "pct", "points", "int", "num")
