"""Rolling-origin errors of the short-history fallbacks, for the interval pool.

A series with fewer than `min_history_days` days is forecast by a seasonal naive (7+ days)
or a run rate (1-6 days), forecast/model.py. Their intervals used to come from a normal
model of the few days seen, which held the month-end actual of 1-3-week-old series far less
often than claimed: a week of data does not show the level moves of the month ahead. Every
series in the warehouse was once that young, or can be made so: its first 1..13 days (of the
history window) are a young series' history, and what followed is what such a forecast
missed. These errors, scaled like the ensemble's (by k x the mean daily cost at the origin),
go into the same pool, tagged with their origin's days of data, so a young series gets the
quantiles of forecasts made with as little data as it has.
"""

from __future__ import annotations

import numpy as np

from finops_pipeline.forecast.ensemble import started_origins

SEASON = 7
LEVEL_DAYS = 4 * SEASON  # the error unit: mean daily cost of the last 4 weeks (as ensemble.py)


def fallback_errors(
    history: np.ndarray, horizon: int, min_history_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(k, days of data at the origin, scaled error) for every origin with 1 to
    min_history_days - 1 days of data and every k <= horizon known by the last day."""
    y = np.asarray(history, dtype=float)
    last = len(y) - 1
    cumulative = np.concatenate([[0.0], np.cumsum(y)])
    ks, days, errors = [], [], []
    started = started_origins(y, np.arange(len(y)))  # as the ensemble's (ensemble.py)
    for origin in range(min(min_history_days - 1, last)):
        if not started[origin]:
            continue
        seen = y[: origin + 1]
        scale = float(np.abs(seen[-LEVEL_DAYS:]).mean()) or 1.0
        k = np.arange(1, min(horizon, last - origin) + 1)
        actual = cumulative[origin + 1 + k] - cumulative[origin + 1]
        if len(seen) >= SEASON:
            point = np.cumsum(seen[-SEASON:][(k - 1) % SEASON])
        else:
            point = float(np.mean(seen)) * k
        ks.append(k)
        days.append(np.full(len(k), origin + 1))
        errors.append((actual - point) / (k * scale))
    if not ks:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    return np.concatenate(ks), np.concatenate(days), np.concatenate(errors)
