"""The HTML report in a real headless Chromium: no console errors, no network, charts
drawn and matching reviewed baseline images, a team name holding `<script>` shown as text;
and the PDF printed from it, with page numbers, a running title and no near-empty page.

Baselines live in tests/e2e/baselines/report_charts/. After an intended change to a chart,
rerun with FINOPS_UPDATE_BASELINES=1, look at the new PNGs and commit them."""

from __future__ import annotations

import os
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
BASELINES = Path(__file__).parent / "baselines" / "report_charts"
# Anti-aliasing may move a few pixels between runs; an empty or redrawn chart moves thousands.
MAX_CHANGED_PIXELS = 0.01
MAX_MEAN_DIFFERENCE = 1.5  # 0-255 scale, averaged over every channel of every pixel
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
    assert charts >= 4
    assert [s.split(". ", 1)[1] for s in sections] == [
        "Summary",
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
    import pypdf

    pages = pypdf.PdfReader(pdf).pages
    texts = [page.extract_text() for page in pages]
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {len(pages)}" in text
        assert f"Cloud cost allocation report {CLOSED_MONTH}" in text  # the running title
    # no near-empty page: every page but the last is at least a third as full as the average
    lengths = [len(t) for t in texts]
    average = sum(lengths) / len(lengths)
    assert all(n > average / 3 for n in lengths[:-1]), lengths


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


def _difference(baseline: Path, shot: Path) -> tuple[float, float]:
    """(share of pixels that differ, mean absolute difference); 1.0 when sizes differ."""
    from PIL import Image, ImageChops, ImageStat

    with Image.open(baseline) as a, Image.open(shot) as b:
        if a.size != b.size:
            return 1.0, 255.0
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
        mask = diff.convert("L").point(lambda v: 255 if v > 16 else 0)
        changed = mask.histogram()[255] / (a.size[0] * a.size[1])
        return changed, sum(ImageStat.Stat(diff).mean) / 3


def test_charts_match_their_reviewed_baselines(
    report: dict[str, list[Path]], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(report["html"][0].as_uri(), wait_until="load")
        figures = page.locator("figure.chart svg")
        names = []
        for index in range(figures.count()):
            name = f"chart_{index}.png"
            figures.nth(index).screenshot(path=str(tmp_path / name), animations="disabled")
            names.append(name)
        browser.close()
    if os.environ.get("FINOPS_UPDATE_BASELINES") == "1":
        BASELINES.mkdir(parents=True, exist_ok=True)
        for name in names:
            (BASELINES / name).write_bytes((tmp_path / name).read_bytes())
    assert sorted(names) == sorted(p.name for p in BASELINES.glob("chart_*.png"))
    for name in names:
        changed, mean = _difference(BASELINES / name, tmp_path / name)
        assert changed <= MAX_CHANGED_PIXELS and mean <= MAX_MEAN_DIFFERENCE, (
            f"{name} differs from its baseline: {changed:.1%} of pixels, mean {mean:.2f} "
            f"(shot kept in {tmp_path})"
        )


def test_an_empty_chart_fails_the_baseline_comparison(tmp_path: Path) -> None:
    """The comparison is not vacuous: a blank image of the same size is far outside it."""
    from PIL import Image

    baseline = sorted(BASELINES.glob("chart_*.png"))[0]
    with Image.open(baseline) as image:
        Image.new("RGB", image.size, "white").save(tmp_path / "blank.png")
    changed, mean = _difference(baseline, tmp_path / "blank.png")
    assert changed > MAX_CHANGED_PIXELS and mean > MAX_MEAN_DIFFERENCE
