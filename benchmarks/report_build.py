"""Time to build the monthly finance report, and a screenshot of it to look at.

    python benchmarks/report_build.py [--warehouse finops.duckdb] [--month YYYY-MM] [--runs 5]

Reads a copy of the warehouse (run `finops demo` first), so the real report_log is untouched.
Prints: the first build in a fresh process (imports, vl-convert start-up), the median of
`--runs` warm builds for HTML+XLSX+CSV, and one PDF print through headless Chromium; then
writes the report and a full-page PNG screenshot (Playwright driving Debian chromium) into
benchmarks/.work/report/.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

from finops_pipeline.cli_report import last_closed_month
from finops_pipeline.report.build import write_report
from finops_pipeline.report.render_pdf import BROWSER_ARGS, chromium, write_pdf
from finops_pipeline.settings import load_settings
from finops_pipeline.warehouse import REPO_ROOT, connect, warehouse_path

WORK = REPO_ROOT / "benchmarks" / ".work" / "report"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=None)
    parser.add_argument("--month", default=None, help="YYYY-MM [default: last closed month]")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = warehouse_path(args.warehouse)
    if not source.exists():
        raise SystemExit(f"no warehouse at {source}: run `finops demo` first")
    WORK.mkdir(parents=True, exist_ok=True)
    copy = WORK / "bench.duckdb"
    shutil.copyfile(source, copy)
    settings = load_settings()
    con = connect(copy)
    month = date.fromisoformat(args.month + "-01") if args.month else last_closed_month(con)
    if month is None:
        raise SystemExit("no closed month in the warehouse")
    formats = ["html", "xlsx", "csv"]
    rows = con.execute("select count(*) from focus_costs").fetchone()[0]
    print(f"report {month:%Y-%m} from {source} ({rows:,} focus_costs rows), formats {formats}")
    first = write_report(con, settings, month, WORK, formats)
    print(f"  first build in this process (imports, vl-convert start-up): {first.seconds:.2f} s")
    warm = [write_report(con, settings, month, WORK, formats).seconds for _ in range(args.runs)]
    print(
        f"  warm build, median of {args.runs}: {statistics.median(warm):.2f} s "
        f"(min {min(warm):.2f}, max {max(warm):.2f})"
    )
    html = first.html
    assert html is not None
    if chromium():
        start = time.perf_counter()
        pdf = write_pdf(html, html.with_suffix(".pdf"))
        print(f"  PDF print (headless Chromium): {time.perf_counter() - start:.2f} s -> {pdf}")
        print(f"  screenshot: {screenshot(html, html.with_suffix('.png'))}")
    else:
        print("  chromium not found: no PDF timing, no screenshot")
    print(f"  HTML: {html} ({html.stat().st_size / 1024:.0f} KiB)")
    con.close()


def screenshot(html: Path, png: Path) -> Path:
    from playwright.sync_api import sync_playwright  # test extra

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(),
            args=BROWSER_ARGS,
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(html.as_uri(), wait_until="load")
        page.screenshot(path=str(png), full_page=True)
        browser.close()
    return png


if __name__ == "__main__":
    main()
