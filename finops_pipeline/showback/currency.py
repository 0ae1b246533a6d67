"""Currencies: ISO 4217 minor units for rounding, and monthly exchange rates for reporting.

Allocation happens in each charge's billing currency (so every currency conserves exactly);
the reporting currency is a roll-up on top. A rate is "units of `to_currency` per one
`from_currency`" for a billing month, read from a CSV that finance owns
(`month,from_currency,to_currency,rate`, month as YYYY-MM, rate as decimal text) and, for
pairs that file lacks, derived from rates imported with `finops rates import`
(showback/rate_resolve.py). A pair with no rate at all leaves the reporting-currency amounts
NULL (never a silent 1.0 or a neighbouring month's rate, which would put a wrong number in
front of finance); `missing_rates` names those pairs for the `reporting_currency_missing`
warning, and everything stays built and conserved in its billing currency.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from finops_pipeline.errors import ConfigError

# ISO 4217 currencies whose minor unit is not the cent; everything else has 2 decimals.
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI"], 0
    ),
    **dict.fromkeys(["VND", "VUV", "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    "CLF": 4,
    "UYW": 4,
}
RATES_TABLE = "tmp_exchange_rates"
RATE_COLUMNS = ("month", "from_currency", "to_currency", "rate")


class ExchangeRateError(ConfigError):
    """The exchange-rate file is unreadable or lacks a rate the build needs."""


def minor_digits(currency: str | None) -> int:
    """Decimals of the currency's minor unit (2 unless ISO 4217 says otherwise)."""
    return MINOR_UNITS.get((currency or "").strip().upper(), 2)


def load_exchange_rates(con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
    """Read the rates CSV into the temp table `tmp_exchange_rates`, checked row by row.

    Without a file the table is empty (fine while every charge is in the reporting currency).
    """
    con.execute(
        f"create or replace temp table {RATES_TABLE} (month date, from_currency varchar, "
        "to_currency varchar, rate decimal(38, 12), source varchar)"
    )
    if path is None:
        return
    if not path.is_file():
        raise ExchangeRateError(f"{path}: exchange-rate file not found (reporting.exchange_rates)")
    try:
        raw = con.execute(
            "select * from read_csv(?, header = true, all_varchar = true)", [str(path)]
        )
        header = [d[0].strip().lower() for d in raw.description or []]
        rows = raw.fetchall()
    except duckdb.Error as exc:
        raise ExchangeRateError(f"{path}: not a readable CSV: {exc}") from exc
    missing = [c for c in RATE_COLUMNS if c not in header]
    if missing:
        raise ExchangeRateError(
            f"{path}: missing column(s) {', '.join(missing)}; expected a header "
            f"{','.join(RATE_COLUMNS)}"
        )
    seen: dict[tuple[date, str, str], tuple[Decimal, int]] = {}
    for line, row in enumerate(rows, start=2):
        record = dict(zip(header, row, strict=True))
        key, rate = parse_rate_record(path, line, record)
        if key in seen and seen[key][0] != rate:
            raise ExchangeRateError(
                f"{path}, line {line}: {key[0]:%Y-%m} {key[1]}->{key[2]} is given twice "
                f"(also line {seen[key][1]}) with different rates; keep one"
            )
        seen[key] = (rate, line)
    con.executemany(
        f"insert into {RATES_TABLE} values (?, ?, ?, cast(? as decimal(38, 12)), ?)",
        [
            [*key, rate, f"reporting.exchange_rates ({path.name})"]
            for key, (rate, _line) in seen.items()
        ],
    )


def parse_rate_record(
    path: Path, line: int, record: dict[str, str | None]
) -> tuple[tuple[date, str, str], Decimal]:
    where = f"{path}, line {line}"
    month_text = (record["month"] or "").strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}", month_text):
            raise ValueError
        first = date(int(month_text[:4]), int(month_text[5:]), 1)
    except ValueError:
        raise ExchangeRateError(f"{where}: month {month_text!r} is not YYYY-MM") from None
    source = (record["from_currency"] or "").strip().upper()
    target = (record["to_currency"] or "").strip().upper()
    if len(source) != 3 or len(target) != 3:
        raise ExchangeRateError(f"{where}: currencies must be ISO 4217 codes such as EUR, USD")
    text = (record["rate"] or "").strip()
    try:
        rate = Decimal(text)
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite() or rate <= 0:
        raise ExchangeRateError(f"{where}: rate {text!r} is not a positive decimal number")
    return (first, source, target), rate


def missing_rates(
    con: duckdb.DuckDBPyConnection,
    needed: Iterable[tuple[date, str | None]],
    reporting_currency: str,
) -> list[tuple[date, str | None]]:
    """The (month, billing currency) pairs without a rate to the reporting currency, sorted."""
    have = {
        (m, f)
        for m, f in con.execute(
            f"select month, from_currency from {RATES_TABLE} where to_currency = ?",
            [reporting_currency],
        ).fetchall()
    }
    return sorted(
        {(m, c) for m, c in needed if c != reporting_currency and (m, c) not in have},
        key=lambda mc: (mc[0], mc[1] or ""),
    )


def describe_missing(missing: Iterable[tuple[date, str | None]], reporting_currency: str) -> str:
    """`2026-06 EUR->USD, 2026-07 EUR->USD`: the pairs as the warning and the CLI name them."""
    return ", ".join(f"{m:%Y-%m} {c or '(no currency)'}->{reporting_currency}" for m, c in missing)


RATES_HINT = (
    "`finops rates import eurofxref-hist.csv` (the ECB's reference rates) or a "
    "month,from_currency,to_currency,rate CSV, then `finops run`"
)
