"""The forecast as it would have been made on a given day: `finops forecast --as-of` and the
backtest (benchmarks/forecast_backtest.py) both call `forecast_as_of`, so what the benchmark
measures is what the command prints.

Only charges with ChargePeriodStart <= as-of are seen (history, actual to date, one-off
profile); the month forecast is the one holding the as-of day. The data are the months as
loaded now (restatements applied), i.e. the best information about those days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from finops_pipeline.forecast.monthly import KeyForecast, forecast_month
from finops_pipeline.forecast.settings import ForecastSettings

SCOPES = ("total", "provider", "team")


def forecast_as_of(
    daily: pd.DataFrame,
    as_of: date,
    settings: ForecastSettings | None = None,
    scopes: tuple[str, ...] = SCOPES,
) -> list[KeyForecast]:
    """Forecasts of as-of's month for every key of `scopes`, from the days up to as-of only."""
    known = daily[daily["day"] <= as_of]
    return forecast_month(known, as_of.replace(day=1), as_of, settings, scopes)


def as_of_records(forecasts: list[KeyForecast], month: date) -> list[dict[str, object]]:
    """One JSON-ready object per scope key (amounts as decimal strings, exact)."""
    rows = []
    for f in forecasts:
        r = f.remaining
        rows.append(
            {
                "month": f"{month:%Y-%m}",
                "as_of": f.as_of_date.isoformat(),
                "scope": f.scope,
                "key": f.key,
                "currency": f.currency,
                "actual_to_date": _text(f.actual_to_date),
                "one_off_to_date": _text(f.one_off_to_date),
                "forecast": _text(f.forecast_month_end),
                "lower_80": _text(f.total(r.inner[0])),
                "upper_80": _text(f.total(r.inner[1])),
                "lower_95": _text(f.total(r.outer[0])),
                "upper_95": _text(f.total(r.outer[1])),
                "model": r.model,
                "horizon_days": f.horizon_days,
                "history_days": f.history_days,
            }
        )
    return rows


def _text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"
