"""Derive the monthly rates a build needs from the imported ones (`finops rates import`).

For each (billing month, billing currency) the build needs in the reporting currency and that
reporting.exchange_rates does not give, in this order (the first that exists wins):
1. a monthly rate for the pair, as given (reporting.exchange_rates, then imported CSVs);
2. its inverse (1 / the rate of reporting -> billing currency);
3. the ECB's reference rates: the mean over the month's days on which both currencies are
   quoted of (reporting per EUR) / (billing per EUR), EUR counting as 1 — the monthly average
   of the daily cross rate through EUR;
4. the monthly rates through EUR: (billing -> EUR) x (EUR -> reporting), each leg as in 1-2.
A month without any of these stays missing: never a neighbouring month's rate. Arithmetic is
Decimal (28 significant digits), rounded half-even to the 12 decimals the rate column keeps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import duckdb

from finops_pipeline.showback.currency import RATES_TABLE
from finops_pipeline.showback.rate_store import DAILY_TABLE, MONTHLY_TABLE
from finops_pipeline.showback.rules import ReportingSettings
from finops_pipeline.warehouse import table_exists

EUR = "EUR"
SCALE = Decimal("0.000000000001")
Monthly = dict[tuple[date, str, str], tuple[Decimal, str]]


def resolve_rates(
    con: duckdb.DuckDBPyConnection,
    needed: Iterable[tuple[date, str | None]],
    reporting_currency: str,
) -> int:
    """Add to tmp_exchange_rates a derived rate for each needed pair it lacks; return how many."""
    target = reporting_currency
    given: Monthly = {
        (m, f, t): (r, s)
        for m, f, t, r, s in con.execute(
            f"select month, from_currency, to_currency, rate, source from {RATES_TABLE}"
        ).fetchall()
    }
    wanted = sorted(
        {(m, c) for m, c in needed if c and c != target and (m, c, target) not in given}
    )
    if not wanted:
        return 0
    monthly = dict(given)
    for key, value in _imported_monthly(con).items():
        monthly.setdefault(key, value)
    daily = _daily(con, {m for m, _c in wanted}, {c for _m, c in wanted} | {target})
    derived = []
    for month, currency in wanted:
        found = (
            _direct(monthly, month, currency, target)
            or _ecb(daily, month, currency, target)
            or _through_eur(monthly, month, currency, target)
        )
        if found:
            derived.append(
                [month, currency, target, found[0].quantize(SCALE, ROUND_HALF_EVEN), found[1]]
            )
    if derived:
        con.executemany(
            f"insert into {RATES_TABLE} values (?, ?, ?, cast(? as decimal(38, 12)), ?)", derived
        )
    return len(derived)


def pairs_without_rate(
    con: duckdb.DuckDBPyConnection, reporting: ReportingSettings
) -> list[tuple[date, str | None]] | None:
    """The (billing month, billing currency) pairs of focus_costs that no configured or
    imported rate converts to the reporting currency (None: no billing data loaded yet).
    For `finops rates import/show` and `finops init`; showback computes the same."""
    from finops_pipeline.showback.currency import load_exchange_rates, missing_rates

    if not table_exists(con, "focus_costs"):
        return None
    needed = con.execute(
        "select distinct cast(date_trunc('month', BillingPeriodStart) as date), BillingCurrency "
        "from focus_costs"
    ).fetchall()
    load_exchange_rates(con, reporting.exchange_rates)
    resolve_rates(con, needed, reporting.currency)
    return missing_rates(con, needed, reporting.currency)


def _imported_monthly(con: duckdb.DuckDBPyConnection) -> Monthly:
    if not table_exists(con, MONTHLY_TABLE):
        return {}
    rows = con.execute(
        f"select month, from_currency, to_currency, rate, source_file from {MONTHLY_TABLE}"
    ).fetchall()
    return {(m, f, t): (r, f"imported ({_name(s)})") for m, f, t, r, s in rows}


def _daily(
    con: duckdb.DuckDBPyConnection, months: set[date], currencies: set[str]
) -> dict[date, dict[date, dict[str, Decimal]]]:
    """month -> day -> currency -> units per EUR, for the months and currencies asked."""
    out: dict[date, dict[date, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    if not table_exists(con, DAILY_TABLE) or not months:
        return out
    rows = con.execute(
        f"select cast(date_trunc('month', rate_date) as date), rate_date, currency, "
        f"units_per_eur from {DAILY_TABLE} "
        "where cast(date_trunc('month', rate_date) as date) in (select unnest(?::date[])) "
        "and currency in (select unnest(?::varchar[]))",
        [sorted(months), sorted(currencies - {EUR})],
    ).fetchall()
    for month, day, currency, rate in rows:
        out[month][day][currency] = rate
    return out


def _direct(monthly: Monthly, month: date, source: str, target: str) -> tuple[Decimal, str] | None:
    if (month, source, target) in monthly:
        return monthly[(month, source, target)]
    if (month, target, source) in monthly:
        rate, origin = monthly[(month, target, source)]
        return Decimal(1) / rate, f"1 / {target}->{source}, {origin}"
    return None


def _ecb(
    daily: dict[date, dict[date, dict[str, Decimal]]], month: date, source: str, target: str
) -> tuple[Decimal, str] | None:
    crosses = []
    for quotes in daily.get(month, {}).values():
        per_eur = {**quotes, EUR: Decimal(1)}
        if source in per_eur and target in per_eur:
            crosses.append(per_eur[target] / per_eur[source])
    if not crosses:
        return None
    via = "" if EUR in (source, target) else ", cross through EUR"
    return (
        sum(crosses, Decimal(0)) / len(crosses),
        f"ECB reference rates, mean of {len(crosses)} days{via}",
    )


def _through_eur(
    monthly: Monthly, month: date, source: str, target: str
) -> tuple[Decimal, str] | None:
    if EUR in (source, target):
        return None
    first = _direct(monthly, month, source, EUR)
    second = _direct(monthly, month, EUR, target)
    if not first or not second:
        return None
    return first[0] * second[0], f"{source}->EUR x EUR->{target} ({first[1]}; {second[1]})"


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
