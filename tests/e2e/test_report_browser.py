"""The HTML report in a real headless Chromium: no console errors, no network, charts
drawn, a team name holding `<script>` shown as text; and the PDF printed from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from finops_pipeline.report.build import write_report
from finops_pipeline.report.render_pdf import BROWSER_ARGS
from finops_pipeline.showback.allocate import build_showback
from finops_pipeline.warehouse import connect
from tests.fixtures.demo_warehouse import CLOSED_MONTH, build_demo_warehouse
from tests.tools import chromium_path

pytestmark = pytest.mark.e2e

MONTH = date.fromisoformat(CLOSED_MONTH + "-01")
HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">ml'


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    root = tmp_path_factory.mktemp("report_browser")
    warehouse, settings = build_demo_warehouse(root)
    con = connect(warehouse)
    try:
        # A team tag value a hostile or careless tagger could set; it flows into showback.
        con.execute(
            "update focus_costs set x_Team = ? where x_Team = 'ml' and BillingPeriodStart = ?",
            [HOSTILE, MONTH],
        )
        build_showback(con, settings, MONTH)
        result = write_report(con, settings, MONTH, root / "out", ["html"])
    finally:
        con.close()
    return result.paths


def test_report_opens_in_chromium_without_errors_or_network(
    report: dict[str, list[Path]], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    html = report["html"][0]
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html.as_uri(), wait_until="load")
        charts = page.locator("figure.chart svg").count()
        sections = page.locator("section h2").all_inner_texts()
        xss = page.evaluate("() => window.__xss === undefined")
        scripts = page.locator("script").count()
        hostile_cells = page.locator("td", has_text="<script>window.__xss").count()
        shot = tmp_path / "finance_report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert errors == []
    assert requests == [html.as_uri()], "the report must not fetch anything"
    assert charts >= 3
    assert [s.split(". ", 1)[1] for s in sections] == [
        "Headline",
        "Showback by team",
        "Shared costs explained",
        "Unallocated",
        "Tag compliance",
        "Anomalies and waste",
        "Data completeness",
        "Method",
    ]
    assert xss and scripts == 0
    assert hostile_cells >= 1  # shown, as text
    assert shot.stat().st_size > 50_000


def test_hostile_value_is_escaped_in_the_file(report: dict[str, list[Path]]) -> None:
    text = report["html"][0].read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in text
    assert 'onerror="window' not in text


def test_pdf_prints_from_the_html_without_network(
    report: dict[str, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finops_pipeline.report.render_pdf import write_pdf

    monkeypatch.setenv("FINOPS_CHROMIUM", chromium_path())
    pdf = write_pdf(report["html"][0], tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.count(b"/Type /Page") >= 8


def test_pdf_without_chromium_says_what_to_do(
    report: dict[str, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finops_pipeline.errors import FinopsError
    from finops_pipeline.report import render_pdf

    # Chromium is installed where this runs: hiding it from the lookup is the only way to
    # reach the missing-browser path (a stand-in for `which`, not for the browser).
    monkeypatch.delenv("FINOPS_CHROMIUM", raising=False)
    monkeypatch.setattr(render_pdf.shutil, "which", lambda _name: None)
    with pytest.raises(FinopsError, match=r"PDF needs Chromium .* apt-get install chromium"):
        render_pdf.write_pdf(report["html"][0], tmp_path / "r.pdf")
