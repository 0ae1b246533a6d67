"""Interval half-widths from rolling-origin errors pooled across the series being forecast.

Why pool: a series' own rolling-origin errors only show what that series has done in the
weeks it has been seen. A level shift it has not had yet, or the month-long horizon of a
60-day-old series, is not in them, so intervals from its own errors alone held the actual
in the first half of a month far less often than they claimed. The other series of the
same warehouse, forecast by the same method over the same weeks, have had such shifts: their
errors, made scale-free (the error of an h-day sum divided by h x the series' mean daily
cost at the origin, i.e. a relative error of the mean day), say how far off the method is
at that horizon on this kind of data.

How (split-conformal): for the horizon h being forecast, the absolute scaled errors of
every series' origins that have the whole h days after them (all known by the as-of day)
give a quantile with the finite-sample correction: the ceil((n + 1) level)-th smallest of
n errors (a new error exchangeable with those n falls at or below it with probability at
least `level`). The series' own errors give the same quantile, and the two are blended by
how much the own ones are worth: consecutive origins at horizon h share h - 1 days, so n
own errors hold about (n + h - 1) / h independent h-day windows; the own quantile gets
weight n_eff / (n_eff + PRIOR_WINDOWS). A series with fewer independent windows than the
prior (a young one, or a long horizon) never gets an interval narrower than the pooled one.
Nothing here is tuned on a data set: the quantiles are those of the data being forecast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

# independent h-day windows of a series' own errors that weigh as much as the pool: below
# that, the own errors are too few to rule out shifts the series has not had yet
PRIOR_WINDOWS = 4.0
MIN_POOLED = 20  # pooled errors needed at a horizon before they calibrate anything


def conformal_quantile(errors: np.ndarray, level: float) -> float:
    """The ceil((n + 1) level)-th smallest of the n absolute errors: split-conformal's
    finite-sample quantile. With too few errors for that rank (n < level / (1 - level)),
    the largest one (the best the sample can say; callers weigh such a set down)."""
    values = np.sort(np.abs(np.asarray(errors, dtype=float)))
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return math.nan
    rank = math.ceil((n + 1) * level)
    return float(values[min(rank, n) - 1])


def independent_windows(count: int, horizon: int) -> float:
    """About how many disjoint `horizon`-day windows `count` consecutive origins cover."""
    if count <= 0:
        return 0.0
    return (count + horizon - 1) / max(horizon, 1)


def own_weight(count: int, horizon: int) -> float:
    """Weight of a series' own quantile against the pooled one (0 without own errors)."""
    windows = independent_windows(count, horizon)
    return windows / (windows + PRIOR_WINDOWS)


@dataclass
class ErrorPool:
    """Scaled rolling-origin errors (signed) of many series, per horizon in days."""

    errors: dict[int, list[np.ndarray]] = field(default_factory=dict)

    def add(self, horizon: int, errors: np.ndarray) -> None:
        errors = np.asarray(errors, dtype=float)
        errors = errors[np.isfinite(errors)]
        if len(errors):
            self.errors.setdefault(horizon, []).append(errors)

    def at(self, horizon: int) -> np.ndarray:
        parts = self.errors.get(horizon, [])
        return np.concatenate(parts) if parts else np.zeros(0)

    def quantile(self, horizon: int, level: float) -> float:
        """The pooled conformal quantile at `horizon`, NaN with fewer than MIN_POOLED."""
        pooled = self.at(horizon)
        return conformal_quantile(pooled, level) if len(pooled) >= MIN_POOLED else math.nan


def pool_of(horizon: int, series_errors: Iterable[np.ndarray]) -> ErrorPool:
    pool = ErrorPool()
    for errors in series_errors:
        pool.add(horizon, errors)
    return pool


def half_width(own: np.ndarray, pool: ErrorPool, horizon: int, level: float) -> float | None:
    """Scaled half-width of the `level` interval of an h-day sum (multiply by h x the
    series' level); None when the pool cannot calibrate this horizon (caller falls back)."""
    pooled = pool.quantile(horizon, level)
    if not math.isfinite(pooled):
        return None
    own = np.asarray(own, dtype=float)
    own = own[np.isfinite(own)]
    if len(own) == 0:
        return pooled
    weight = own_weight(len(own), horizon)
    blended = weight * conformal_quantile(own, level) + (1 - weight) * pooled
    if independent_windows(len(own), horizon) < PRIOR_WINDOWS:  # young: floor at the pool
        return max(blended, pooled)
    return blended
