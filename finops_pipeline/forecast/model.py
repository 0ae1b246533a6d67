"""Month-end cost forecasts for one daily series: the statistics, no warehouse.

Model (>= `min_history_days` complete days of *recurring* cost, one-off charge categories
removed): a small ensemble of robust local levels with weekday factors and a damped trend,
cut at a detected level change and weighted by rolling-origin validation on the series' own
past (forecast/local_level.py, forecast/ensemble.py). Its intervals come from the errors of
the same procedure refitted at each of the last eight weeks' days, at the horizons that
followed, extrapolated to the month's remainder with a noise + level error model; not from
in-sample residuals (which assume the fitted model is right and came out about half as wide
as the errors a backtest measured).

Short history falls back, and the `model` column says so: seasonal naive (7 to
min_history_days-1 days: each remaining day costs what the same weekday cost last week) or
run rate (1-6 days). With a pool of other series (the warehouse's), their intervals are the
conformal quantiles of the same fallback's errors made from as few days of data
(forecast/fallback_errors.py); alone, a normal model of the days seen.

One-off charges (Purchase, Tax, Credit, Adjustment by default) are not modelled: what has been
posted this month counts in the actual, and what is still to come is the median, over the
last `one_off_lookback_months` closed months, of the one-offs posted in the same number of
days before month end (tax and invoices cluster at month start and end). That estimate shifts
the forecast and both intervals (past months' one-offs are scaled by how spend changed since:
tax and support fees are a share of it). Its uncertainty is in the intervals too: each
simulated path adds a draw from the predictive t distribution of one more month's one-offs
given the past months' (n - 1 degrees of freedom, scale s sqrt(1 + 1/n)). The point stays the
median; identical past one-offs leave the intervals as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

from finops_pipeline.forecast.calibration import ErrorPool, half_width
from finops_pipeline.forecast.ensemble import forecast_sum
from finops_pipeline.forecast.fallback_errors import LEVEL_DAYS, fallback_errors
from finops_pipeline.forecast.local_level import MAX_AHEAD

SEASON = 7
MODEL = "local_level_ensemble"


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
    min_history_days: int = 14,
    inner_level: float = 0.80,
    outer_level: float = 0.95,
    simulations: int = 1000,
    seed: int = 0,
    one_off_sums: Sequence[float] = (),
    pool: ErrorPool | None = None,
) -> Remaining:
    """The sum of the next `horizon` days of a daily series whose last value is the last
    complete day. Intervals are ordered: outer contains inner contains the point.

    `pool`: the rolling-origin errors of the series forecast on the same day (see
    `pool_errors`, forecast/calibration.py); with enough of them at this horizon from
    origins with about as many days of data as this series has, the intervals are their
    split-conformal quantiles (the ensemble's shrunk towards the series' own; a young
    series' fallback gets those of fallback forecasts from as few days), otherwise (a lone
    series) from the series' own errors or the fallback's normal model.

    `one_off_sums` (see `one_off_window_sums`): what past months posted as one-offs in the
    same final days. The point is unchanged (the caller adds their median), but the intervals
    become those of recurring + (one-off draw - median): each simulated path gets one past
    month's one-off total, so the intervals carry the one-off estimate's uncertainty too.
    Identical (or no) past one-offs leave the intervals as they were."""
    values = np.asarray(history, dtype=float)
    if horizon <= 0:
        return Remaining(0.0, (0.0, 0.0), (0.0, 0.0), "none (month complete)")
    if len(values) == 0:
        result = Remaining(0.0, (0.0, 0.0), (0.0, 0.0), "none (no history)")
        return _with_one_offs(result, None, one_off_sums, inner_level, outer_level, seed)
    totals = None
    if len(values) >= min_history_days and np.ptp(values) > 0:
        try:
            result, totals = _ensemble(values, horizon, inner_level, outer_level, simulations, seed)
            calibrated = _conformal(values, horizon, inner_level, outer_level, pool, result)
            if calibrated is not None:
                return _one_offs_added(calibrated, one_off_sums, inner_level, outer_level, seed)
        except (ValueError, np.linalg.LinAlgError) as exc:  # degenerate input: say so
            fallback = _seasonal_naive(values, horizon, inner_level, outer_level)
            result = replace(fallback, model=f"seasonal_naive (ensemble failed: {exc})")
    elif len(values) >= SEASON:
        result = _seasonal_naive(values, horizon, inner_level, outer_level)
    else:
        result = _run_rate(values, horizon, inner_level, outer_level)
    if len(values) < min_history_days:
        calibrated = _pooled_fallback(values, horizon, inner_level, outer_level, pool, result)
        if calibrated is not None:
            return _one_offs_added(calibrated, one_off_sums, inner_level, outer_level, seed)
    return _with_one_offs(result, totals, one_off_sums, inner_level, outer_level, seed, simulations)


def rolling_errors(
    history: Sequence[float], horizon: int, min_history_days: int = 14
) -> np.ndarray:
    """The series' scaled rolling-origin errors at `horizon` (what it adds to an ErrorPool):
    empty when the ensemble would not forecast it (too short or constant)."""
    values = np.asarray(history, dtype=float)
    if horizon <= 0 or len(values) < min_history_days or np.ptp(values) == 0:
        return np.zeros(0)
    return forecast_sum(values, horizon).own_errors


def pool_errors(
    history: Sequence[float], horizon: int, min_history_days: int = 14
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the series adds to an ErrorPool: (k, days of data at the origin, scaled error)
    of every rolling origin and horizon k <= `horizon` known by its last day, made by the
    method a series with that much data gets (fallback below min_history_days, ensemble
    from there on)."""
    values = np.asarray(history, dtype=float)
    empty = (np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0))
    if horizon <= 0 or len(values) < 2:
        return empty
    h = max(1, min(int(horizon), MAX_AHEAD))
    parts = [fallback_errors(values, h, min_history_days)]
    if len(values) >= min_history_days and np.ptp(values) > 0:
        forecast = forecast_sum(values, h)
        mature = forecast.pool_days >= min_history_days
        parts.append(
            (forecast.pool_k[mature], forecast.pool_days[mature], forecast.pool_errors[mature])
        )
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))  # type: ignore[return-value]


def _pooled_fallback(
    values: np.ndarray,
    horizon: int,
    inner: float,
    outer: float,
    pool: ErrorPool | None,
    result: Remaining,
) -> Remaining | None:
    """A fallback's point with the pool's quantiles of fallback forecasts made from as many
    days as this series has (forecast/fallback_errors.py); None without such a pool."""
    if pool is None:
        return None
    h = max(1, min(int(horizon), MAX_AHEAD))
    halves = [pool.quantile(h, level, len(values)) for level in (inner, outer)]
    if not all(np.isfinite(halves)):
        return None
    scale = float(np.abs(values[-LEVEL_DAYS:]).mean()) or 1.0
    return _interval(
        values, result.point, halves[0] * h * scale, halves[1] * h * scale, result.model
    )


def _interval(
    values: np.ndarray, point: float, half_in: float, half_out: float, model: str
) -> Remaining:
    half_out = max(half_out, half_in)
    floor = 0.0 if values.min() >= 0 else -np.inf
    return Remaining(
        point,
        (max(point - half_in, floor), point + half_in),
        (max(point - half_out, floor), point + half_out),
        model,
    )


def _conformal(
    values: np.ndarray,
    horizon: int,
    inner: float,
    outer: float,
    pool: ErrorPool | None,
    result: Remaining,
) -> Remaining | None:
    """The ensemble's point with pooled split-conformal intervals; None without a pool
    that calibrates this horizon."""
    if pool is None:
        return None
    forecast = forecast_sum(values, horizon)
    h = max(1, min(int(horizon), MAX_AHEAD))
    halves = [
        half_width(forecast.own_errors, pool, h, level, len(values)) for level in (inner, outer)
    ]
    if halves[0] is None or halves[1] is None:
        return None
    unit = h * forecast.scale
    return _interval(values, result.point, halves[0] * unit, halves[1] * unit, MODEL)


def _one_offs_added(
    result: Remaining, one_off_sums: Sequence[float], inner: float, outer: float, seed: int
) -> Remaining:
    """`result` widened by the one-off remainder's own spread (the predictive t of one more
    month's one-offs, as in `_with_one_offs`), added in quadrature to each half-width: the
    two are independent, so their variances add."""
    sums = np.asarray(one_off_sums, dtype=float)
    if len(sums) < 2 or np.ptp(sums) == 0:
        return result
    n = len(sums)
    scale = float(np.std(sums, ddof=1)) * np.sqrt(1 + 1 / n)
    draws = np.abs(scale * np.random.default_rng(seed + 1).standard_t(n - 1, 4000))
    p = result.point

    def widen(bounds: tuple[float, float], level: float) -> tuple[float, float]:
        extra = float(np.quantile(draws, level))
        lo = p - float(np.hypot(p - bounds[0], extra))
        hi = p + float(np.hypot(bounds[1] - p, extra))
        return lo, hi

    return replace(result, inner=widen(result.inner, inner), outer=widen(result.outer, outer))


def _with_one_offs(
    result: Remaining,
    totals: np.ndarray | None,
    one_off_sums: Sequence[float],
    inner: float,
    outer: float,
    seed: int,
    simulations: int = 1000,
) -> Remaining:
    """`result` with the one-off remainder's spread added to its intervals (see above)."""
    sums = np.asarray(one_off_sums, dtype=float)
    if len(sums) < 2 or np.ptp(sums) == 0:
        return result
    if totals is None:  # a normal interval (fallbacks): sample it, same seed as the model
        z_in = NormalDist().inv_cdf(0.5 + inner / 2)
        sd = (result.inner[1] - result.inner[0]) / (2 * z_in)
        totals = result.point + sd * np.random.default_rng(seed).standard_normal(simulations)
    # the predictive distribution of one more month's one-offs given n past ones: a t with
    # n - 1 degrees of freedom and scale s sqrt(1 + 1/n) (a handful of past months' own
    # spread would hold the next one only (n - 1) / (n + 1) of the time)
    n = len(sums)
    scale = float(np.std(sums, ddof=1)) * np.sqrt(1 + 1 / n)
    draws = scale * np.random.default_rng(seed + 1).standard_t(n - 1, len(totals))
    return _ordered(result.point, totals + draws, inner, outer, result.model)


def _ensemble(
    values: np.ndarray,
    horizon: int,
    inner_level: float,
    outer_level: float,
    simulations: int,
    seed: int,
) -> tuple[Remaining, np.ndarray]:
    forecast = forecast_sum(values, horizon)
    point, totals = forecast.point, forecast.samples(simulations, seed)
    if values.min() >= 0:  # a cost series that never went negative stays >= 0
        point = max(point, 0.0)
        totals = np.clip(totals, 0, None)
    if not np.isfinite(point) or not np.all(np.isfinite(totals)):
        raise ValueError("non-finite forecast")
    return _ordered(point, totals, inner_level, outer_level, MODEL), totals


def _seasonal_naive(
    values: np.ndarray, horizon: int, inner_level: float, outer_level: float
) -> Remaining:
    point = float(seasonal_naive_path(values, horizon).sum())
    diffs = values[SEASON:] - values[:-SEASON]
    # a day's noise: week-on-week differences hold two days' noise
    sigma = float(np.std(diffs, ddof=1)) / np.sqrt(2) if len(diffs) > 1 else float(np.std(values))
    # each copied day's own noise repeats in every week ahead: var = sigma^2 (h + h^2 / 7)
    sd = sigma * np.sqrt(horizon + horizon**2 / SEASON)
    return _normal(point, sd, inner_level, outer_level, "seasonal_naive")


def _run_rate(
    values: np.ndarray, horizon: int, inner_level: float, outer_level: float
) -> Remaining:
    point = float(values.mean()) * horizon
    sigma = float(np.std(values, ddof=1)) if len(values) > 1 else abs(float(values.mean()))
    # the day's noise plus the error of a level taken from n days: var = sigma^2 (h + h^2 / n)
    sd = sigma * np.sqrt(horizon + horizon**2 / len(values))
    return _normal(point, sd, inner_level, outer_level, "run_rate")


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
    sums = one_off_window_sums(past_months, days_left, lookback)
    return float(np.median(sums)) if sums else 0.0


def one_off_window_sums(
    past_months: Sequence[Sequence[float]], days_left: int, lookback: int = 3
) -> list[float]:
    """What each of the last `lookback` closed months posted as one-offs in its last
    `days_left` days (oldest first); [] when nothing is left or there is no closed month."""
    if days_left <= 0 or not past_months:
        return []
    return [
        float(np.sum(month[max(len(month) - days_left, 0) :])) for month in past_months[-lookback:]
    ]
