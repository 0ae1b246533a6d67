"""The calendar the generator works in: which billing months exist and which days have data.

The last month is the current, still-open month: providers deliver it month-to-date, so it
only has data up to the day before ``as_of``. Every other month is closed and complete.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache


def parse_month(month: str) -> date:
    """``"2026-11"`` -> first day of that month."""
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


def add_months(first: date, n: int) -> date:
    """First day of the month ``n`` months after the month of ``first`` (n may be negative)."""
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@lru_cache(maxsize=1024)
def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def days_in_month(first: date) -> int:
    return calendar.monthrange(first.year, first.month)[1]


@dataclass(frozen=True)
class Month:
    """One billing period. ``data_days`` are the days that carry usage in the export."""

    start: date
    end: date  # exclusive: first day of the next month
    data_days: tuple[date, ...]
    is_open: bool
    key: str  # "YYYY-MM"

    @property
    def full_days(self) -> int:
        return (self.end - self.start).days

    @property
    def compact(self) -> str:
        """``YYYYMMDD-YYYYMMDD`` as AWS and Azure name their period folders."""
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"


@dataclass(frozen=True)
class Window:
    """All billing months of a generation run, oldest first."""

    months: tuple[Month, ...]
    as_of: date

    @property
    def first_day(self) -> date:
        return self.months[0].start

    @property
    def last_data_day(self) -> date:
        return self.months[-1].data_days[-1]

    @property
    def days(self) -> list[date]:
        return [d for m in self.months for d in m.data_days]

    def month(self, offset_from_end: int) -> Month | None:
        """``month(0)`` is the open month, ``month(1)`` the last closed one, ..."""
        if offset_from_end >= len(self.months):
            return None
        return self.months[-1 - offset_from_end]

    @property
    def restated(self) -> Month | None:
        """The closed month that providers re-deliver with revised numbers (end month - 2)."""
        return self.month(2)


def build_window(end_month: str, months: int, as_of: date | None = None) -> Window:
    """Months ending at ``end_month``; the open month has data through ``as_of`` - 1 day.

    ``as_of`` defaults to the last day of ``end_month`` and must fall inside it after its
    first day, so that the open month has at least one day of data.
    """
    if months < 1:
        raise ValueError("months must be >= 1")
    end_first = parse_month(end_month)
    last_day = add_months(end_first, 1) - timedelta(days=1)
    as_of = as_of or last_day
    if not (end_first < as_of <= last_day):
        raise ValueError(f"as_of {as_of} must be after {end_first} and within {end_month}")
    out: list[Month] = []
    for i in range(months - 1, -1, -1):
        start = add_months(end_first, -i)
        end = add_months(start, 1)
        is_open = i == 0
        stop = as_of if is_open else end
        days = tuple(start + timedelta(days=k) for k in range((stop - start).days))
        out.append(Month(start, end, days, is_open, month_key(start)))
    return Window(months=tuple(out), as_of=as_of)


def day_in_month(window: Window, index: int, day: int) -> date:
    """Day ``day`` of window month ``index``, both clamped into the window's data."""
    month = window.months[max(0, min(index, len(window.months) - 1))]
    return month.data_days[min(day, len(month.data_days)) - 1]
