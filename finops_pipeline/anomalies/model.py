"""The daily baseline and the alarm rules, for many cost series at once (numpy, no warehouse).

All series share one calendar axis (column = day), so day by day every series is judged in
one vectorised step; only the alarm bookkeeping is per series. Per series and day i, using
the series' own *clean* history before i (days inside an anomaly are left out, so a spike
does not lift next week's baseline and a shift stays visible):

* log scale: u = log(cost + delta). Cost noise is proportional to the level, and a weekday
  factor is additive on this scale; delta (5% of the early typical cost) keeps zeros finite.
* weekday effects: each clean day of the trailing `window_weeks` against the mean of a
  complete 7-day run holding it (a whole week is the level whatever the weekly pattern),
  median per weekday; the effects are shrunk toward 0 (factor 1) by empirical Bayes: B_k = tau^2 / (tau^2 + v_k), v_k = (pi/2) sigma^2 / m_k the sampling
  variance of a median of m_k points, tau^2 the spread of the effects beyond that noise. A
  young series with one Saturday seen keeps a weekend dip only if it is large against the
  noise; an old one keeps its full weekly pattern: the short-history model and the seasonal
  one are the same estimator, the data decide how much season there is.
* level: the median of the deseasonalised clean values of the last `level_days` days.
* noise: clipped RMS of the day-to-day differences of the deseasonalised values (no level
  fitted in them, so no in-sample shrinkage), with NOISE_DF degrees of freedom per
  difference, pooled with a weak prior (`prior_noise` worth `prior_weight` days) that may
  widen the estimate but never narrow it: a 9-day history cannot tell 2% noise from 10%,
  and pretending it can floods the first weeks; a noisy series keeps its own wide spread.
* z: the day's residual over the predictive spread (noise plus the level's and weekday
  effect's own uncertainty), read through Student t with those degrees of freedom (plus
  prior_weight when the prior widened the estimate) and returned as the normal z of the same tail probability. A young baseline thus
  needs a larger deviation for the same z: the score carries the baseline's uncertainty.
* monthly charges: a positive excess on the same day of the month (or the month's last day)
  in most of the previous 1-3 months is expected again (a support fee on the 1st), up to its
  usual size; a bigger excess is still judged. Only an isolated excess counts (a shift that
  covered the same date last month is no fee), and the series' unjudged first days are
  re-judged for this once a baseline exists (the 1st of the first month).

Alarm rules (two-sided), on judged days (from the `min_history_days`-th day of the series):
a day with |z| >= z_open opens an event; a CUSUM of z (reference k, decision h) opens one
for a persistent move no single day shows (a level shift, a ramp), back-dated to where the
CUSUM left zero. An event goes on until a CUSUM for the return to the baseline fires (about
three quiet days; one quiet day does not split a moderate shift in two) and ends at its last
day beyond z_continue; after `accept_days` the new level is taken as normal (its recent days
rejoin the baseline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy.special import ndtri, stdtr

MAD_TO_SIGMA = 1.4826
# var(25%-trimmed mean of m normal points) ~ 1.2 sigma^2 / m (a median: pi/2 = 1.57): robust
# to one outlier in four and nearly as efficient as a mean
MEDIAN_VAR = 1.2
# degrees of freedom per difference: adjacent differences share a day (correlation -0.5,
# ~2/3 of the information), and the clipped RMS keeps ~90% of a variance's efficiency
NOISE_DF = 0.6
Z_CAP = 50.0
RETURN_H = 3.0  # an event closes after ~3 quiet days (sum of 1 - z reaches 3)


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


@dataclass
class Run:
    """Days start..end (axis indexes) of one flagged move of series `row`."""

    row: int
    start: int
    end: int
    sign: int
    alarm: int  # the day the rule fired (>= start for a back-dated CUSUM run)
    rule: str  # point | cusum


@dataclass
class ModelOutput:
    expected: np.ndarray  # money, NaN where the day was not judged
    z: np.ndarray
    resid: np.ndarray  # log residual u - mu
    runs: list[Run]


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


def month_echo_days(days: list[date]) -> list[list[int]]:
    """For each day, the axis indexes of the same day of the month 1-3 months back (and, on a
    month's last day, the previous months' last days)."""
    index = {d: i for i, d in enumerate(days)}
    out = []
    for d in days:
        found = []
        for back in (1, 2, 3):
            y, m = divmod(d.month - 1 - back, 12)
            year, month = d.year + y, m + 1
            try:
                same = date(year, month, d.day)
            except ValueError:
                same = None
            if same in index:
                found.append(index[same])
            if (d + timedelta(days=1)).day == 1:
                last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
                if last in index and index[last] not in found:
                    found.append(index[last])
        out.append(found)
    return out


def run_model(
    y: np.ndarray, starts: np.ndarray, days: list[date], p: ModelParams | None = None
) -> ModelOutput:
    """Judge every series (rows of y, NaN before each row's start) on every day."""
    p = p or ModelParams()
    n_series, n_days = y.shape
    width = 7 * p.window_weeks
    pad = np.full((n_series, width), np.nan)
    values = np.hstack([pad, y])
    delta = np.array([_delta(row[s : s + 14]) for row, s in zip(y, starts, strict=True)])
    logs = np.log(np.maximum(values, 0.0) + delta[:, None])
    clean = ~np.isnan(values)
    expected = np.full((n_series, n_days), np.nan)
    zs = np.full((n_series, n_days), np.nan)
    resid = np.full((n_series, n_days), np.nan)
    excess = np.full((n_series, n_days), np.nan)  # money over the baseline
    strong = np.zeros((n_series, n_days), dtype=bool)  # excess large enough to recur
    first_days = [row[s : s + p.min_history_days] for row, s in zip(y, starts, strict=True)]
    early = np.array([_early_median(f) for f in first_days])
    # an excess in the first days stands out if it is 25% of the typical day and beyond 3
    # robust sd of those days (a weekly pattern is not an excess)
    early_cut = np.array([_early_cut(f) for f in first_days])
    echoes = month_echo_days(days)
    sign = np.zeros(n_series, dtype=int)
    ev_start = np.zeros(n_series, dtype=int)
    ev_alarm = np.zeros(n_series, dtype=int)
    ev_rule = np.array(["point"] * n_series, dtype=object)
    cus = np.zeros((2, n_series))
    cus_start = np.zeros((2, n_series), dtype=int)
    back = np.zeros(n_series)  # CUSUM of the return to the baseline, inside an event
    last_strong = np.zeros(n_series, dtype=int)
    runs: list[Run] = []
    rows = np.arange(n_series)
    dows = np.array([d.weekday() for d in days])
    season = _Season(n_series, p)
    for i in range(n_days):
        col = i + width
        age = i - starts
        have = ~np.isnan(values[:, col])
        young = have & (age >= 0) & (age < p.min_history_days - 1)
        excess[young, i] = values[young, col] - early[young]
        strong[young, i] = excess[young, i] > early_cut[young]
        # a one-off excess in the first days (a fee on day 1) must not become a weekday effect
        clean[young & strong[:, i], col] = False
        judged = have & (age >= p.min_history_days - 1)
        if not judged.any():
            continue
        refit = judged & (season.dirty | (age < 4 * 7) | (i - season.fitted_on >= 7))
        season.fit(rows[refit], logs[:, col - width : col], clean[:, col - width : col], i, dows[i])
        mu, spread, df = season.predict(logs, clean, col, dows, i, judged)
        base = np.maximum(np.exp(mu) - delta, 0.0)
        _recheck_first_days(
            echoes[i],
            starts,
            p,
            logs,
            values,
            delta,
            season,
            mu,
            spread,
            dows,
            i,
            width,
            judged,
            excess,
            strong,
        )
        echo = np.where(sign == 0, _echo(excess, strong, echoes[i]), 0.0)
        actual = values[:, col]
        applied = np.minimum(echo, np.maximum(actual - base, 0.0))
        adjusted = np.log(np.maximum(actual - applied, 0.0) + delta)
        z = _z((adjusted - mu) / spread, df)
        z_raw = z.copy()
        if (applied > 0).any():
            z_raw[applied > 0] = _z(((logs[:, col] - mu) / spread)[applied > 0], df[applied > 0])
        ok = judged & ~np.isnan(z)
        expected[ok, i] = (base + applied)[ok]
        zs[ok, i] = z[ok]
        resid[ok, i] = (adjusted - mu)[ok]
        logs[ok, col] = adjusted[ok]
        excess[ok, i] = (actual - base)[ok]
        strong[ok, i] = z_raw[ok] >= p.z_open
        # events already open: a CUSUM for the return to the baseline (reference 1, decision
        # RETURN_H) closes them, so one quiet day does not split a moderate level shift in
        # two; the closed run ends at its last day beyond z_continue
        going = ok & (sign != 0)
        toward = np.where(going, z * sign, 0.0)
        back[going] = np.maximum(back[going] + 1.0 - toward[going], 0.0)
        last_strong[going & (toward >= p.z_continue)] = i
        accept = going & (i - ev_start >= p.accept_days)
        ends = going & ((back >= RETURN_H) | (toward <= -p.z_continue) | accept)
        for r in rows[ends | ((sign != 0) & ~ok)]:
            end = i - 1 if accept[r] else int(last_strong[r])
            runs.append(
                Run(int(r), int(ev_start[r]), end, int(sign[r]), int(ev_alarm[r]), ev_rule[r])
            )
            lo = max(i - p.level_days, int(ev_start[r])) if accept[r] else end + 1
            clean[r, lo + width : col + 1] = True
            season.dirty[r] = True
            sign[r] = 0
        clean[going & ~ends, col] = False
        # new events: one day beyond z_open, else a CUSUM alarm
        free = ok & (sign == 0) & ~accept
        point = free & (np.abs(z) >= p.z_open)
        for k, direction in enumerate((1, -1)):
            step = np.where(free & ~point, z * direction - p.cusum_k, 0.0)
            was_zero = cus[k] <= 0
            cus[k] = np.where(free & ~point, np.maximum(cus[k] + step, 0.0), 0.0)
            cus_start[k] = np.where(was_zero & (cus[k] > 0), i, cus_start[k])
        for r in rows[point]:
            sign[r], ev_start[r], ev_alarm[r], ev_rule[r] = (1 if z[r] > 0 else -1), i, i, "point"
            clean[r, col] = False
            cus[:, r], back[r], last_strong[r] = 0.0, 0.0, i
        for k, direction in enumerate((1, -1)):
            for r in rows[free & ~point & (cus[k] >= p.cusum_h) & (sign == 0)]:
                sign[r], ev_start[r], ev_alarm[r], ev_rule[r] = (
                    direction,
                    cus_start[k, r],
                    i,
                    "cusum",
                )
                clean[r, cus_start[k, r] + width : col + 1] = False
                season.dirty[r] = True
                cus[:, r], back[r], last_strong[r] = 0.0, 0.0, i
    for r in rows[sign != 0]:
        end = int(last_strong[r])
        runs.append(Run(int(r), int(ev_start[r]), end, int(sign[r]), int(ev_alarm[r]), ev_rule[r]))
    runs.sort(key=lambda run: (run.row, run.start))
    return ModelOutput(expected, zs, resid, runs)


def _delta(first: np.ndarray) -> float:
    positive = first[(first > 0) & ~np.isnan(first)]
    return max(0.05 * float(np.median(positive)), 1e-6) if positive.size else 1e-6


def _early_median(first: np.ndarray) -> float:
    first = first[~np.isnan(first)]
    return float(np.median(first)) if first.size else 0.0


def _recheck_first_days(
    back: list[int],
    starts: np.ndarray,
    p: ModelParams,
    logs: np.ndarray,
    values: np.ndarray,
    delta: np.ndarray,
    season: _Season,
    mu: np.ndarray,
    spread: np.ndarray,
    dows: np.ndarray,
    day: int,
    width: int,
    judged: np.ndarray,
    excess: np.ndarray,
    strong: np.ndarray,
) -> None:
    """Judge again, with today's baseline, the same day of earlier months when it fell in a
    series' unjudged first days: the 1st of the first month carries the fee that recurs
    on every 1st, but nine days could not tell it from a weekly pattern."""
    for j in back:
        rows = judged & (j - starts >= 0) & (j - starts < p.min_history_days - 1)
        if not rows.any():
            continue
        level = mu - season.wday[:, dows[day]]
        mu_j = level + season.wday[:, dows[j]]
        z = (logs[:, j + width] - mu_j) / spread
        base = np.maximum(np.exp(mu_j) - delta, 0.0)
        excess[rows, j] = (values[:, j + width] - base)[rows]
        strong[rows, j] = (z >= p.z_open)[rows]


def _early_cut(first: np.ndarray) -> float:
    first = first[~np.isnan(first)]
    if not first.size:
        return np.inf
    median = float(np.median(first))
    spread = MAD_TO_SIGMA * float(np.median(np.abs(first - median)))
    return max(0.25 * median, 3 * spread, 1e-9)


def _echo(excess: np.ndarray, strong: np.ndarray, back: list[int]) -> np.ndarray:
    """The usual excess of this day of the month, where most earlier months had one.

    Only an isolated excess counts (the days either side of it were not in excess): a fee
    is one day; a shift that happened to cover the same date last month is not a fee."""
    if not back:
        return np.zeros(excess.shape[0])
    edge = np.zeros((strong.shape[0], 1), dtype=bool)
    padded = np.hstack([edge, strong, edge])  # no day before the first or after the last
    alone = strong[:, back] & ~padded[:, back] & ~padded[:, [j + 2 for j in back]]
    past = excess[:, back]
    seen = ~np.isnan(past)
    hits = (alone & seen).sum(axis=1)
    usual = np.nan_to_num(nanmedian(np.where(alone, past, np.nan), axis=1))
    recurs = (hits > 0) & (2 * hits >= seen.sum(axis=1))
    return np.where(recurs, np.maximum(usual, 0.0), 0.0)


class _Season:
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


def _z(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Normal z with the same (one-sided) tail probability as Student t, signed."""
    with np.errstate(invalid="ignore"):
        tail = stdtr(df, -np.abs(t))
        z = -ndtri(np.clip(tail, 1e-300, 0.5))
    return np.clip(np.sign(t) * z, -Z_CAP, Z_CAP)
