"""One month's forecast per scope and key, from the daily frame (forecast/series.py).

"As of" is the last complete day: what was posted up to it is the actual to date, the days
after it (the partial current day included) are forecast. A month that ended on or before
the as-of day is closed: its forecast is its actual, with zero-width intervals.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from finops_pipeline.forecast.calibration import ErrorPool
from finops_pipeline.forecast.model import (
    Remaining,
    forecast_remaining,
    one_off_window_sums,
    pool_errors,
)
from finops_pipeline.forecast.settings import ForecastSettings

ZERO = Decimal(0)
CLOSED_MODEL = "actual (month closed)"


@dataclass(frozen=True)
class KeyForecast:
    scope: str
    key: str
    currency: str
    as_of_date: date
    actual_to_date: Decimal
    one_off_to_date: Decimal
    remaining: Remaining
    one_off_remaining: float
    horizon_days: int
    history_days: int

    def total(self, value: float) -> Decimal:
        return self.actual_to_date + Decimal(str(round(value + self.one_off_remaining, 4)))

    @property
    def forecast_month_end(self) -> Decimal:
        return self.total(self.remaining.point)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def forecast_month(
    daily: pd.DataFrame,
    month: date,
    as_of: date,
    settings: ForecastSettings | None = None,
    scopes: tuple[str, ...] = ("total", "provider", "team"),
) -> list[KeyForecast]:
    """Forecasts of `month` for every key of `scopes` with cost in its history or month.

    `daily` has columns scope, key, currency, billing_month, day, is_one_off, cost (Decimal or
    float); each scope x key x currency is its own series (currency: that of the amounts).
    Returns [] for a month that starts after the day following `as_of` (nothing known yet).
    """
    settings = settings or ForecastSettings()
    month = month.replace(day=1)
    last = month_end(month)
    if month > as_of + timedelta(days=1):
        return []
    closed = as_of >= last
    cutoff = last if closed else as_of
    horizon = 0 if closed else (last - as_of).days
    window_start = as_of - timedelta(days=settings.history_days - 1)
    frame = daily[daily["scope"].isin(scopes) & (daily["day"] <= max(cutoff, as_of))]
    out = []
    if "currency" not in frame.columns:
        frame = frame.assign(currency="")
    pool = None if closed else error_pool(daily, as_of, horizon, settings)
    for (scope, key, currency), group in frame.groupby(["scope", "key", "currency"], sort=True):
        in_month = group[(group["billing_month"] == month) & (group["day"] <= cutoff)]
        recurring = group[~group["is_one_off"] & (group["day"] >= window_start)]
        if in_month.empty and (closed or recurring.empty):
            continue
        actual = _exact_sum(in_month["cost"])
        one_off = _exact_sum(in_month.loc[in_month["is_one_off"], "cost"])
        if closed:
            history = pd.Series(dtype=float)
            remaining = Remaining(0.0, (0.0, 0.0), (0.0, 0.0), CLOSED_MODEL)
            rest = 0.0
        else:
            history = daily_values(recurring, as_of)
            lookback = settings.one_off_lookback_months
            past, scales = _one_off_months(group, month, as_of, lookback, history)
            sums = [
                total * scale
                for total, scale in zip(
                    one_off_window_sums(past, horizon, lookback), scales[-lookback:], strict=False
                )
            ]
            rest = float(np.median(sums)) if sums else 0.0
            remaining = forecast_remaining(
                history.to_numpy(),
                horizon,
                min_history_days=settings.min_history_days,
                inner_level=settings.inner_interval,
                outer_level=settings.outer_interval,
                simulations=settings.simulations,
                seed=settings.seed,
                one_off_sums=sums,
                pool=pool,
            )
        out.append(
            KeyForecast(
                str(scope),
                str(key),
                str(currency),
                cutoff,
                actual,
                one_off,
                remaining,
                rest,
                horizon,
                len(history),
            )
        )
    return out


EVIDENCE_SCOPE = "sub_account"  # series that calibrate intervals but are not forecast


def error_pool(
    daily: pd.DataFrame, as_of: date, horizon: int, settings: ForecastSettings
) -> ErrorPool:
    """The rolling-origin errors at `horizon` of every series in `daily` (every scope, not
    only those asked for: all are the warehouse's evidence of how the method errs), from
    the days up to `as_of` only (forecast/calibration.py).

    A warehouse with few distinct series (no team tags and one provider: total = provider =
    the unallocated team, one series under three names) would calibrate on one series' few
    weeks, and its intervals held the month-end actual far less often than claimed. Its
    sub-accounts (scope `sub_account`, largest first) then top the pool up to
    `pool_min_series` distinct series; an evidence series identical to one already in the
    pool adds nothing and is skipped, and a warehouse with enough series of its own gets
    none (each costs a rolling-origin fit)."""
    window_start = as_of - timedelta(days=settings.history_days - 1)
    known = daily[(daily["day"] <= as_of) & (daily["day"] >= window_start)]
    known = known[~known["is_one_off"].astype(bool)]
    if "currency" not in known.columns:
        known = known.assign(currency="")
    forecast, evidence = [], []
    for (scope, _, _), group in known.groupby(["scope", "key", "currency"], sort=True):
        history = daily_values(group, as_of).to_numpy()
        (evidence if scope == EVIDENCE_SCOPE else forecast).append(history)
    seen = {_fingerprint(history) for history in forecast}
    for history in sorted(evidence, key=lambda h: -float(np.abs(h).sum())):
        if len(seen) >= settings.pool_min_series:
            break
        fingerprint = _fingerprint(history)
        if fingerprint not in seen:
            seen.add(fingerprint)
            forecast.append(history)
    pool = ErrorPool()
    # one series under several names (total = provider = the unallocated team) keeps its
    # errors under each, but one id: the windows behind a quantile count it once
    ids: dict[tuple[int, bytes], int] = {}
    for history in forecast:
        fingerprint = _fingerprint(history)
        if fingerprint not in ids:
            ids[fingerprint] = pool.new_series()
        series = ids[fingerprint]
        pool.add_many(*pool_errors(history, horizon, settings.min_history_days), series=series)
    return pool


def _fingerprint(history: np.ndarray) -> tuple[int, bytes]:
    """Equal for two series with the same days and (to a millionth) the same costs."""
    return len(history), np.round(history, 6).tobytes()


def _exact_sum(values: pd.Series) -> Decimal:
    return sum((v if isinstance(v, Decimal) else Decimal(str(v)) for v in values), ZERO)


def daily_values(recurring: pd.DataFrame, as_of: date) -> pd.Series:
    """Recurring cost per day from the series' first day in the window to `as_of`, 0-filled."""
    if recurring.empty:
        return pd.Series(dtype=float)
    per_day = recurring.groupby("day")["cost"].sum().astype(float)
    days = pd.date_range(min(per_day.index), as_of, freq="D").date
    return per_day.reindex(days, fill_value=0.0)


def _one_off_months(
    group: pd.DataFrame, month: date, as_of: date, lookback: int, history: pd.Series
) -> tuple[list[list[float]], list[float]]:
    """Daily one-off totals of the closed months before `month` (oldest first), and for each
    how today's recurring spend compares with that month's: tax, support and marketplace
    fees are a share of spend, so a month's one-offs are scaled by (mean daily recurring cost
    of the last 7 days: a whole week, so weekends cancel) / (that month's mean daily recurring
    cost over the days of it since the series' first day); 1 when either is not positive (fixed
    purchases, credits)."""
    months, scales = [], []
    current = float(history.iloc[-7:].mean()) if len(history) >= 7 else 0.0
    recurring_days = group.loc[~group["is_one_off"], "day"]
    first_day = min(recurring_days) if len(recurring_days) else None
    start = month
    for _ in range(lookback):
        start = (start - timedelta(days=1)).replace(day=1)
        if month_end(start) > as_of:
            continue
        in_month = group[group["billing_month"] == start]
        rows = in_month[in_month["is_one_off"]]
        if in_month.empty:
            continue
        length = month_end(start).day
        daily = [0.0] * length
        for day, cost in zip(rows["day"], rows["cost"], strict=True):
            if day.month == start.month and day.year == start.year:
                daily[day.day - 1] += float(cost)
        months.append(daily)
        recurring_rows = in_month[~in_month["is_one_off"]]
        recurring = float(sum(float(c) for c in recurring_rows["cost"]))
        # per day the series existed: a series that started late in that month had cost on
        # few of its days, and dividing by the whole month made today's spend look 10-30x that
        # month's and its fees scaled by as much (suite-b: 11 % of the month-end total)
        existed = (month_end(start) - max(first_day, start)).days + 1 if first_day else 0
        past = recurring / existed if existed > 0 else 0.0
        scales.append(current / past if current > 0 and past > 0 else 1.0)
    return list(reversed(months)), list(reversed(scales))
