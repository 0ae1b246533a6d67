"""The slowly moving part of the baseline: weekday effects, their shrinkage, the noise.

See model.py for the whole model; this module holds its estimators (robust, vectorised over
series) and the parameters they share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAD_TO_SIGMA = 1.4826
# var(25%-trimmed mean of m normal points) ~ 1.2 sigma^2 / m (a median: pi/2 = 1.57): robust
# to one outlier in four and nearly as efficient as a mean
MEDIAN_VAR = 1.2
# degrees of freedom per difference: adjacent differences share a day (correlation -0.5,
# ~2/3 of the information), and the clipped RMS keeps ~90% of a variance's efficiency
NOISE_DF = 0.6


@dataclass(frozen=True)
class ModelParams:
    min_history_days: int = 10
    window_weeks: int = 8
    level_days: int = 14
    z_open: float = 4.0
    z_continue: float = 2.0
    cusum_k: float = 1.0
    cusum_h: float = 4.0
    prior_noise: float = 0.10
    prior_weight: float = 3.0
    min_noise: float = 0.03
    accept_days: int = 56


def nanmedian(a: np.ndarray, axis: int) -> np.ndarray:
    """Median ignoring NaN (NaN where all are NaN); sort-based, much faster than np.nanmedian
    on many short rows."""
    s = np.sort(a, axis=axis)
    n = np.sum(~np.isnan(a), axis=axis, keepdims=True)
    lo = np.take_along_axis(s, np.maximum((n - 1) // 2, 0), axis=axis)
    hi = np.take_along_axis(s, np.maximum(n // 2, 0), axis=axis)
    out = np.where(n > 0, (lo + hi) / 2, np.nan)
    return np.squeeze(out, axis=axis)


def trimmed_mean(a: np.ndarray, axis: int) -> np.ndarray:
    """Mean of the middle half (25% cut at each end) ignoring NaN; NaN where all are NaN."""
    s = np.sort(a, axis=axis)
    n = np.sum(~np.isnan(a), axis=axis, keepdims=True)
    rank = np.arange(a.shape[axis]).reshape(
        [-1 if d == axis % a.ndim else 1 for d in range(a.ndim)]
    )
    cut = n // 4
    keep = (rank >= cut) & (rank < n - cut)
    total = np.sum(np.where(keep, np.nan_to_num(s), 0.0), axis=axis)
    count = np.sum(keep, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


class Season:
    """Weekday effects (by calendar weekday), their shrinkage and the pooled noise per series.

    They move slowly, so a series is refitted weekly, daily while young, and at once when a
    back-dated alarm or an accepted shift changed which of its past days are clean; the
    level is re-estimated every day (`predict`)."""

    def __init__(self, n_series: int, p: ModelParams) -> None:
        self.p = p
        self.wday = np.zeros((n_series, 7))
        self.shrink = np.zeros((n_series, 7))
        self.count = np.zeros((n_series, 7))
        self.noise2 = np.full(n_series, max(p.prior_noise, p.min_noise) ** 2)
        self.nu = np.full(n_series, p.prior_weight)
        self.fitted_on = np.full(n_series, -(10**9))
        self.dirty = np.zeros(n_series, dtype=bool)

    def fit(self, idx: np.ndarray, logs: np.ndarray, clean: np.ndarray, day: int, dow: int) -> None:
        """Refit rows `idx` on the window before `day` (its first column has `dow`)."""
        if not idx.size:
            return
        p = self.p
        flat = np.where(clean[idx], logs[idx], np.nan)
        # each day against the mean of a complete 7-day run that holds it (nearest centred
        # first): a whole week has every weekday once, so its mean is the level whatever
        # the weekly pattern (a median or a partial week would be pulled by deep weekends)
        x = (flat - _week_means(flat)).reshape(idx.size, p.window_weeks, 7)
        wday = np.nan_to_num(trimmed_mean(x, axis=1))
        m = np.sum(~np.isnan(x), axis=1)  # points per weekday
        seen = m > 0
        n_seen = np.maximum(seen.sum(axis=1), 1)
        wday = np.where(seen, wday - (np.where(seen, wday, 0).sum(axis=1) / n_seen)[:, None], 0.0)
        # noise from day-to-day differences of the deseasonalised values: nearly every point
        # counts from day 10 on, and no level is fitted in them. A clipped RMS (outliers cut
        # at 3.5 robust sd) keeps most of the efficiency of a variance. Two passes: the
        # shrinkage needs the noise (first guess: the prior), the noise needs the shrunk
        # effects; removing effects estimated from the same days takes ~B/m of each day's
        # variance away, which is given back.
        noise2 = np.full(idx.size, max(p.prior_noise, p.min_noise) ** 2)
        for _ in range(2):
            v = np.where(seen, MEDIAN_VAR * noise2[:, None] / np.maximum(m, 1), np.inf)
            mean_v = np.where(seen, v, 0).sum(axis=1) / n_seen
            tau2 = np.maximum((wday**2).sum(axis=1) / n_seen - mean_v, 0.0)
            shrink = np.nan_to_num(
                np.where(seen, tau2[:, None] / (tau2[:, None] + v), 0.0), nan=1.0
            )
            deseason = flat - np.tile(shrink * wday, p.window_weeks)
            diffs = deseason[:, 1:] - deseason[:, :-1]
            n_diff = np.sum(~np.isnan(diffs), axis=1)
            centre = np.nan_to_num(nanmedian(diffs, axis=1))
            mad = np.nan_to_num(nanmedian(np.abs(diffs - centre[:, None]), axis=1))
            cut = 3.5 * MAD_TO_SIGMA * np.maximum(mad, 1e-9)
            clipped = np.clip(diffs, -cut[:, None], cut[:, None])
            sigma2 = np.nansum(clipped**2, axis=1) / np.maximum(n_diff, 1) / 2
            fitted = np.where(seen, shrink / np.maximum(m, 1), 0).sum(axis=1) / n_seen
            sigma2 = sigma2 / np.maximum(1 - fitted, 0.5)
            nu = NOISE_DF * n_diff
            # the prior may widen a young estimate (nine quiet days can look like 1% noise),
            # never narrow one: pooling a 30%-noise series with a 10% prior would halve its
            # spread and flood it with alarms. Degrees of freedom: the prior's only if it won.
            prior = p.prior_weight * p.prior_noise**2
            pooled = (prior + nu * sigma2) / np.maximum(p.prior_weight + nu, 1e-9)
            widened = pooled > sigma2
            noise2 = np.maximum(np.maximum(pooled, sigma2), p.min_noise**2)
        nu = nu + np.where(widened, p.prior_weight, 0.0)
        weekday = (dow + np.arange(7)) % 7  # window position -> calendar weekday
        # a weekday with no complete week around it in this window (the window is mostly
        # inside an event) keeps what was learnt before
        cells = np.ix_(idx, weekday)
        self.wday[cells] = np.where(seen, shrink * wday, self.wday[cells])
        self.shrink[cells] = np.where(seen, shrink, self.shrink[cells])
        self.count[cells] = np.where(seen, m, self.count[cells])
        self.noise2[idx] = noise2
        self.nu[idx] = nu
        self.fitted_on[idx] = day
        self.dirty[idx] = False

    def predict(
        self,
        logs: np.ndarray,
        clean: np.ndarray,
        col: int,
        dows: np.ndarray,
        day: int,
        rows: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Predicted log value, predictive spread and t degrees of freedom for `day`."""
        p = self.p
        lo = col - p.level_days
        past = (dows[day] - p.level_days + np.arange(p.level_days)) % 7
        x = np.where(clean[:, lo:col], logs[:, lo:col], np.nan) - self.wday[:, past]
        n_level = np.sum(~np.isnan(x), axis=1)
        level = trimmed_mean(x, axis=1)
        thin = rows & (n_level < 3)
        if thin.any():  # the recent days are mostly inside an event: use the whole window
            width = 7 * p.window_weeks
            span = (dows[day] - width + np.arange(width)) % 7
            wide = np.where(clean[thin, col - width : col], logs[thin, col - width : col], np.nan)
            wide = wide - self.wday[np.ix_(np.nonzero(thin)[0], span)]
            level[thin] = trimmed_mean(wide, axis=1)
            n_level[thin] = np.sum(~np.isnan(wide), axis=1)
        k = dows[day]
        noise2 = self.noise2
        weekday_var = self.shrink[:, k] * MEDIAN_VAR * noise2 / np.maximum(self.count[:, k], 1)
        spread = np.sqrt(noise2 * (1 + MEDIAN_VAR / np.maximum(n_level, 1)) + weekday_var)
        return level + self.wday[:, k], spread, np.maximum(self.nu, 1.0)


def _week_means(flat: np.ndarray) -> np.ndarray:
    """Per day, the mean of a complete (all clean) run of 7 days containing it, else NaN."""
    n_series, width = flat.shape
    filled = np.nan_to_num(flat)
    present = (~np.isnan(flat)).astype(float)
    csum = np.hstack([np.zeros((n_series, 1)), np.cumsum(filled, axis=1)])
    ccount = np.hstack([np.zeros((n_series, 1)), np.cumsum(present, axis=1)])
    means = (csum[:, 7:] - csum[:, :-7]) / 7  # run starting at s
    full = (ccount[:, 7:] - ccount[:, :-7]) == 7
    means = np.where(full, means, np.nan)
    out = np.full((n_series, width), np.nan)
    for offset in (3, 2, 4, 1, 5, 0, 6):
        lo, hi = max(offset, 0), min(width, width - 6 + offset)
        take = means[:, lo - offset : hi - offset]
        part = out[:, lo:hi]
        out[:, lo:hi] = np.where(np.isnan(part), take, part)
    return out
