"""The report as one self-contained HTML file: inline CSS and SVG, no script, no fetch.

Jinja2 autoescapes every value from data; only the SVG charts (rendered by vl-convert,
which escapes their text itself) are inserted as markup.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from finops_pipeline.report.formatting import display, is_number
from finops_pipeline.report.model import Report

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("finops_pipeline.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["display"] = display
_ENV.tests["number"] = is_number
# Charts only: vl-convert writes the SVG and escapes the data's text inside it.
_ENV.filters["svg"] = Markup


def render_html(report: Report) -> str:
    return _ENV.get_template("report.html.j2").render(report=report)


def write_html(report: Report, path: Path) -> Path:
    path.write_text(render_html(report), encoding="utf-8")
    return path
