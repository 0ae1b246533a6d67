"""`finops rates import` / `finops rates show` as a user runs them: a bad file is one line
naming file, row and column and changes nothing; `show` lists what is stored and what is
still missing for the loaded billing data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.warehouse import connect

runner = CliRunner()
ECB = Path(__file__).parents[1] / "fixtures" / "rates" / "eurofxref-hist.csv"


def test_bad_file_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    warehouse = str(tmp_path / "w.duckdb")
    config = tmp_path / "finops.yaml"
    config.write_text("reporting: {currency: USD}\n", encoding="utf-8")
    ok = runner.invoke(app, ["rates", "import", str(ECB), "-w", warehouse, "--config", str(config)])
    assert ok.exit_code == 0, ok.output
    assert "nothing loaded yet" in ok.output
    bad = tmp_path / "eurofxref-hist.csv"
    bad.write_text(ECB.read_text().replace("2026-06-04,1.1000", "2026-06-04,1.1O00"))
    result = runner.invoke(
        app, ["rates", "import", str(bad), "-w", warehouse, "--config", str(config)]
    )
    assert result.exit_code == 2
    squeezed = "".join(result.output.split())  # the console may wrap the long path
    needle = f"{bad}, row 3, column 'USD': '1.1O00' is not a positive decimal rate"
    assert "".join(needle.split()) in squeezed
    assert "Traceback" not in result.output
    con = connect(warehouse)
    assert con.execute(
        "select units_per_eur from exchange_rates_daily "
        "where rate_date = '2026-06-04' and currency = 'USD'"
    ).fetchall() == [(Decimal("1.1"),)]
    con.close()


def test_show_lists_coverage_and_the_pairs_still_missing(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    config = tmp_path / "finops.yaml"
    config.write_text("reporting: {currency: USD}\n", encoding="utf-8")
    con = connect(warehouse)
    con.execute(
        "create table focus_costs as select * from (values "
        "(timestamp '2026-06-01', 'EUR'), (timestamp '2026-07-01', 'EUR'), "
        "(timestamp '2026-07-01', 'CHF')) as t(BillingPeriodStart, BillingCurrency)"
    )
    con.close()
    common = ["-w", str(warehouse), "--config", str(config)]
    imported = runner.invoke(app, ["rates", "import", str(ECB), *common])
    assert imported.exit_code == 0, imported.output
    text = " ".join(imported.output.split())
    assert "still no exchange rate for 2026-07 CHF->USD, 2026-07 EUR->USD" in text
    shown = runner.invoke(app, ["rates", "show", *common])
    assert shown.exit_code == 0, shown.output
    lines = " ".join(shown.output.split())
    assert "ECB EUR->USD 2026-05..2026-06 (6 rates)" in lines
    assert "no exchange rate for 2026-07 CHF->USD, 2026-07 EUR->USD" in lines
