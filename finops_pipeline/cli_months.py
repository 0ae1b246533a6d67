"""Which billing month a read command shows when none is given: the same rule everywhere.

Finance views (showback, explain, tags, waste, unit-costs, report) default to the last closed
month: the month before the latest one loaded, which is still open and partial. The forecast
defaults to the open month, the only one it forecasts. Every table title says which month it
shows and why, so a default is never silent.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import typer


def parse_month(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not YYYY-MM") from exc


def loaded_months(con: duckdb.DuckDBPyConnection, table: str) -> list[date]:
    return [
        m
        for (m,) in con.execute(
            f"select distinct billing_month from {table} where billing_month is not null "
            "order by 1 desc limit 2"
        ).fetchall()
    ]


def finance_month(
    con: duckdb.DuckDBPyConnection, table: str, given: str | None
) -> tuple[date | None, str]:
    """(month, label for titles): the given month, else the last closed month of `table`."""
    if given or not (months := loaded_months(con, table)):
        return _given(given)
    if len(months) == 1:
        return months[0], f"{months[0]:%Y-%m} (the only month loaded; may still be open)"
    return months[1], f"{months[1]:%Y-%m} (last closed month; --month for another)"


def open_month(
    con: duckdb.DuckDBPyConnection, table: str, given: str | None
) -> tuple[date | None, str]:
    """(month, label): the given month, else the latest (open) month of `table`."""
    if given or not (months := loaded_months(con, table)):
        return _given(given)
    return months[0], f"{months[0]:%Y-%m} (open month; --month for another)"


def _given(given: str | None) -> tuple[date | None, str]:
    """The month the user gave, or none when nothing is loaded either."""
    if not given:
        return None, "no month loaded"
    month = parse_month(given)
    return month, f"{month:%Y-%m}"
