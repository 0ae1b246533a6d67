"""The monthly report on a real demo warehouse: totals equal showback to the cent in every
format, sections degrade to "not available" for tables other stages build, restatements
after a report show up in the next one, and the Dagster asset writes it."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from finops_pipeline.errors import FinopsError
from finops_pipeline.report.build import parse_formats, write_report
from finops_pipeline.report.gather import gather_report
from finops_pipeline.report.model import cents
from finops_pipeline.settings import Settings
from finops_pipeline.showback.allocate import build_showback
from finops_pipeline.warehouse import connect
from tests.fixtures.demo_warehouse import CLOSED_MONTH, build_demo_warehouse, copy_warehouse

MONTH = date.fromisoformat(CLOSED_MONTH + "-01")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings]:
    return build_demo_warehouse(tmp_path_factory.mktemp("report_demo"))


@pytest.fixture
def con(demo: tuple[Path, Settings], tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(copy_warehouse(demo[0], tmp_path))
    try:
        yield connection
    finally:
        connection.close()


def _showback(con: duckdb.DuckDBPyConnection, month: date = MONTH) -> dict[str, Decimal]:
    return dict(
        con.execute(
            "select team, sum(effective_cost_reporting) from showback_monthly "
            "where billing_month = ? group by team",
            [month],
        ).fetchall()
    )


def _sheet_table(sheet, first_header: str) -> tuple[list[str], list[list], list | None]:
    """Header, body rows and the 'Total' row of the table whose header starts the row."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    header, body, total = rows[start], [], None
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        if row[0] == "Total":
            total = row
            break
        body.append(row)
    return header, body, total


def test_xlsx_totals_equal_showback_monthly_to_the_cent(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    result = write_report(con, demo[1], MONTH, tmp_path / "out", ["xlsx"])
    book = openpyxl.load_workbook(result.paths["xlsx"][0], data_only=True)
    assert book.sheetnames[0] == "Summary"
    for name in ("Headline", "Showback by team", "Shared costs explained", "Unallocated"):
        assert name in book.sheetnames
    assert book.sheetnames[-1] == "Ledger"
    sheet = book["Showback by team"]
    assert sheet.freeze_panes is not None
    header, body, total = _sheet_table(sheet, "team")
    expected = _showback(con)
    column = header.index("total")
    shown = {row[0]: Decimal(str(row[column])) for row in body}
    assert shown == {team: cents(amount) for team, amount in expected.items()}
    assert total is not None
    assert Decimal(str(total[column])) == cents(sum(expected.values()))
    assert sheet.cell(row=1 + 1, column=1).value  # the intro line is there
    number_format = next(
        c.number_format for c in sheet[header_row(sheet, "team") + 1] if c.column == column + 1
    )
    assert number_format.startswith("#,##0.00")
    headline_header, _, headline_total = _sheet_table(book["Headline"], "provider")
    effective = headline_header.index("effective (USD)")
    assert Decimal(str(headline_total[effective])) == cents(sum(expected.values()))


def header_row(sheet, first_header: str) -> int:
    for row in sheet.iter_rows():
        if row[0].value == first_header:
            return row[0].row
    raise AssertionError(f"no table starting with {first_header!r}")


def test_html_and_csv_carry_the_same_totals(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    result = write_report(con, demo[1], MONTH, tmp_path / "out", "html,csv")
    html = result.paths["html"][0].read_text(encoding="utf-8")
    total = cents(sum(_showback(con).values()))
    assert f"{total:,.2f}" in html
    showback_csv = next(p for p in result.paths["csv"] if p.name.startswith("showback_monthly"))
    with showback_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(Decimal(r["effective_cost_reporting"]) for r in rows) == sum(_showback(con).values())
    ledger_csv = next(p for p in result.paths["csv"] if p.name.startswith("allocation_ledger"))
    assert ledger_csv.read_text(encoding="utf-8").startswith("billing_month,source_kind,")


def test_headline_reconciles_and_matches_showback(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings]
) -> None:
    report = gather_report(con, demo[1], MONTH)
    headline = report.section("headline").table("headline")
    assert set(headline.column("reconciled to invoice basis")) == {"✓"}
    assert cents(headline.total[6]) == cents(sum(_showback(con).values()))
    per_currency = dict(
        con.execute(
            "select BillingCurrency, sum(BilledCost) from focus_costs where BillingPeriodStart = ? "
            "group by 1",
            [MONTH],
        ).fetchall()
    )
    shown: dict[str, Decimal] = {}
    for row in headline.rows:
        shown[row[1]] = shown.get(row[1], Decimal(0)) + row[2]
    assert shown == per_currency


def test_unallocated_resources_add_up_to_the_unallocated_total(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings]
) -> None:
    report = gather_report(con, demo[1], MONTH, top=100_000)
    section = report.section("unallocated")
    resources = section.table("unallocated_resources")
    unallocated = _showback(con).get("unallocated", Decimal(0))
    assert unallocated > 0
    assert sum(resources.column("cost (USD)")) == pytest.approx(unallocated, abs=Decimal("1e-9"))
    assert all(fix for fix in resources.column("fix that would allocate it"))
    assert any(f.startswith("set tag team") for f in resources.column("fix that would allocate it"))
    [[amount, total, share, billed]] = section.table("unallocated_total").rows
    assert billed == sum(
        r[0]
        for r in con.execute(
            "select billed_cost_reporting from showback_monthly where billing_month = ? "
            "and kind = 'unallocated'",
            [MONTH],
        ).fetchall()
    )
    assert "commitment purchase" in section.table("unallocated_total").note
    assert amount == unallocated and total == sum(_showback(con).values())
    assert share == pytest.approx(float(unallocated / total))


def test_optional_tables_absent_say_not_available(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    for table in (
        "waste_findings",
        "cost_anomalies",
        "tag_compliance",
        "budget_variance",
        "cost_forecast",
    ):
        con.execute(f"drop table {table}")
    result = write_report(con, demo[1], MONTH, tmp_path / "out", "html,xlsx", today=MONTH)
    notes = [n for s in result.report.sections for n in s.notes]
    for expected in (
        "Budget: not available: the budget_variance table is not built",
        "Forecast: not available: the cost_forecast table is not built",
        "tag compliance: not available: tag_compliance is not built",
        "anomalies: not available: cost_anomalies is not built",
        "waste: not available: waste_findings is not built",
    ):
        assert any(n.startswith(expected) for n in notes), (expected, notes)
    html = result.paths["html"][0].read_text(encoding="utf-8")
    assert "not available: the budget_variance table is not built" in html


def test_budget_and_forecast_are_shown_when_their_tables_exist(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings]
) -> None:
    # Controlled contents, not the real stages: budget_variance and cost_forecast replaced by
    # known rows so the report's choice of the latest forecast and its currency conversion
    # are checked against hand-computed values.
    con.execute("drop table budget_variance")
    con.execute("drop table cost_forecast")
    con.execute(
        "create table budget_variance (billing_month date, team varchar, currency varchar, "
        "budget decimal(38, 12), actual_to_date decimal(38, 12), "
        "forecast_month_end decimal(38, 12), forecast_lower_80 decimal(38, 12), "
        "forecast_upper_80 decimal(38, 12), forecast_lower_95 decimal(38, 12), "
        "forecast_upper_95 decimal(38, 12), variance decimal(38, 12), variance_pct double, "
        "status varchar)"
    )
    con.execute(
        "create table cost_forecast (billing_month date, scope varchar, key varchar, "
        "currency varchar, as_of_date date, actual_to_date decimal(38, 12), "
        "one_off_to_date decimal(38, 12), forecast_month_end decimal(38, 12), "
        "lower_80 decimal(38, 12), upper_80 decimal(38, 12), lower_95 decimal(38, 12), "
        "upper_95 decimal(38, 12), model varchar)"
    )
    con.execute(
        "insert into budget_variance values "
        "(?, 'payments', 'USD', 10000, 9000, 11000, 10500, 11500, 10000, 12000, 1000, 0.1, "
        "'at risk'), (?, 'search', 'EUR', 1000, 800, 900, 850, 950, 800, 1000, -100, -0.1, "
        "'on track')",
        [MONTH, MONTH],
    )
    con.execute(
        "insert into cost_forecast values "
        "(?, 'team', 'payments', 'USD', ?, 9000, 0, 11000, 10500, 11500, 10000, 12000, 'ets'), "
        "(?, 'team', 'payments', 'USD', ?, 8000, 0, 99999, 1, 2, 1, 2, 'ets')",
        [MONTH, date(2026, 3, 20), MONTH, date(2026, 3, 10)],
    )
    report = gather_report(con, demo[1], MONTH, today=date(2026, 3, 21))
    assert report.is_open_month
    table = report.section("showback").table("showback_by_team")
    row = dict(zip(table.column("team"), table.rows, strict=True))
    names = [c.name for c in table.columns]
    assert row["payments"][names.index("budget")] == Decimal(10000)
    assert row["payments"][names.index("status")] == "at risk"
    rate = con.execute(
        "select rate from exchange_rates where month = ? and from_currency = 'EUR'", [MONTH]
    ).fetchone()[0]
    assert row["search"][names.index("variance")] == Decimal(-100) * rate
    # only the latest forecast (as of 2026-03-20) counts
    assert row["payments"][names.index("forecast month end")] == Decimal(11000)
    assert table.total[names.index("budget")] == Decimal(10000) + Decimal(1000) * rate


def test_restatement_after_a_report_shows_in_the_next(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    settings = demo[1]
    first = write_report(con, settings, MONTH, tmp_path / "a", ["html"])
    notes = first.report.section("completeness").notes
    assert any("no earlier report is recorded" in n for n in notes)
    logged = dict(
        con.execute(
            "select team, effective_cost_reporting from report_log where report_id = ?",
            [first.report_id],
        ).fetchall()
    )
    assert logged == _showback(con)
    # A late correction to one of payments' USD charges after the month was reported.
    con.execute(
        "update focus_costs set EffectiveCost = EffectiveCost + 10 where rowid = (select min(rowid) "
        "from focus_costs where BillingPeriodStart = ? and x_Team = 'payments' and "
        "BillingCurrency = 'USD' and ChargeCategory = 'Usage')",
        [MONTH],
    )
    build_showback(con, settings, MONTH)
    second = write_report(con, settings, MONTH, tmp_path / "b", ["html"])
    table = second.report.section("completeness").table("restatements")
    changes = {(r[0], r[1]): r[5] for r in table.rows}
    # payments' direct cost grew by 10, which also moves the proportional pool's shares: the
    # teams' changes add up to exactly the restated 10, and payments' is the largest.
    assert sum(changes.values()) == Decimal(10)
    assert max(changes, key=lambda k: changes[k]) == (MONTH, "payments")
    assert {month for month, _team in changes} == {MONTH}
    html = second.paths["html"][0].read_text(encoding="utf-8")
    assert "Restatements since the last report" in html
    assert f"{cents(changes[(MONTH, 'payments')]):,.2f}" in html


def test_bad_requests_fail_with_what_to_do(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    with pytest.raises(FinopsError, match="expected a comma-separated list of html, xlsx"):
        parse_formats("html,docx")
    with pytest.raises(FinopsError, match=r"no showback for 2031-01 .* months built: 2026-01"):
        write_report(con, demo[1], date(2031, 1, 1), tmp_path, ["html"])
    con.execute("drop table showback_monthly")
    with pytest.raises(FinopsError, match="showback_monthly not built yet; run `finops run"):
        write_report(con, demo[1], MONTH, tmp_path, ["html"])
    assert not list(tmp_path.glob("finance_report_*"))


def test_finance_report_asset_materialises(demo: tuple[Path, Settings], tmp_path: Path) -> None:
    from finops_pipeline.definitions import build_definitions

    warehouse = copy_warehouse(demo[0], tmp_path)
    settings = demo[1].model_copy(deep=True)
    settings.report.output_dir = tmp_path / "reports"
    defs = build_definitions(settings, str(warehouse))
    graph = defs.resolve_asset_graph()
    key = dg.AssetKey("finance_report")
    assert graph.get(key).group_name == "reports"
    assert {"showback_monthly", "tag_compliance", "waste_findings", "cost_anomalies"} <= {
        k.to_user_string() for k in graph.get(key).parent_keys
    }
    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection={key})
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(partition_key=f"{CLOSED_MONTH}-01", instance=instance)
    assert result.success
    [materialization] = result.asset_materializations_for_node("finance_report")
    html = Path(materialization.metadata["html"].value)
    assert html == tmp_path / "reports" / f"finance_report_{CLOSED_MONTH}.html"
    assert (
        html.is_file() and (tmp_path / "reports" / f"finance_report_{CLOSED_MONTH}.xlsx").is_file()
    )
    con = connect(warehouse, read_only=True)
    assert con.execute("select count(distinct report_id) from report_log").fetchone() == (1,)
    con.close()


def test_budget_column_is_the_built_budget_variance(
    con: duckdb.DuckDBPyConnection, demo: tuple[Path, Settings]
) -> None:
    """The demo builds budget_variance; the report shows its budget and status per team."""
    built = con.execute(
        "select team, currency, budget, status from budget_variance where billing_month = ?",
        [MONTH],
    ).fetchall()
    assert built
    report = gather_report(con, demo[1], MONTH)
    assert not report.is_open_month
    table = report.section("showback").table("showback_by_team")
    names = [c.name for c in table.columns]
    row = dict(zip(table.column("team"), table.rows, strict=True))
    for team, currency, budget, _status in built:
        assert currency == demo[1].reporting.currency
        assert row[team][names.index("budget")] == budget
        # A closed month is final: under or over its budget, never 'at risk' / 'on track'.
        variance = row[team][names.index("variance")]
        expected = "over budget" if variance > 0 else "under budget"
        assert row[team][names.index("status")] == expected
