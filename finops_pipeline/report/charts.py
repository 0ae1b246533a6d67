"""Charts as inline SVG: Altair specs rendered by vl-convert, so the HTML needs no network
and no JavaScript at view time. Amounts become floats here for drawing only; every figure a
reader copies comes from the tables beside the chart.

Vega-Lite parses dates only from strings: a Python `date` reaches it as an object and every
point becomes NaN (an empty chart with `0NaN-NaN` labels), so dates are ISO strings here and
month axes use `yearmonth`. Each `Chart` keeps its spec and how many marks its data should
draw, so tests can check content, not just presence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import altair as alt

from finops_pipeline.report.model import Chart

WIDTH = 560
MONTH_AXIS = alt.Axis(format="%b %Y", labelAngle=-40, title=None)


def plain(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON-safe values Vega reads: Decimal -> float, date -> 'YYYY-MM-DD'."""
    return [{k: _plain_value(v) for k, v in record.items()} for record in records]


def _plain_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _chart(title: str, chart: alt.Chart, mark: str, marks: int) -> Chart:
    import vl_convert

    spec = chart.to_dict()
    return Chart(title, vl_convert.vegalite_to_svg(spec), spec=spec, mark=mark, marks=marks)


def bar(
    title: str, records: Sequence[dict[str, Any]], category: str, value: str, currency: str
) -> Chart:
    return _bars(
        title,
        records,
        category,
        value,
        currency,
        tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=",.2f")],
    )


def stacked_bar(
    title: str,
    records: Sequence[dict[str, Any]],
    category: str,
    stack: str,
    value: str,
    currency: str,
) -> Chart:
    return _bars(
        title,
        records,
        category,
        f"sum({value})",
        currency,
        color=alt.Color(f"{stack}:N", title=None, scale=alt.Scale(scheme="set2")),
    )


def _bars(
    title: str,
    records: Sequence[dict[str, Any]],
    category: str,
    amount: str,
    currency: str,
    **encoding: Any,
) -> Chart:
    """Horizontal bars, one per category, largest first, `amount` (a field or an aggregate
    of one) on an x axis in `currency`; `encoding` adds channels (tooltip, stack colour)."""
    values = plain(records)
    chart = (
        alt.Chart(alt.Data(values=values), title=title, width=WIDTH)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(f"{amount}:Q", title=currency, axis=alt.Axis(format=",.0f")),
            **encoding,
        )
    )
    return _chart(title, chart, "bar", len(values))


def lines(
    title: str,
    records: Sequence[dict[str, Any]],
    x: str,
    y: str,
    series: str,
    y_title: str,
    percent: bool = False,
) -> Chart:
    """One line per series over months; a point per record (what the mark count checks)."""
    values = [v for v in plain(records) if v.get(y) is not None and v.get(x) is not None]
    axis = alt.Axis(format=".0%") if percent else alt.Axis(format=",.0f")
    chart = (
        alt.Chart(alt.Data(values=values), title=title, width=WIDTH)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"yearmonth({x}):T", axis=MONTH_AXIS),
            y=alt.Y(f"{y}:Q", title=y_title, axis=axis),
            color=alt.Color(f"{series}:N", title=None, scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                f"{series}:N",
                alt.Tooltip(f"yearmonth({x}):T", format="%Y-%m"),
                alt.Tooltip(f"{y}:Q", format=".1%" if percent else ",.2f"),
            ],
        )
    )
    return _chart(title, chart, "point", len(values))
