"""Where the billing-month partitions start: the first month the warehouse holds, unless
finops.yaml sets `partitions_start`.

A fixed 2020-01 start showed 71 of 84 partitions that could never have data. The code
location reads the warehouse read-only when it loads; when the warehouse is empty, absent or
locked by a writer, the partitions cover the last twelve months (and the current one), enough
for a first load, and a reload of the code location after the load picks up the real start.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

FALLBACK_MONTHS = 12


def first_loaded_month(warehouse: str | Path) -> date | None:
    """The earliest BillingPeriodStart in focus_costs, or None if it cannot be read."""
    import duckdb

    path = Path(warehouse)
    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:  # locked by a writer, or opened differently in this process
        return None
    try:
        found = con.execute(
            "select count(*) from information_schema.tables where table_name = 'focus_costs'"
        ).fetchone()
        if not found or not found[0]:
            return None
        row = con.execute(
            "select min(cast(BillingPeriodStart as date)) from focus_costs"
        ).fetchone()
        return row[0] if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def partitions_start(
    configured: str | None, warehouse: str | Path, today: date | None = None
) -> str:
    """`YYYY-MM-01` of the first partition."""
    if configured:
        return configured
    first = first_loaded_month(warehouse)
    if first is None:
        now = today or datetime.now(UTC).date()
        first = months_before(now.replace(day=1), FALLBACK_MONTHS)
    return f"{first:%Y-%m-01}"
