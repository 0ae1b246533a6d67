"""`finops rates import` file parsing: the ECB's eurofxref CSV and our monthly CSV, and the
one-line errors that name the file, row and column."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finops_pipeline.showback.currency import ExchangeRateError
from finops_pipeline.showback.rate_files import read_rate_file

FIXTURE = Path(__file__).parents[1] / "fixtures" / "rates" / "eurofxref-hist.csv"
HEADER = "Date,USD,JPY,GBP,CYP,"


def test_ecb_fixture_is_read_per_day_and_currency_skipping_na_and_the_trailing_column() -> None:
    parsed = read_rate_file(FIXTURE)
    assert parsed.kind == "ecb" and parsed.monthly == []
    by_key = {(r.day, r.currency): r.units_per_eur for r in parsed.daily}
    assert by_key[(date(2026, 6, 5), "USD")] == Decimal("1.1200")
    assert by_key[(date(2026, 6, 5), "JPY")] == Decimal("172.00")
    assert (date(2026, 6, 3), "GBP") not in by_key  # N/A that day
    currencies = {r.currency for r in parsed.daily}
    assert "CYP" not in currencies and "RUB" not in currencies  # N/A throughout
    assert len(currencies) == 30 and len(parsed.daily) == 6 * 30 - 1


def test_ecb_zip_as_published(tmp_path: Path) -> None:
    archive = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURE, "eurofxref-hist.csv")
    assert read_rate_file(archive).daily == read_rate_file(FIXTURE).daily


def test_monthly_csv_is_read_like_the_configured_rates_file(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("month,from_currency,to_currency,rate\n2026-06,eur,USD,1.1\n\n")
    [rate] = read_rate_file(path).monthly
    assert (rate.month, rate.from_currency, rate.to_currency, rate.rate) == (
        date(2026, 6, 1),
        "EUR",
        "USD",
        Decimal("1.1"),
    )


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            f"{HEADER}\n2026-06-05,1.12,1x2,0.86,N/A,\n",
            "row 2, column 'JPY': '1x2' is not a positive",
        ),
        (
            f"{HEADER}\n2026-06-05,1.12,-1,0.86,N/A,\n",
            "row 2, column 'JPY': '-1' is not a positive",
        ),
        (f"{HEADER}\n05.06.2026,1.12,172,0.86,N/A,\n", "row 2, column 'Date': '05.06.2026' is not"),
        (
            f"{HEADER}\n2026-06-05,1.12,172,0.86,N/A,\n2026-06-05,1.13,172,0.86,N/A,\n",
            "row 3, column 'USD': 2026-06-05 is given twice (also row 2)",
        ),
        ("Date,USD,Dollar,\n2026-06-05,1.12,1,\n", "row 1, column 3 ('Dollar'): expected an ISO"),
        ("Date,USD,EUR,\n2026-06-05,1.12,1,\n", "column 'EUR': the ECB's rates are per EUR"),
        ("day,usd\n2026-06-05,1.12\n", "row 1: header day,usd is neither the ECB's"),
        ("", "the file is empty"),
        (
            "month,from_currency,to_currency,rate\n2026-06,EUR,USD,1.1\n2026-06,EUR,USD,1.2\n",
            "line 3: 2026-06 EUR->USD is given twice (also line 2)",
        ),
        ("month,from_currency,to_currency,rate\n2026-06,EUR,EUR,1\n", "line 2: EUR->EUR converts"),
        ("month,from_currency,to_currency,rate\n2026-6,EUR,USD,1\n", "line 2: month '2026-6'"),
    ],
)
def test_bad_files_give_one_line_naming_file_row_and_column(
    tmp_path: Path, text: str, needle: str
) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(text)
    with pytest.raises(ExchangeRateError) as caught:
        read_rate_file(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and needle in message and "\n" not in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExchangeRateError, match=r"nope\.csv: file not found"):
        read_rate_file(tmp_path / "nope.csv")
