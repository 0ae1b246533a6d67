"""Allocated effective cost per day x team x billing currency, in the billing and the
reporting currency (temp table).

showback_monthly allocates per billing month; unit costs per day and team forecasts need the
same allocation per day. Each focus_costs row is classified exactly as the allocator does
(first matching pool, else owner tag, else first owner rule, else `unallocated`; see
showback/allocate.py), summed per charge day (cast(ChargePeriodStart as date): the day the
charge is posted, never spread) x charge category, and pooled rows are split by the shares
the allocation ledger gave each team for that pool, month and currency. The ledger's shares
are rounded to the cent, so the per-day figures can differ from showback_monthly by a few
cents per team-month: that residual goes to the largest day of the team x month x billing
currency, so the days sum to showback_monthly's effective_cost (billing currency) and
effective_cost_reporting exactly. A month without an exchange rate for a billing currency
keeps NULL reporting amounts (`effective_cost`) for it, like showback. A residual above
`TOLERANCE_MINOR_UNITS` of the billing currency is no rounding: showback_monthly is stale
against focus_costs (a month reloaded but not rebuilt), and the build stops with an error
saying so instead of hiding it on one day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

from finops_pipeline.errors import FinopsError
from finops_pipeline.showback.allocate import classify_charges
from finops_pipeline.showback.currency import minor_digits
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.warehouse import run_sql_file, table_exists

TABLE = "tmp_daily_allocation"
NEEDED = ("focus_costs", "allocation_ledger", "showback_monthly", "exchange_rates")
# per team x month x billing currency, in its minor units (1.00 USD, 100 JPY): the pool
# shares' roundings to the minor unit add up to less
TOLERANCE_MINOR_UNITS = 100


@dataclass(frozen=True)
class DailyAllocation:
    months: list[date]
    rows: int
    max_residual: Decimal  # largest |showback - Σ days| per team x month x currency before the fix


def build_daily_allocation(
    con: duckdb.DuckDBPyConnection, section: ShowbackSection, months: list[date] | None = None
) -> DailyAllocation:
    """Fill `tmp_daily_allocation` (billing_month, day, team, charge_category, spans_days,
    currency, effective_cost [reporting currency, NULL without a rate], billing_currency,
    billing_effective_cost) for `months` (None: every month in showback_monthly).
    spans_days: the charges' period spans more than a day (a monthly fee posted on its first
    day), which the team forecasts put with the one-offs (sql/int/int_forecast_daily.sql)."""
    missing = [t for t in NEEDED if not table_exists(con, t)]
    if missing:
        raise FinopsError(
            f"{', '.join(missing)} not built yet: build showback first (`finops run` or "
            "`finops demo`), unit costs and forecasts are allocated like it"
        )
    built = [
        r[0]
        for r in con.execute(
            "select distinct billing_month from showback_monthly order by 1"
        ).fetchall()
    ]
    months = built if months is None else [m for m in months if m in built]
    con.execute("create or replace temp table tmp_daily_months (billing_month date)")
    con.executemany("insert into tmp_daily_months values (?)", [[m] for m in months])
    _classify_days(con, section)
    run_sql_file(con, "int/int_daily_allocation.sql")
    residuals = con.execute(
        "select billing_month, team, billing_currency, billing_residual from tmp_daily_residuals"
    ).fetchall()
    worst = max(residuals, key=lambda r: abs(r[3]) / _minor_unit(r[2]), default=None)
    residual = abs(worst[3]) if worst else Decimal(0)
    if worst and residual > TOLERANCE_MINOR_UNITS * _minor_unit(worst[2]):
        raise FinopsError(
            f"showback_monthly for {worst[0]:%Y-%m} differs from focus_costs allocated per day "
            f"by {worst[3]:,.2f} {worst[2] or ''} for team {worst[1]!r}: showback is stale; "
            f"rebuild that month (`finops run --month {worst[0]:%Y-%m}`) before unit costs and "
            "forecasts"
        )
    count = con.execute(f"select count(*) from {TABLE}").fetchone()
    return DailyAllocation(months, int(count[0]) if count else 0, residual)


def _minor_unit(currency: str | None) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))


def _classify_days(con: duckdb.DuckDBPyConnection, section: ShowbackSection) -> None:
    """tmp_daily_classified: focus_costs of the months, owner or pool decided per day by the
    allocator's own classification (showback.allocate.classify_charges), so the two cannot
    disagree about which charge belongs to whom."""
    allocation = section.allocation
    classify_charges(
        con,
        section,
        None,
        table="tmp_daily_input",
        extra_expressions={
            "day": "cast(coalesce(ChargePeriodStart, BillingPeriodStart) as date)",
            "charge_category": "ChargeCategory",
            "spans_days": "finops_spans_days(ChargePeriodStart, ChargePeriodEnd)",
        },
        months_table="tmp_daily_months",
    )
    pools = [pool.name for pool in allocation.pools]
    unallocated_pool = "'unallocated'" if allocation.unallocated.redistribute else "null"
    con.execute(
        f"""
        create or replace temp table tmp_daily_classified as
        select
            billing_month, day, billing_currency, charge_category, spans_days,
            case
                when pool_index is not null then (?::varchar[])[pool_index + 1]
                when coalesce(tag_owner, owner_team) is null then {unallocated_pool}
            end as pool_name,
            case
                when pool_index is null
                    and (coalesce(tag_owner, owner_team) is not null or {unallocated_pool} is null)
                    then coalesce(tag_owner, owner_team, 'unallocated')
            end as team,
            sum(coalesce(effective_cost, 0)) as effective_cost
        from tmp_daily_input
        group by all
        """,
        [pools],
    )
