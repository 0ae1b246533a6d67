"""The sum of the next h days: candidates combined, and an interval from true refits.

Combination: the candidates of forecast/local_level.py, weighted by their errors on this
series' own recent past (rolling origin: at each earlier day, each candidate refitted on the
data up to it, scored on the sum of the h days that followed, the horizon being forecast:
which candidate is best a week ahead says little about a month ahead; with fewer than
MIN_SAME_ORIGINS such origins, each scored at the longest horizon it has). Half of each
weight is the constrained least-squares combination: the non-negative weights summing to
one whose combined forecast had the smallest squared error over those origins (Lawson and
Hanson's NNLS, scipy). Not a score per candidate alone: eight of the eleven candidates are
levels over different windows, close cousins whose errors move together, so weights by each
one's own MSE (inverse MSE, even squared) gave that family ~70 % of the weight on trending
series where one trend candidate alone was 10 % closer than the ensemble; least squares on
the errors together sees that a second level adds nothing the first had not, and that a
trend and a level biased the other way cancel. But eleven weights fitted on a few dozen
overlapping windows (a handful of them independent) overfit where errors are heavy-tailed
(one outage decides the fit), so the other half is the per-candidate weighting (inverse
squared MSE: squared because the close cousins' MSEs differ by a few %, and plain inverse
MSE spreads the weight almost evenly): a combination of two combinations, each right where
the other is weak.
Which candidate wins depends on the series (a calm one favours the long levels, one that
steps or ramps the short level or the trend), so nothing is tuned on a data set.

Interval: the same procedure (weights chosen with the data up to each origin, i.e. a true
refit of the whole method, memoised per origin) forecast from each day of the history
(`ORIGIN_DAYS`), and its errors measured on the sums of the days that followed, scaled by the
series' level at that origin. With at least MIN_ORIGINS origins that have the whole horizon h
after them, the interval comes from those errors at the same horizon: their root mean square
sets the scale, and with EMPIRICAL_ORIGINS or more their own (signed) distribution sets the
quantiles, so heavy tails and a method that keeps running low show (a Student t with the
origins' degrees of freedom below that). A shorter history has not seen h days after enough
origins: the error of a k-day sum has a noise part that grows like k and a level part that
grows like k^2 (a level that is off stays off), so the scaled error variance is fitted as
a/k + b over all (origin, k <= h) pairs and extrapolated to h (a 30-day remainder from 40
days of data). With fewer than MIN_ORIGINS origins at all, the noise of the deseasonalised
days gives it: var(sum) = sigma^2 (h + h^2 / n) for a level estimated from n days.
The interval is sampled, so the one-off draws of forecast/model.py add to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.optimize import nnls

from finops_pipeline.forecast.local_level import (
    MAD_SCALE,
    MAX_AHEAD,
    NAMES,
    SEASON,
    candidate_paths,
    weekday_factors,
)

MIN_DAYS = 2 * SEASON  # data up to an origin: two weeks for the weekday factors
ORIGIN_DAYS = 13 * SEASON  # origins evaluated: every day of the default 91-day history
MIN_ORIGINS = 5
MIN_SAME_ORIGINS = 7  # origins with the whole horizon after them, to weight at that horizon
# origins needed before the errors' own distribution (not a t) shapes the interval
EMPIRICAL_ORIGINS = 20
LEVEL_DAYS = 4 * SEASON  # the scale errors are measured in: mean cost of the last 4 weeks
# an origin whose last 4 weeks cost less than this share (1 %) of the series' last 4 weeks
# had not started: its error relative to that near-zero level measures the start, not the
# method (the FOCUS sample's total: cents for 11 days, then $1-2 days, errors of up to
# 200,000x that made its 95 % interval 3,000x its forecast). Its errors stay out of the
# pool and the series' own. Of the generated sets only three provider sums that grew > 100x
# lose any origins (suite-b 0.1 %, suite-c 1.2 % of origins).
STARTED_SHARE = 0.01


@dataclass(frozen=True)
class SumForecast:
    point: float
    sd: float  # standard deviation of the h-day sum's error
    df: float  # degrees of freedom of the t quantiles (inf: normal)
    weights: dict[str, float]
    origins: int  # origins whose errors gave sd (0: the noise formula)
    # standardised past errors (error / its modelled sd); empty: t / normal draws instead
    standardised: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # the combined forecast's signed errors at this horizon, from the origins with the whole
    # horizon after them, scaled by horizon x `scale` (forecast/calibration.py pools them)
    own_errors: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: float = 1.0  # the series' mean daily cost of the last 4 weeks (the error unit)
    # every origin's scaled error at every horizon k <= h known by now, with k and the days
    # of data the origin had: what the series adds to the pool (forecast/calibration.py)
    pool_k: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    pool_days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    pool_errors: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def samples(self, count: int, seed: int) -> np.ndarray:
        """`count` draws of the h-day sum: the point plus sd x a resampled standardised past
        error (with its sign: a method that has been running low on this series gets an
        interval leaning up), or a t / normal draw."""
        rng = np.random.default_rng(seed)
        if len(self.standardised):
            draws = rng.choice(self.standardised, count)
        elif np.isfinite(self.df):
            draws = rng.standard_t(self.df, count)
        else:
            draws = rng.standard_normal(count)
        return self.point + self.sd * draws


def forecast_sum(history: np.ndarray, horizon: int) -> SumForecast:
    """Forecast of the sum of the `horizon` days after `history` (>= MIN_DAYS values).
    Memoised on (history, horizon): the interval calibration pools every series' errors and
    then forecasts each series, so each is computed once."""
    y = np.asarray(history, dtype=float)
    h = max(1, min(int(horizon), MAX_AHEAD))
    return _forecast_sum_cached(y.tobytes(), h)


@lru_cache(maxsize=4096)
def _forecast_sum_cached(raw: bytes, h: int) -> SumForecast:
    y = np.frombuffer(raw, dtype=float)
    last = len(y) - 1
    first = max(MIN_DAYS - 1, last - ORIGIN_DAYS)
    origins = np.arange(first, last + 1)
    # sums[i, c, k-1]: candidate c's forecast, from origin i, of the next k days' sum
    sums = np.cumsum(np.stack([candidate_paths(y[: o + 1]) for o in origins]), axis=2)
    cumulative = np.concatenate([[0.0], np.cumsum(y)])
    ks = np.arange(1, MAX_AHEAD + 1)
    ends = origins[:, None] + ks[None, :]
    valid = ends <= last
    actual = np.where(
        valid, cumulative[np.minimum(ends, last) + 1] - cumulative[origins + 1][:, None], np.nan
    )
    scale = np.array([_level(y[: o + 1]) for o in origins])
    started = started_origins(y, origins)
    errors = (actual[:, None, :] - sums) / (ks[None, None, :] * scale[:, None, None])
    weights = np.stack([_weights(errors, i, h) for i in range(len(origins))])
    combined = np.einsum("ic,ick->ik", weights, sums)
    point = float(combined[-1, h - 1])
    names = dict(zip(NAMES, (round(float(w), 3) for w in weights[-1]), strict=True))
    scaled = (actual - combined) / (ks[None, :] * scale[:, None])
    used = valid[:, :h] & np.isfinite(scaled[:, :h]) & started[:, None]
    n_origins = int(np.any(used, axis=1).sum())
    same = used[:, h - 1]  # origins with the whole horizon after them
    # errors that speak for this forecast: from origins that had about as much history (a
    # level and weekday factors from two weeks miss by far more than from four)
    comparable = same & (origins + 1 >= min(len(y), LEVEL_DAYS))
    rows, cols = np.nonzero(used)
    own = {
        "own_errors": scaled[comparable, h - 1].copy(),
        "scale": float(scale[-1]),
        "pool_k": cols + 1,
        "pool_days": origins[rows] + 1,
        "pool_errors": scaled[:, :h][used],
    }
    if n_origins < MIN_ORIGINS:
        return SumForecast(point, _noise_sd(y, h), float("inf"), names, 0, **own)
    if same.sum() >= MIN_ORIGINS:
        # the errors of the same forecast at the same horizon, as they are
        errors_h = scaled[same, h - 1]
        rms = float(np.sqrt(np.mean(errors_h**2)))
        sd = rms * h * scale[-1]
        n_same = int(same.sum())
        standardised = errors_h / rms if n_same >= EMPIRICAL_ORIGINS and rms > 0 else np.zeros(0)
        return SumForecast(point, sd, float(max(n_same - 1, 2)), names, n_same, standardised, **own)
    k = np.broadcast_to(ks[None, :h], used.shape)[used]
    a, b = _variance_model(1.0 / k, scaled[:, :h][used] ** 2)
    sd = float(np.sqrt(a / h + b)) * h * scale[-1]
    standardised = np.zeros(0)
    if n_origins >= EMPIRICAL_ORIGINS:
        spread = np.sqrt(a / k + b)
        ok = spread > 0
        standardised = scaled[:, :h][used][ok] / spread[ok]
    df = float(max(n_origins - 1, 2))
    return SumForecast(point, sd, df, names, n_origins, standardised, **own)


def started_origins(y: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """Which origins had a level of at least STARTED_SHARE of the series' current one (mean
    absolute cost of the last LEVEL_DAYS days at each)."""
    magnitude = np.concatenate([[0.0], np.cumsum(np.abs(y))])
    ends = np.asarray(origins) + 1
    starts = np.maximum(ends - LEVEL_DAYS, 0)
    level = (magnitude[ends] - magnitude[starts]) / (ends - starts)
    current = (magnitude[-1] - magnitude[max(len(y) - LEVEL_DAYS, 0)]) / min(len(y), LEVEL_DAYS)
    return level >= STARTED_SHARE * current


def _level(y: np.ndarray) -> float:
    recent = np.abs(y[-LEVEL_DAYS:])
    value = float(recent.mean()) if len(recent) else 0.0
    return value if value > 0 else 1.0


def _weights(errors: np.ndarray, i: int, h: int) -> np.ndarray:
    """Weights at origin i from the origins before it: those with the whole horizon h known
    by origin i, scored at h, when there are MIN_SAME_ORIGINS of them; otherwise all, each
    scored at the longest horizon (<= h) known by origin i. Equal weights without any
    earlier origin."""
    count = errors.shape[1]
    if i == 0:
        return np.full(count, 1.0 / count)
    earlier = np.arange(i)
    whole = earlier[i - earlier >= h]
    if len(whole) >= MIN_SAME_ORIGINS:
        rows = errors[whole, :, h - 1]
    else:
        k = np.minimum(h, i - earlier)
        rows = errors[earlier, :, k - 1]
    return combination_weights(rows)


def combination_weights(errors: np.ndarray) -> np.ndarray:
    """Weights of the candidates (columns) from their errors at past origins (rows): the
    average of least_squares_weights and inverse squared-MSE weights (the module's
    docstring says why both). Equal weights without finite errors."""
    count = errors.shape[1]
    mse = np.nanmean(errors**2, axis=0) if len(errors) else np.full(count, np.nan)
    if not np.all(np.isfinite(mse)):
        return np.full(count, 1.0 / count)
    inverse = 1.0 / np.maximum(mse, 1e-12) ** 2
    per_candidate = inverse / inverse.sum()
    together = least_squares_weights(errors)
    return per_candidate if together is None else 0.5 * (together + per_candidate)


def least_squares_weights(errors: np.ndarray) -> np.ndarray | None:
    """Non-negative weights summing to one that minimise the squared error of the combined
    forecast, sum_i (sum_c w_c errors[i, c])^2, over past origins i (rows) of candidates c
    (columns); None when an error is not finite or every weight is zero. The sum-to-one
    constraint is a heavy extra row of the least squares (Lawson and Hanson's weighting
    method), then made exact."""
    if not len(errors) or not np.all(np.isfinite(errors)):
        return None
    count = errors.shape[1]
    heavy = 10.0 * max(float(np.sqrt(np.mean(errors**2))), 1e-9) * np.sqrt(len(errors))
    design = np.vstack([errors, np.full((1, count), heavy)])
    target = np.concatenate([np.zeros(len(errors)), [heavy]])
    weights, _ = nnls(design, target)
    return weights / weights.sum() if weights.sum() > 0 else None


def _variance_model(x: np.ndarray, e2: np.ndarray) -> tuple[float, float]:
    """Non-negative least squares of e2 = a x + b (x = 1/k)."""
    design = np.column_stack([x, np.ones_like(x)])
    (a, b), *_ = np.linalg.lstsq(design, e2, rcond=None)
    if a < 0:
        a, b = 0.0, float(e2.mean())
    elif b < 0:
        a, b = float((x @ e2) / (x @ x)), 0.0
    return float(a), float(b)


def _noise_sd(y: np.ndarray, h: int) -> float:
    """sd of an h-day sum when the level comes from ~a week of days with iid noise."""
    factors, multiplicative = weekday_factors(y)
    n = len(y)
    position = (np.arange(n) - (n - 1) + SEASON - 1) % SEASON
    z = y / factors[position] if multiplicative else y - factors[position]
    z = z[-4 * SEASON :]
    sigma = MAD_SCALE * float(np.median(np.abs(z - np.median(z))))
    if multiplicative:
        sigma *= float(np.mean(factors))
    days = min(len(z), SEASON)
    return sigma * float(np.sqrt(h + h * h / days))
