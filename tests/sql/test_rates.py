"""Imported exchange rates (`finops rates import`): stored idempotently, and the monthly rate
of any pair derived from them (ECB daily means, inverses, crosses through EUR) in showback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.showback import build_showback
from finops_pipeline.showback.currency import ExchangeRateError
from finops_pipeline.showback.rate_store import import_rates
from tests.sql.test_showback import JUNE, MAY, assert_conserved, charge, config, make_focus

D = Decimal
ECB = Path(__file__).parents[1] / "fixtures" / "rates" / "eurofxref-hist.csv"


def monthly_csv(path: Path, *rows: str) -> Path:
    path.write_text("month,from_currency,to_currency,rate\n" + "".join(f"{r}\n" for r in rows))
    return path


def rates(con: duckdb.DuckDBPyConnection) -> dict[tuple[date, str, str], tuple[D, str]]:
    rows = con.execute(
        "select month, from_currency, to_currency, rate, source from exchange_rates"
    ).fetchall()
    return {(m, f, t): (r, s) for m, f, t, r, s in rows}


def test_import_is_idempotent_and_a_changed_rate_replaces_the_stored_one(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = import_rates(warehouse, ECB)
    assert (first.kind, first.rows, first.added, first.changed) == ("ecb", 179, 179, 0)
    assert (first.first_month, first.last_month) == ("2026-05", "2026-06")
    stored = warehouse.execute("select * from exchange_rates_daily order by all").fetchall()
    again = import_rates(warehouse, ECB)
    assert (again.added, again.changed) == (0, 0)
    assert warehouse.execute("select * from exchange_rates_daily order by all").fetchall() == stored

    path = monthly_csv(tmp_path / "rates.csv", "2026-06,GBP,USD,1.3", "2026-06,JPY,USD,0.0065")
    import_rates(warehouse, path)
    path = monthly_csv(tmp_path / "rates.csv", "2026-06,GBP,USD,1.31", "2026-06,JPY,USD,0.0065")
    revised = import_rates(warehouse, path)
    assert (revised.rows, revised.added, revised.changed) == (2, 0, 1)
    assert warehouse.execute(
        "select from_currency, rate from exchange_rates_imported order by 1"
    ).fetchall() == [("GBP", D("1.31")), ("JPY", D("0.0065"))]


def test_a_bad_file_writes_nothing(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import_rates(warehouse, ECB)
    bad = tmp_path / "eurofxref-hist.csv"
    text = ECB.read_text().replace("2026-05-28,1.0600", "2026-05-28,1,06")
    bad.write_text(text)
    with pytest.raises(
        ExchangeRateError,
        match=r"row 7, column 43: value '20.500' under no currency \(42 values for 41",
    ):
        import_rates(warehouse, bad)
    assert warehouse.execute("select count(*) from exchange_rates_daily").fetchone() == (179,)


def test_showback_derives_monthly_means_inverses_and_crosses_through_eur(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    import_rates(warehouse, ECB)
    # a monthly rate wins over the ECB's days; CHF has no ECB row in April: through EUR
    import_rates(
        warehouse,
        monthly_csv(
            tmp_path / "own.csv",
            "2026-06,USD,JPY,160",
            "2026-04,CHF,EUR,1.05",
            "2026-04,EUR,USD,1.08",
        ),
    )
    april = date(2026, 4, 1)
    make_focus(
        warehouse,
        [
            charge("10", "a", month=JUNE),
            charge("20", "a", month=JUNE, currency="EUR"),
            charge("30", "a", month=JUNE, currency="GBP"),
            charge("40", "a", month=JUNE, currency="JPY"),
            charge("50", "a", month=MAY, currency="EUR"),
            charge("60", "a", month=april, currency="CHF"),
            charge("70", "a", month=april, currency="SEK"),  # nothing for SEK in April
        ],
    )
    built = build_showback(warehouse, config())
    assert built.missing_rates == [(april, "SEK")]
    got = rates(warehouse)
    # mean of the four June days (1.12, 1.10, 1.09, 1.11)
    assert got[(JUNE, "EUR", "USD")] == (D("1.105"), "ECB reference rates, mean of 4 days")
    # GBP is N/A on 2026-06-03: the mean of the 3 daily crosses USD/EUR : GBP/EUR
    assert got[(JUNE, "GBP", "USD")][0] == D("1.305957266628")
    assert "cross through EUR" in got[(JUNE, "GBP", "USD")][1]
    assert got[(JUNE, "JPY", "USD")][0] == D("0.006250000000")  # 1 / 160, the given inverse
    assert got[(MAY, "EUR", "USD")][0] == D("1.07")  # 28 and 29 May
    assert got[(april, "CHF", "USD")][0] == D("1.134")  # 1.05 x 1.08
    showback = dict(
        warehouse.execute(
            "select billing_currency || strftime(billing_month, '%m'), billed_cost_reporting "
            "from showback_monthly"
        ).fetchall()
    )
    assert showback["EUR06"] == D("22.1") and showback["SEK04"] is None
    assert_conserved(warehouse)


def test_reporting_in_eur_uses_the_mean_of_inverted_days(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    import_rates(warehouse, ECB)
    make_focus(warehouse, [charge("100", "a", month=JUNE, currency="USD")])
    build_showback(warehouse, config(reporting={"currency": "EUR"}))
    assert rates(warehouse)[(JUNE, "USD", "EUR")][0] == D("0.905070036377")


def test_configured_rates_file_wins_over_imported_rates(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    import_rates(warehouse, ECB)
    given = monthly_csv(tmp_path / "finance.csv", "2026-06,EUR,USD,1.2")
    make_focus(warehouse, [charge("10", "a", month=JUNE, currency="EUR")])
    build_showback(warehouse, config(reporting={"exchange_rates": str(given)}))
    assert rates(warehouse)[(JUNE, "EUR", "USD")] == (
        D("1.2"),
        "reporting.exchange_rates (finance.csv)",
    )


def test_one_month_rebuild_keeps_the_rates_of_the_other_months(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    import_rates(warehouse, ECB)
    make_focus(
        warehouse,
        [charge("1", "a", month=MAY, currency="EUR"), charge("2", "a", month=JUNE, currency="EUR")],
    )
    build_showback(warehouse, config())
    before = rates(warehouse)
    build_showback(warehouse, config(), JUNE)
    assert rates(warehouse) == before and (MAY, "EUR", "USD") in before
