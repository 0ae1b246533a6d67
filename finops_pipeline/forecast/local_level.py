"""Point forecasts of a daily cost series: robust local levels with weekday factors.

Why not one global fit: cloud spend is a level that moves in steps (a cluster added, a
migration finished) and ramps, on top of a weekday/weekend pattern. A global model (ETS, a
regression over the whole history) treats a step as noise for weeks, or a one-day fee as a
weekday effect. These candidates look at the recent past only, and cut it at a detected level
change, so the forecast follows a step within 2-3 days:

- weekday factors (multiplicative; additive when a weekday costs ~nothing): from up to
  `FACTOR_WEEKS` trailing weeks, each week divided by its own mean (so drift and steps
  between weeks do not leak into the pattern), median per weekday (a one-day spike does not
  move it), shrunk towards "no pattern" by how noisy it is (James-Stein);
- a level change: the split of the last `CHANGE_WINDOW` deseasonalised days whose medians
  before and after differ most, relative to the noise; taken when that robust t-statistic
  exceeds `CHANGE_T` (days before it are then ignored by every candidate);
- candidates: robust mean level of the last 3, 7, 14 or 28 days since the change, and a
  damped Theil-Sen trend on the last 28 (a ramp) or 56 days (steady growth) since the change
  (damping so a trend is not extrapolated further than about half the window it was seen on);
- the last week repeated (seasonal naive), which is hard to beat a few days ahead; a day
  far outside the recent range is not repeated;
- plain ones, with no weekday factors, no trimming and no cut: the mean of the last 7 and
  14 days (run rates) and the last week repeated as it was. Trimming a spike is right when
  spikes do not come back, and biased low when they do (batch bursts, month-end closing
  jobs): the sum to forecast holds the spikes too. Which holds for a series is the
  rolling-origin validation's call (forecast/ensemble.py), not a setting. One thing they do
  take out: a single day of the last two weeks beyond anything the weeks before saw, with
  no neighbour beyond it too (`isolated_days_clipped`): nothing says yet that it recurs,
  while two such days in a row (a burst, a step) are kept.

`candidate_paths` is pure and memoised on its input window, so rolling-origin evaluations
(forecast/ensemble.py) refit each origin once per series, however many as-of days ask.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SEASON = 7
MAX_AHEAD = 31  # the longest remainder of a month, in days
FACTOR_WEEKS = 8
WINDOW = FACTOR_WEEKS * SEASON  # trailing days a candidate looks at
CHANGE_WINDOW = 28
# robust t-statistic of a level change: ~2 % of 28-day windows of pure Gaussian or t(4) noise
# get a false cut (simulated under no change; 3.0 would cut 31 %)
CHANGE_T = 5.5
LEVEL_DAYS = (3, 7, 14, 28)
TREND_DAYS = (28, 56)  # a recent ramp, and steady growth
TREND_MIN_DAYS = 14
MEAN_DAYS = (7, 14)  # plain run rates
NAMES = (
    *(f"level{n}" for n in LEVEL_DAYS),
    *(f"trend{n}" for n in TREND_DAYS),
    "seasonal_naive",
    *(f"mean{n}" for n in MEAN_DAYS),
    "last_week",
)
ROBUST = len(LEVEL_DAYS) + len(TREND_DAYS) + 1  # the candidates above the plain ones
MAD_SCALE = 1.4826  # MAD -> standard deviation for normal noise


def candidate_paths(window: np.ndarray) -> np.ndarray:
    """Daily forecasts (len(NAMES) x MAX_AHEAD) of the days after `window` (its last value is
    the last known day; at most the trailing WINDOW days are used)."""
    window = np.asarray(window, dtype=float)[-WINDOW:]
    return _cached(window.tobytes()).copy()


@lru_cache(maxsize=200_000)
def _cached(raw: bytes) -> np.ndarray:
    return _paths(np.frombuffer(raw, dtype=float))


def _paths(y: np.ndarray) -> np.ndarray:
    n = len(y)
    if n == 0:
        return np.zeros((len(NAMES), MAX_AHEAD))
    factors, multiplicative = weekday_factors(y)
    position = (np.arange(n) - (n - 1) + SEASON - 1) % SEASON  # last day -> position 6
    z = y / factors[position] if multiplicative else y - factors[position]
    start = level_change(z)
    z_recent = z[start:]
    ahead = np.arange(MAX_AHEAD) % SEASON  # day k ahead (1-based) has position (k-1) % 7
    out = np.zeros((len(NAMES), MAX_AHEAD))
    for i, days in enumerate(LEVEL_DAYS):
        out[i] = robust_mean(z_recent[-days:])
    for i, days in enumerate(TREND_DAYS, start=len(LEVEL_DAYS)):
        out[i] = _damped_trend(z_recent[-days:], days)
    robust = out[:ROBUST]
    robust[:] = robust * factors[ahead] if multiplicative else robust + factors[ahead]
    sn = ROBUST - 1
    out[sn] = out[1]
    plain = isolated_days_clipped(y)
    for i, days in enumerate(MEAN_DAYS, start=ROBUST):
        out[i] = float(np.mean(plain[-days:]))
    out[-1] = plain[-SEASON:][ahead] if n >= SEASON else out[ROBUST]
    if n >= SEASON:  # last week repeated: the short-horizon benchmark, let validation judge
        week = z[-SEASON:]
        recent = z_recent[-CHANGE_WINDOW:]
        mad = MAD_SCALE * float(np.median(np.abs(recent - np.median(recent))))
        usual = np.abs(week - np.median(recent)) <= 3 * mad if mad > 0 else np.ones(SEASON, bool)
        # a day far outside the recent range (a spike) is not repeated: that weekday keeps
        # the 7-day level forecast instead
        out[sn] = np.where(usual[ahead], y[-SEASON:][ahead], out[1])
    return out


def weekday_factors(y: np.ndarray) -> tuple[np.ndarray, bool]:
    """(factor per position 0..6 relative to the window's end, multiplicative?)."""
    weeks = min(len(y) // SEASON, FACTOR_WEEKS)
    if weeks == 0:
        return np.ones(SEASON), True
    blocks = y[len(y) - weeks * SEASON :].reshape(weeks, SEASON)
    means = blocks.mean(axis=1, keepdims=True)
    multiplicative = bool(np.all(means > 0))
    ratios = blocks / means if multiplicative else blocks - means
    factor = np.median(ratios, axis=0)
    if multiplicative and factor.min() < 0.05:  # a weekday that costs ~nothing: additive
        multiplicative = False
        ratios = blocks - means
        factor = np.median(ratios, axis=0)
    neutral = 1.0 if multiplicative else 0.0
    factor = factor - (factor.mean() - neutral)  # the pattern neither adds nor removes cost
    if weeks >= 2:
        # James-Stein: shrink towards no pattern by the share of the factors' spread that
        # the noise of a median over `weeks` values would explain on its own
        noise = MAD_SCALE * np.median(np.abs(ratios - factor)) * np.sqrt(np.pi / 2 / weeks)
        spread = np.mean((factor - neutral) ** 2)
        keep = max(0.0, 1.0 - noise**2 / spread) if spread > 0 else 0.0
        factor = neutral + keep * (factor - neutral)
    return factor, multiplicative


def level_change(z: np.ndarray) -> int:
    """Index of the first day after the most significant level change in the last
    CHANGE_WINDOW days (0 when none is significant). At least 3 days after (so that one
    spike, e.g. a charge early in the month, is not a change) and 3 before."""
    n = len(z)
    first = max(0, n - CHANGE_WINDOW)
    best_t, best = 0.0, 0
    for split in range(max(first + 3, 3), n - 2):
        before, after = z[first:split], z[split:]
        mb, ma = np.median(before), np.median(after)
        resid = np.concatenate([before - mb, after - ma])
        scale = MAD_SCALE * np.median(np.abs(resid))
        if scale <= 0:
            scale = 1e-9 * max(abs(mb), abs(ma), 1.0)
        t = abs(ma - mb) / (scale * np.sqrt(1 / len(before) + 1 / len(after)))
        if t > best_t:
            best_t, best = t, split
    return best if best_t > CHANGE_T else 0


def isolated_days_clipped(y: np.ndarray, recent: int = 2 * SEASON) -> np.ndarray:
    """y with each of its last `recent` days that lies above the maximum (below the
    minimum) of the days before them, while neither neighbour does, set to that bound.
    Unchanged with less than a week before the last `recent` days (no range to judge by)."""
    before = y[:-recent]
    if len(before) < SEASON:
        return y
    out = y.copy()
    for bound, beyond in ((before.max(), y > before.max()), (before.min(), y < before.min())):
        prev = np.concatenate([[False], beyond[:-1]])
        nxt = np.concatenate([beyond[1:], [False]])
        lone = beyond & ~prev & ~nxt
        lone[: len(y) - recent] = False
        out[lone] = bound
    return out


def robust_mean(x: np.ndarray) -> float:
    """Mean of the values within 3 robust standard deviations of the median."""
    if len(x) == 0:
        return 0.0
    med = float(np.median(x))
    mad = MAD_SCALE * float(np.median(np.abs(x - med)))
    if mad <= 0:
        return med
    return float(np.mean(x[np.abs(x - med) <= 3 * mad]))


def _damped_trend(z: np.ndarray, window: int) -> np.ndarray:
    """Theil-Sen line through z, from its value at the last day, damped ahead so that the
    trend is carried about half as far as the `window` it was fitted on."""
    n = len(z)
    if n < TREND_MIN_DAYS:
        return np.full(MAX_AHEAD, robust_mean(z[-SEASON:]))
    i, j = np.triu_indices(n, k=1)
    slope = float(np.median((z[j] - z[i]) / (j - i)))
    t = np.arange(n) - (n - 1)
    level = float(np.median(z - slope * t))
    damping = 1 - 2 / window
    steps = np.cumsum(damping ** np.arange(1, MAX_AHEAD + 1))
    return level + slope * steps
