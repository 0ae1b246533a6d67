"""Where the billing-month partitions start: the first month the warehouse holds, unless
finops.yaml sets `partitions_start`.

A fixed 2020-01 start showed 71 of 84 partitions that could never have data. The code
location reads the warehouse read-only when it loads; when the warehouse is empty, absent or
locked by a writer, the partitions cover the last twelve months (and the current one), enough
for a first load, and a reload of the code location after the load picks up the real start.

They end with the current, still open month, or later when a billing month after it is
loaded (an export dated ahead of this machine's clock, or a provider's next period): the
partitions then reach that month (`end_offset`), so its loads build like any other's.
A run over given months (`finops ingest`, `finops demo`) passes them as `cover`, since what
it is about to build need not be in focus_costs yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

FALLBACK_MONTHS = 12


def first_loaded_month(warehouse: str | Path) -> date | None:
    """The earliest BillingPeriodStart in focus_costs, or None if it cannot be read."""
    return loaded_month_bounds(warehouse)[0]


def loaded_month_bounds(warehouse: str | Path) -> tuple[date | None, date | None]:
    """The earliest and latest BillingPeriodStart in focus_costs, (None, None) if it cannot
    be read."""
    import duckdb

    path = Path(warehouse)
    if not path.is_file():
        return None, None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:  # locked by a writer, or opened differently in this process
        return None, None
    try:
        found = con.execute(
            "select count(*) from information_schema.tables where table_name = 'focus_costs'"
        ).fetchone()
        if not found or not found[0]:
            return None, None
        row = con.execute(
            "select min(cast(BillingPeriodStart as date)), max(cast(BillingPeriodStart as date)) "
            "from focus_costs"
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)
    except duckdb.Error:
        return None, None
    finally:
        con.close()


def months_before(month: date, count: int) -> date:
    index = month_index(month) - count
    return date(index // 12, index % 12 + 1, 1)


def month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def partitions_start(
    configured: str | None,
    warehouse: str | Path,
    today: date | None = None,
    cover: Sequence[str] = (),
) -> str:
    """`YYYY-MM-01` of the first partition: no later than the first key of `cover`."""
    if configured:
        start = configured
    else:
        first = first_loaded_month(warehouse)
        if first is None:
            now = today or datetime.now(UTC).date()
            first = months_before(now.replace(day=1), FALLBACK_MONTHS)
        start = f"{first:%Y-%m-01}"
    return min([start, *cover])


def partitions_end_offset(
    warehouse: str | Path, today: date | None = None, cover: Sequence[str] = ()
) -> int:
    """Dagster's `end_offset` for the billing-month partitions: 1 (up to the current month)
    plus the months the latest loaded month, or the last key of `cover`, lies beyond it."""
    now = today or datetime.now(UTC).date()
    latest = [month for month in (loaded_month_bounds(warehouse)[1],) if month is not None]
    latest += [date.fromisoformat(key[:10]) for key in cover]
    ahead = max((month_index(month) - month_index(now) for month in latest), default=0)
    return 1 + max(ahead, 0)
