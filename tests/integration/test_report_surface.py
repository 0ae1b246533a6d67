"""What finance sees in the report, checked for content: the summary leads with figures equal
to showback, every chart draws one mark per data point and no NaN, the workbook has one
Excel table with filters per sheet and a ledger to pivot, the CSVs are shell-friendly."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from finops_pipeline.report.build import write_report
from finops_pipeline.report.formatting import display
from finops_pipeline.report.gather import gather_report
from finops_pipeline.report.model import Report
from finops_pipeline.settings import Settings
from finops_pipeline.warehouse import connect
from tests.fixtures.demo_warehouse import CLOSED_MONTH, build_demo_warehouse, copy_warehouse

MONTH = date.fromisoformat(CLOSED_MONTH + "-01")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings]:
    return build_demo_warehouse(tmp_path_factory.mktemp("report_surface"))


@pytest.fixture
def con(demo: tuple[Path, Settings], tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(copy_warehouse(demo[0], tmp_path))
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture
def report(con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings]) -> Report:
    return gather_report(con, demo[1], MONTH)


def _figures(report: Report) -> dict[str, list]:
    table = report.section("summary").table("summary")
    return {row[0].strip(): row for row in table.rows}


def test_summary_comes_first_and_equals_showback(
    con: duckdb.DuckDBPyConnection, report: Report
) -> None:
    assert report.sections[0].key == "summary"
    total, previous = con.execute(
        "select sum(effective_cost_reporting) filter (where billing_month = ?), "
        "sum(effective_cost_reporting) filter (where billing_month = ?) from showback_monthly",
        [MONTH, date(MONTH.year, MONTH.month - 1, 1)],
    ).fetchone()
    figures = _figures(report)
    assert figures["Total effective cost"][1] == total
    change = figures["Change vs previous month"]
    assert change[1] == total - previous
    assert change[3] == pytest.approx(float((total - previous) / previous))
    assert figures["Change vs same month last year"][4].startswith("no data for 2025-03")
    per_currency = dict(
        con.execute(
            "select billing_currency, sum(effective_cost) from showback_monthly "
            "where billing_month = ? group by 1",
            [MONTH],
        ).fetchall()
    )
    for currency, amount in per_currency.items():
        assert figures[f"in {currency} (billing currency)"][1] == amount
    unallocated = report.section("unallocated").table("unallocated_total").rows[0]
    assert figures["Unallocated"][1] == unallocated[0]
    assert figures["Unallocated"][3] == pytest.approx(unallocated[2])
    budget, variance = figures["Budget"][1], figures["Variance vs budget"][1]
    assert budget > 0 and variance is not None
    assert figures["Variance vs budget"][4].split(":")[0] in ("under budget", "over budget")
    assert 0 <= figures["Tag compliance"][3] <= 1
    assert re.match(r"\d+ still open of \d+ active", figures["Anomalies open"][4])
    assert any(name.startswith("Savings identified") for name in figures)
    trend = report.section("summary").table("trend_by_team")
    column = [c.name for c in trend.columns].index(CLOSED_MONTH)
    assert trend.total[column] == total


def test_every_chart_draws_its_data(report: Report) -> None:
    found = [chart for section in report.sections for chart in section.charts]
    assert len(found) >= 4
    for chart in found:
        assert "NaN" not in chart.svg, chart.title
        assert "NaN" not in json.dumps(chart.spec), chart.title
        drawn = chart.svg.count(f'aria-roledescription="{chart.mark}"')
        assert chart.marks > 0 and drawn == chart.marks, (chart.title, drawn, chart.marks)
    compliance = next(c for c in found if c.title == "Compliant share of cost by team")
    months = {v["billing_month"] for v in compliance.spec["data"]["values"]}
    assert all(isinstance(m, str) and re.fullmatch(r"\d{4}-\d{2}-01", m) for m in months)
    assert compliance.spec["encoding"]["x"]["timeUnit"] == "yearmonth"
    assert "Mar 2026" in compliance.svg  # axis labels are year-months, not 0NaN-NaN


def test_closed_month_budget_status_is_final(report: Report) -> None:
    table = report.section("showback").table("showback_by_team")
    statuses = set(table.column("status")) - {None}
    assert statuses and statuses <= {"under budget", "over budget"}


def test_tag_compliance_shows_points_and_explains_the_team_totals(report: Report) -> None:
    table = report.section("tags").table("tag_compliance")
    assert next(c for c in table.columns if c.name == "change (points)").kind == "points"
    assert "Showback" in table.note and "owner rule" in table.note
    assert display(1.2345, "points") == "+1.2 pts"


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (Decimal("-0.001"), "money", "0.00"),
        (Decimal("-0.004999"), "money", "0.00"),
        (Decimal("-0.005"), "money", "-0.01"),
        (Decimal("1234567.891"), "money", "1,234,567.89"),
        (-0.0001, "pct", "0.0%"),
        (-0.01, "points", "0.0 pts"),
    ],
)
def test_no_negative_zero(value: object, kind: str, shown: str) -> None:
    assert display(value, kind) == shown


def test_html_has_no_warehouse_path_and_no_negative_zero(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    secret = str(tmp_path / "private" / "warehouse.duckdb")
    result = write_report(con, demo[1], MONTH, tmp_path / "out", ["html"], warehouse=secret)
    html = result.paths["html"][0].read_text(encoding="utf-8")
    assert secret not in html and "warehouse.duckdb" not in html
    assert "-0.00" not in html and "\u22120.00" not in html
    assert "overflow-wrap: anywhere" not in html  # words wrap whole (no `Microsof t`)
    assert html.index('id="summary"') < html.index('id="headline"')


def test_xlsx_one_filtered_table_per_sheet_and_a_ledger(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    result = write_report(con, demo[1], MONTH, tmp_path / "out", ["xlsx"])
    book = openpyxl.load_workbook(result.paths["xlsx"][0])
    with_tables = 0
    for sheet in book.worksheets:
        assert len(sheet.tables) <= 1, sheet.title
        for table in sheet.tables.values():
            assert table.autoFilter is not None, sheet.title
            with_tables += 1
        for row in sheet.iter_rows():
            for cell in row:
                assert "[Red]" not in (cell.number_format or ""), (sheet.title, cell.coordinate)
    assert with_tables >= 15
    tags = book["Tag compliance"]
    header = next(r for r in tags.iter_rows() if r[0].value == "team")
    points = next(c for c in header if c.value == "change (points)")
    below = tags.cell(row=points.row + 1, column=points.column)
    assert "pts" in below.number_format
    ledger = book["Ledger"]
    [table] = ledger.tables.values()
    rows = [list(r) for r in ledger.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "billing_month")
    names = rows[start]
    body = [r for r in rows[start + 1 :] if r[0] is not None]
    sums: dict[str, Decimal] = {}
    for r in body:
        currency = r[names.index("billing_currency")]
        amount = Decimal(str(r[names.index("effective_cost")]))
        sums[currency] = sums.get(currency, Decimal(0)) + amount
    expected = dict(
        con.execute(
            "select billing_currency, sum(effective_cost) from showback_monthly "
            "where billing_month = ? group by 1",
            [MONTH],
        ).fetchall()
    )
    lines = con.execute(
        "select count(*) from allocation_ledger where billing_month = ?", [MONTH]
    ).fetchone()[0]
    assert len(body) == lines and table.ref.endswith(str(start + 1 + lines))
    # cells are rounded to the cent: the sums agree within half a cent per line
    for currency, amount in expected.items():
        assert abs(sums[currency] - amount) <= Decimal("0.005") * len(body)


def test_csv_lines_end_with_lf_and_decimals_are_plain(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    result = write_report(con, demo[1], MONTH, tmp_path / "out", ["csv"])
    for path in result.paths["csv"]:
        data = path.read_bytes()
        assert b"\r" not in data, path.name
        assert not re.search(rb"\dE[-+]?\d", data), path.name
