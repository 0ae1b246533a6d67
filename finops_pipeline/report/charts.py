"""Charts as inline SVG: Altair specs rendered by vl-convert, so the HTML needs no network
and no JavaScript at view time. Amounts become floats here for drawing only; every figure a
reader copies comes from the tables beside the chart."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import altair as alt

from finops_pipeline.report.model import Chart

WIDTH = 560


def _plain(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: float(v) if isinstance(v, Decimal) else v for k, v in record.items()}
        for record in records
    ]


def _svg(chart: alt.Chart) -> str:
    import vl_convert

    spec = chart.to_dict()
    return vl_convert.vegalite_to_svg(spec)


def bar(
    title: str, records: Sequence[dict[str, Any]], category: str, value: str, currency: str
) -> Chart:
    data = alt.Data(values=_plain(records))
    chart = (
        alt.Chart(data, title=title, width=WIDTH)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None),
            x=alt.X(f"{value}:Q", title=currency),
            tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=",.2f")],
        )
    )
    return Chart(title, _svg(chart))


def stacked_bar(
    title: str,
    records: Sequence[dict[str, Any]],
    category: str,
    stack: str,
    value: str,
    currency: str,
) -> Chart:
    data = alt.Data(values=_plain(records))
    chart = (
        alt.Chart(data, title=title, width=WIDTH)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None),
            x=alt.X(f"sum({value}):Q", title=currency),
            color=alt.Color(f"{stack}:N", title=None),
        )
    )
    return Chart(title, _svg(chart))


def lines(
    title: str,
    records: Sequence[dict[str, Any]],
    x: str,
    y: str,
    series: str,
    y_title: str,
    percent: bool = False,
) -> Chart:
    data = alt.Data(values=_plain(records))
    axis = alt.Axis(format="%") if percent else alt.Axis()
    chart = (
        alt.Chart(data, title=title, width=WIDTH)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:T", title=None, axis=alt.Axis(format="%Y-%m")),
            y=alt.Y(f"{y}:Q", title=y_title, axis=axis),
            color=alt.Color(f"{series}:N", title=None),
        )
    )
    return Chart(title, _svg(chart))
