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
  usual size; a bigger excess is still judged. An excess counts when it was beyond
  z_continue, not only beyond z_open: a fee a fifth of an account's noisy day is below z_open
  in most months, so it never counted as usual, and the month its noise pushed it past
  z_open was an alarm (the independent suite's unlabelled support fee, on two 1sts of one
  account). Only an isolated excess counts (a shift that covered the same date last month is
  no fee), and the series' unjudged first days are re-judged for this once a baseline exists
  (the 1st of the first month).

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
from datetime import date

import numpy as np
from scipy import sparse
from scipy.special import ndtri, stdtr

from finops_pipeline.anomalies.monthly import (
    delta_of,
    early_cut,
    early_median,
    month_echo_days,
    recheck_first_days,
)
from finops_pipeline.anomalies.monthly import (
    echo as monthly_echo,
)
from finops_pipeline.anomalies.season import ModelParams, Season

__all__ = ["ModelOutput", "ModelParams", "Run", "run_model"]

Z_CAP = 50.0
RETURN_H = 3.0  # an event closes after ~3 quiet days (sum of 1 - z reaches 3)


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


def run_model(
    y: np.ndarray,
    starts: np.ndarray,
    days: list[date],
    p: ModelParams | None = None,
    children: sparse.csr_matrix | None = None,
) -> ModelOutput:
    """Judge every series (rows of y, NaN before each row's start) on every day.

    `children` (n_series x n_series, 1 where column c's charges are part of row r's): a
    parent expects on a day at least the sum of its children's usual monthly excess there,
    so a fee its own noise hides (three accounts' fees, an eighth of the provider's day) is
    not an alarm the month the noise lifts it, while the fee's own series shows it."""
    p = p or ModelParams()
    n_series, n_days = y.shape
    width = 7 * p.window_weeks
    pad = np.full((n_series, width), np.nan)
    values = np.hstack([pad, y])
    delta = np.array([delta_of(row[s : s + 14]) for row, s in zip(y, starts, strict=True)])
    logs = np.log(np.maximum(values, 0.0) + delta[:, None])
    clean = ~np.isnan(values)
    expected = np.full((n_series, n_days), np.nan)
    zs = np.full((n_series, n_days), np.nan)
    resid = np.full((n_series, n_days), np.nan)
    excess = np.full((n_series, n_days), np.nan)  # money over the baseline
    strong = np.zeros((n_series, n_days), dtype=bool)  # excess large enough to recur (z_continue)
    first_days = [row[s : s + p.min_history_days] for row, s in zip(y, starts, strict=True)]
    early = np.array([early_median(f) for f in first_days])
    # an excess in the first days stands out if it is 25% of the typical day and beyond 3
    # robust sd of those days (a weekly pattern is not an excess)
    early_cuts = np.array([early_cut(f) for f in first_days])
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
    season = Season(n_series, p)
    for i in range(n_days):
        col = i + width
        age = i - starts
        have = ~np.isnan(values[:, col])
        young = have & (age >= 0) & (age < p.min_history_days - 1)
        excess[young, i] = values[young, col] - early[young]
        strong[young, i] = excess[young, i] > early_cuts[young]
        # a one-off excess in the first days (a fee on day 1) must not become a weekday effect
        clean[young & strong[:, i], col] = False
        judged = have & (age >= p.min_history_days - 1)
        if not judged.any():
            continue
        refit = judged & (season.dirty | (age < 4 * 7) | (i - season.fitted_on >= 7))
        season.fit(rows[refit], logs[:, col - width : col], clean[:, col - width : col], i, dows[i])
        mu, spread, df = season.predict(logs, clean, col, dows, i, judged)
        base = np.maximum(np.exp(mu) - delta, 0.0)
        recheck_first_days(
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
        usual = np.where(sign == 0, monthly_echo(excess, strong, echoes[i]), 0.0)
        if children is not None:
            usual = np.where(sign == 0, np.maximum(usual, children @ usual), 0.0)
        actual = values[:, col]
        applied = np.minimum(usual, np.maximum(actual - base, 0.0))
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
        strong[ok, i] = z_raw[ok] >= p.z_continue
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


def _z(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Normal z with the same (one-sided) tail probability as Student t, signed."""
    with np.errstate(invalid="ignore"):
        tail = stdtr(df, -np.abs(t))
        z = -ndtri(np.clip(tail, 1e-300, 0.5))
    return np.clip(np.sign(t) * z, -Z_CAP, Z_CAP)
