"""Read exchange-rate files for `finops rates import`: the ECB's reference rates, or our CSV.

Two shapes, told apart by the header:
- the European Central Bank's euro foreign exchange reference rates (`eurofxref-hist.csv`,
  also `eurofxref.csv` and the `.zip` they are published in): `Date,USD,JPY,BGN,...`, one row
  per working day, each value the units of that currency per 1 EUR, `N/A` where the ECB
  published none (a currency not yet or no longer quoted), often a trailing empty column;
- our own monthly CSV `month,from_currency,to_currency,rate` (the `reporting.exchange_rates`
  format, parsed by the same code).

Values stay `Decimal` from the text: rates multiply money, so no binary float on the way.
Every problem names the file, the row (as a spreadsheet shows it: the header is row 1), the
column, what was expected and what to do.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from finops_pipeline.showback.currency import RATE_COLUMNS, ExchangeRateError, parse_rate_record

_CODE = re.compile(r"[A-Z]{3}")
_MISSING = {"", "N/A", "NA", "-"}


class DailyRate(NamedTuple):
    """One ECB reference rate: `units_per_eur` units of `currency` for 1 EUR on `day`.
    (A tuple, not a dataclass: the full ECB history is ~200k of them.)"""

    day: date
    currency: str
    units_per_eur: Decimal


class MonthlyRate(NamedTuple):
    """One given monthly rate: `rate` units of `to_currency` per 1 `from_currency`."""

    month: date
    from_currency: str
    to_currency: str
    rate: Decimal


@dataclass(frozen=True)
class RateFile:
    path: Path
    kind: str  # 'ecb' or 'monthly'
    daily: list[DailyRate]
    monthly: list[MonthlyRate]


def read_rate_file(path: Path) -> RateFile:
    """Parse `path` (ECB CSV or ZIP, or our monthly CSV) into rates, or raise one clear error."""
    if not path.is_file():
        raise ExchangeRateError(f"{path}: file not found; give the path of a rates CSV")
    text = _text(path)
    rows = list(csv.reader(io.StringIO(text)))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ExchangeRateError(f"{path}: the file is empty; expected a header row and rates")
    header = [cell.strip().lstrip("\ufeff") for cell in rows[0]]
    lowered = [h.lower() for h in header]
    if lowered and lowered[0] == "date":
        return RateFile(path, "ecb", _ecb(path, header, rows[1:]), [])
    if all(column in lowered for column in RATE_COLUMNS):
        return RateFile(path, "monthly", [], _monthly(path, lowered, rows[1:]))
    raise ExchangeRateError(
        f"{path}, row 1: header {','.join(header[:6])}{',...' if len(header) > 6 else ''} is "
        "neither the ECB's reference-rate format (Date,USD,JPY,...) nor "
        f"{','.join(RATE_COLUMNS)}; export one of those two"
    )


def _text(path: Path) -> str:
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
                if len(names) != 1:
                    raise ExchangeRateError(
                        f"{path}: expected exactly one CSV inside the ZIP, found {len(names)}"
                    )
                return archive.read(names[0]).decode("utf-8-sig")
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise ExchangeRateError(f"{path}: not a readable UTF-8 CSV ({exc})") from exc


def _ecb(path: Path, header: list[str], rows: list[list[str]]) -> list[DailyRate]:
    columns: list[tuple[int, str]] = []
    for index, name in enumerate(header[1:], start=1):
        code = name.upper()
        if not code:
            continue  # the ECB's trailing comma makes an empty last column
        if not _CODE.fullmatch(code):
            raise ExchangeRateError(
                f"{path}, row 1, column {index + 1} ({name!r}): expected an ISO 4217 currency "
                "code such as USD; is this the ECB's eurofxref CSV?"
            )
        if code == "EUR":
            raise ExchangeRateError(
                f"{path}, row 1, column 'EUR': the ECB's rates are per EUR, so EUR cannot be "
                "a column; remove it"
            )
        columns.append((index, code))
    if not columns:
        raise ExchangeRateError(f"{path}, row 1: no currency columns after Date")
    seen: dict[tuple[date, str], tuple[Decimal, int]] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        day = _day(path, number, row[0].strip())
        _no_stray_values(path, number, row, {index for index, _code in columns})
        for index, code in columns:
            cell = row[index].strip() if index < len(row) else ""
            if cell.upper() in _MISSING:
                continue
            rate = _positive(cell)
            if rate is None:
                raise ExchangeRateError(
                    f"{path}, row {number}, column '{code}': {cell!r} is not a positive decimal "
                    "rate (units per EUR, `.` as decimal point, N/A when missing); fix the cell"
                )
            key = (day, code)
            if key in seen and seen[key][0] != rate:
                raise ExchangeRateError(
                    f"{path}, row {number}, column '{code}': {day} is given twice (also row "
                    f"{seen[key][1]}) with different rates; keep one"
                )
            seen[key] = (rate, number)
    return [DailyRate(day, code, rate) for (day, code), (rate, _n) in seen.items()]


def _no_stray_values(path: Path, number: int, row: list[str], used: set[int]) -> None:
    """A value under no currency means the row is shifted, typically by a decimal comma
    (`1,0921`): reading on would put every later rate under the wrong currency."""
    for index, cell in enumerate(row[1:], start=1):
        if index not in used and cell.strip():
            raise ExchangeRateError(
                f"{path}, row {number}, column {index + 1}: value {cell.strip()!r} under no "
                f"currency ({len([c for c in row[1:] if c.strip()])} values for {len(used)} "
                "currencies); use `.` as the decimal point and one value per currency"
            )


def _day(path: Path, number: int, text: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ExchangeRateError(
            f"{path}, row {number}, column 'Date': {text!r} is not a date YYYY-MM-DD"
        ) from None


def _positive(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def _monthly(path: Path, header: list[str], rows: list[list[str]]) -> list[MonthlyRate]:
    seen: dict[tuple[date, str, str], tuple[Decimal, int]] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        record = dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
        key, rate = parse_rate_record(path, number, record)
        if key[1] == key[2]:
            raise ExchangeRateError(
                f"{path}, line {number}: {key[1]}->{key[2]} converts a currency to itself; "
                "remove the row"
            )
        if key in seen and seen[key][0] != rate:
            raise ExchangeRateError(
                f"{path}, line {number}: {key[0]:%Y-%m} {key[1]}->{key[2]} is given twice "
                f"(also line {seen[key][1]}) with different rates; keep one"
            )
        seen[key] = (rate, number)
    return [MonthlyRate(*key, rate) for key, (rate, _n) in sorted(seen.items())]
