"""Month-end cost forecasts for one daily series: the statistics, no warehouse.

Model: ETS(A,Ad,A) with a 7-day season (statsmodels' `ETSModel`: additive error, damped
additive trend, additive weekly seasonality), fitted on the trailing `history_days` complete
days of *recurring* cost (one-off charge categories removed). Why this model: cloud spend is
a level with a weekday/weekend pattern and slow drift; exponential smoothing tracks a level
change within days, the damped trend keeps a 30-day horizon from running away, and the state
space form gives sample paths, so the interval of the month's *sum* accounts for the
correlation between days (daily intervals cannot be added up). Paths are simulated by
bootstrapping the fit's residuals (no normality assumption), with a fixed seed.

Short history falls back, and the `model` column says so: seasonal naive (7 to
min_history_days-1 days: each remaining day costs what the same weekday cost last week,
interval from the spread of week-on-week differences) or run rate (1-6 days).

One-off charges (Purchase, Tax, Credit, Adjustment by default) are not modelled: what has been
posted this month counts in the actual, and what is still to come is the median, over the
last `one_off_lookback_months` closed months, of the one-offs posted in the same number of
days before month end (tax and invoices cluster at month start and end). That estimate shifts
the forecast and both intervals; its own uncertainty is not in the intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

SEASON = 7


@dataclass(frozen=True)
class Remaining:
    """The forecast of the days still to come: point and the two intervals of their sum."""

    point: float
    inner: tuple[float, float]
    outer: tuple[float, float]
    model: str


def seasonal_naive_path(history: Sequence[float], horizon: int) -> np.ndarray:
    """Each future day = the same weekday one week earlier (the last week, repeated)."""
    values = np.asarray(history, dtype=float)
    if horizon <= 0:
        return np.zeros(0)
    if len(values) < SEASON:
        return np.full(horizon, float(values.mean()) if len(values) else 0.0)
    last_week = values[-SEASON:]
    return np.array([last_week[i % SEASON] for i in range(horizon)])


def forecast_remaining(
    history: Sequence[float],
    horizon: int,
    *,
    min_history_days: int = 28,
    inner_level: float = 0.80,
    outer_level: float = 0.95,
    simulations: int = 1000,
    seed: int = 0,
) -> Remaining:
    """The sum of the next `horizon` days of a daily series whose last value is the last
    complete day. Intervals are ordered: outer contains inner contains the point."""
    values = np.asarray(history, dtype=float)
    if horizon <= 0:
        return Remaining(0.0, (0.0, 0.0), (0.0, 0.0), "none (month complete)")
    if len(values) == 0:
        return Remaining(0.0, (0.0, 0.0), (0.0, 0.0), "none (no history)")
    if len(values) >= min_history_days and np.ptp(values) > 0:
        try:
            return _ets(values, horizon, inner_level, outer_level, simulations, seed)
        except (ValueError, np.linalg.LinAlgError) as exc:  # degenerate fits: say so
            fallback = _seasonal_naive(values, horizon, inner_level, outer_level)
            return replace(fallback, model=f"seasonal_naive (ETS failed: {exc})")
    if len(values) >= SEASON:
        return _seasonal_naive(values, horizon, inner_level, outer_level)
    return _run_rate(values, horizon, inner_level, outer_level)


def _ets(
    values: np.ndarray,
    horizon: int,
    inner_level: float,
    outer_level: float,
    simulations: int,
    seed: int,
) -> Remaining:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(
        values,
        error="add",
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=SEASON,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the fit is checked below
        fit = model.fit(disp=False)
        point = float(np.sum(fit.forecast(horizon)))
        paths = fit.simulate(
            horizon,
            anchor="end",
            repetitions=simulations,
            random_errors="bootstrap",
            rng=np.random.default_rng(seed),
        )
    paths = np.asarray(paths, dtype=float).reshape(horizon, -1)
    if values.min() >= 0:
        paths = np.clip(paths, 0, None)  # a cost series that never went negative stays >= 0
        point = max(point, 0.0)
    if not np.isfinite(point) or not np.all(np.isfinite(paths)):
        raise ValueError("non-finite forecast")
    totals = paths.sum(axis=0)
    return _ordered(point, totals, inner_level, outer_level, "ets(A,Ad,A,7)")


def _seasonal_naive(
    values: np.ndarray, horizon: int, inner_level: float, outer_level: float
) -> Remaining:
    point = float(seasonal_naive_path(values, horizon).sum())
    diffs = values[SEASON:] - values[:-SEASON]
    sigma = float(np.std(diffs, ddof=1)) if len(diffs) > 1 else float(np.std(values))
    return _normal(point, sigma * np.sqrt(horizon), inner_level, outer_level, "seasonal_naive")


def _run_rate(
    values: np.ndarray, horizon: int, inner_level: float, outer_level: float
) -> Remaining:
    point = float(values.mean()) * horizon
    sigma = float(np.std(values, ddof=1)) if len(values) > 1 else abs(float(values.mean()))
    return _normal(point, sigma * np.sqrt(horizon), inner_level, outer_level, "run_rate")


def _normal(point: float, sd: float, inner: float, outer: float, name: str) -> Remaining:
    z_in = NormalDist().inv_cdf(0.5 + inner / 2)
    z_out = NormalDist().inv_cdf(0.5 + outer / 2)
    return Remaining(
        point,
        (point - z_in * sd, point + z_in * sd),
        (point - z_out * sd, point + z_out * sd),
        name,
    )


def _ordered(point: float, totals: np.ndarray, inner: float, outer: float, name: str) -> Remaining:
    q = np.quantile(totals, [0.5 - outer / 2, 0.5 - inner / 2, 0.5 + inner / 2, 0.5 + outer / 2])
    lo_in, hi_in = min(float(q[1]), point), max(float(q[2]), point)
    lo_out, hi_out = min(float(q[0]), lo_in), max(float(q[3]), hi_in)
    return Remaining(point, (lo_in, hi_in), (lo_out, hi_out), name)


def one_off_remaining(
    past_months: Sequence[Sequence[float]], days_left: int, lookback: int = 3
) -> float:
    """Expected one-off cost still to be posted this month: the median, over the last
    `lookback` closed months (each a list of daily one-off totals, day 1 first), of what was
    posted in their last `days_left` days. 0 when there is no closed month to learn from."""
    if days_left <= 0 or not past_months:
        return 0.0
    sums = [
        float(np.sum(month[max(len(month) - days_left, 0) :])) for month in past_months[-lookback:]
    ]
    return float(np.median(sums))
