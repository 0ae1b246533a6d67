"""PDF by printing the HTML with headless Chromium: no network, the print CSS lays it out.

Chromium is a system tool (Debian `chromium`), not a Python dependency; without it the PDF
format fails with an error saying so, and the other formats are unaffected.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from finops_pipeline.errors import FinopsError

# Chromium without a sandbox (containers), GPU or any call home; Playwright uses them too.
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FLAGS = ["--headless", *BROWSER_ARGS, "--no-pdf-header-footer"]


def chromium() -> str | None:
    return (
        os.environ.get("FINOPS_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def write_pdf(html: Path, path: Path, timeout: float = 120) -> Path:
    browser = chromium()
    if not browser:
        raise FinopsError(
            "PDF needs Chromium to print the HTML report and none was found: install it "
            "(Debian: apt-get install chromium) or set FINOPS_CHROMIUM, or drop pdf from --format"
        )
    with tempfile.TemporaryDirectory(prefix="finops-pdf-") as profile:
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={path}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not path.is_file() or path.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise FinopsError(f"{browser} could not print {html} to PDF: {' | '.join(tail)}")
    return path
