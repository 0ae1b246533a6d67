"""Score month-end forecasts made as of each day of closed months against both fee-aware
baselines, and the intervals' coverage and width, per day-of-month window.

The model's forecasts come from `finops_pipeline.forecast.as_of.forecast_as_of`, the code
path of `finops forecast --as-of`. Baselines (both "fee-aware": one-off charges are out of
their history and the same one-off estimate as the model's is added back, so the comparison
is about the recurring forecast alone):
  seasonal naive: each remaining day costs what the same weekday cost last week;
  7-day run rate: each remaining day costs the mean of the last 7 days.
"""

from __future__ import annotations

import calendar
import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import NormalDist

import numpy as np
import pandas as pd

from finops_pipeline.forecast.as_of import forecast_as_of
from finops_pipeline.forecast.model import seasonal_naive_path
from finops_pipeline.forecast.monthly import daily_values
from finops_pipeline.forecast.settings import ForecastSettings

SERIES_COLUMNS = ["scope", "key", "currency", "billing_month", "day", "is_one_off", "cost"]


def money(value: float) -> Decimal:
    """A generated daily cost as the warehouse holds it: Decimal, 4 places."""
    return Decimal(f"{value:.4f}")


def seeded_series_set(
    seeds: range,
    per_seed: int,
    one_series: Callable[[np.random.Generator, str], list[list[object]]],
    rng_seed: Callable[[int], int],
    prefix: str,
) -> pd.DataFrame:
    """The frame (SERIES_COLUMNS) every series generator returns: `per_seed` series per
    seed (`one_series(rng, key)`, the generator's own shapes), plus per seed the sum of the
    series present from the start (`total`) and of all of them (`provider`, where late
    starters arrive as unannounced steps)."""
    frames = []
    for seed in seeds:
        rng = np.random.default_rng(rng_seed(seed))
        rows = []
        for index in range(per_seed):
            rows += one_series(rng, f"{prefix}{seed:02d}-{index:02d}")
        frame = pd.DataFrame(rows, columns=SERIES_COLUMNS)
        first = frame.groupby("key")["day"].transform("min")
        frames.append(frame)
        for scope, part in (("total", frame[first == frame["day"].min()]), ("provider", frame)):
            sums = part.groupby(["billing_month", "day", "is_one_off"], as_index=False)[
                "cost"
            ].sum()
            frames.append(
                sums.assign(scope=scope, key=f"{prefix}{seed:02d}", currency="USD")[SERIES_COLUMNS]
            )
    return pd.concat(frames, ignore_index=True)


WINDOWS = ((1, 7), (8, 14), (15, 21), (22, 31))
METHODS = ("model", "seasonal_naive", "run_rate_7d")


@dataclass
class Scores:
    errors: dict[tuple[int, int], dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    # per window: (in 80, in 95, width 80 / actual, width 95 / actual, short history?)
    cover: dict[tuple[int, int], list[tuple[bool, bool, float, float, bool]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # per window, one entry per scored case: the independent unit it belongs to (a month of
    # one key of one data set; its as-of days share most of what they forecast)
    clusters: dict[tuple[int, int], list[object]] = field(default_factory=lambda: defaultdict(list))
    forecasts: int = 0
    seconds: float = 0.0

    def add_interval(
        self,
        day: int,
        truth: float,
        inner: tuple[float, float],
        outer: tuple[float, float],
        short: bool,
    ) -> None:
        """Record whether the month's actual fell inside each interval, and their widths."""
        self.cover[window_of(day)].append(
            (
                inner[0] <= truth <= inner[1],
                outer[0] <= truth <= outer[1],
                (inner[1] - inner[0]) / abs(truth),
                (outer[1] - outer[0]) / abs(truth),
                short,
            )
        )


def coverage_table(
    scores: Scores, short_only: bool = False
) -> dict[tuple[int, int], tuple[float, float, float, float]]:
    """Per window: % of actuals in the 80 % and 95 % intervals, mean widths in % of actual."""
    table = {}
    for window in WINDOWS:
        rows = [r for r in scores.cover.get(window, []) if r[4] or not short_only]
        if rows:
            c = np.array(rows, dtype=float)
            table[window] = tuple(float(100 * c[:, i].mean()) for i in range(4))
    return table


BOOTSTRAP_DRAWS = 4000
CI_LEVEL = 0.90


def cluster_interval(
    values: np.ndarray, clusters: list[object], level: float = CI_LEVEL, seed: int = 0
) -> tuple[float, float]:
    """`level` interval of the mean of `values` (e.g. the model's error minus a baseline's)
    by the cluster bootstrap: whole clusters (a key's month: its as-of days forecast nearly
    the same days, so one month's errors come together) drawn with replacement, the mean
    over their rows. Why: 84 as-of days of 12 months hold about 12 independent outcomes,
    not 84. (nan, nan) without values."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return math.nan, math.nan
    means = _bootstrap_means(values, clusters, seed)
    return float(np.quantile(means, 0.5 - level / 2)), float(np.quantile(means, 0.5 + level / 2))


def coverage_interval(
    hits: np.ndarray, clusters: list[object], level: float = CI_LEVEL
) -> tuple[float, float]:
    """`level` interval of a coverage (`hits`: 1 inside, 0 outside) whose cases come in
    clusters: Wilson's score interval on the effective number of cases, n divided by the
    design effect the cluster bootstrap measures (its variance of the mean over the binomial
    one; each case counts at most once). Not the bootstrap's own percentiles: where every
    month hit, every resample hits too and they would claim [100, 100] from 15 months; then
    (or with none) each cluster counts as one case. In % (hits in 0/1)."""
    hits = np.asarray(hits, dtype=float)
    n = len(hits)
    if n == 0:
        return math.nan, math.nan
    p = float(hits.mean())
    groups = len({repr(c) for c in clusters})
    if 0 < p < 1:
        variance = float(np.var(_bootstrap_means(hits, clusters)))
        binomial = p * (1 - p) / n
        effective = n / max(variance / binomial, 1.0) if variance > 0 else float(n)
    else:
        effective = float(groups)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    denominator = 1 + z * z / effective
    centre = (p + z * z / (2 * effective)) / denominator
    spread = z * math.sqrt(p * (1 - p) / effective + z * z / (4 * effective**2)) / denominator
    return 100 * max(centre - spread, 0.0), 100 * min(centre + spread, 1.0)


def _bootstrap_means(values: np.ndarray, clusters: list[object], seed: int = 0) -> np.ndarray:
    """Means of `values` over BOOTSTRAP_DRAWS resamples of whole clusters."""
    _, index = np.unique(np.array([repr(c) for c in clusters]), return_inverse=True)
    sums = np.bincount(index, weights=values)
    counts = np.bincount(index).astype(float)
    k = len(sums)
    draws = np.random.default_rng(seed).multinomial(k, np.full(k, 1.0 / k), BOOTSTRAP_DRAWS)
    return (draws @ sums) / (draws @ counts)


def window_of(day: int) -> tuple[int, int]:
    return next(w for w in WINDOWS if w[0] <= day <= w[1])


def closed_months(daily: pd.DataFrame, last_day: date) -> list[date]:
    months = set(daily["billing_month"])
    return sorted(m for m in months if m.replace(day=_length(m)) <= last_day)


def _length(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def evaluate(
    daily: pd.DataFrame,
    months: list[date],
    scope: str,
    settings: ForecastSettings | None = None,
    short_days: int = 60,
    history: tuple[int, int] | None = None,
    bands: dict[tuple[int, int], Scores] | None = None,
) -> Scores:
    """Forecast every month of `months` as of each of its days but the last, for every key
    of `scope` that has the whole month; `short_days`: a series with at most that many days
    of data at month end counts as a short history; `history` (lo, hi): score only the
    as-of days at which the key had lo..hi days of data (its first day to the as-of day,
    both included; every key is still forecast, as the interval pool needs them all).
    `bands`: more Scores, each filled with the cases of its own (lo, hi) band from the same
    forecasts (the slow part), so one run gives all histories and a band side by side."""
    fs = settings or ForecastSettings()
    frame = daily[daily["scope"] == scope]
    first_day = frame.groupby(["key", "currency"])["day"].min().to_dict()
    scores = Scores()
    for month in months:
        length = _length(month)
        in_month = frame[frame["billing_month"] == month]
        actual = {
            k: float(sum(g["cost"], Decimal(0))) for k, g in in_month.groupby(["key", "currency"])
        }
        for d in range(1, length):
            as_of = month + timedelta(days=d - 1)
            started = time.perf_counter()
            # every scope goes in: the interval calibration pools all series of the data
            results = forecast_as_of(daily, as_of, fs, scopes=(scope,))
            scores.seconds += time.perf_counter() - started
            scores.forecasts += len(results)
            for f in results:
                key = (f.key, f.currency)
                truth = actual.get(key)
                if not truth or first_day[key] > month:  # only keys with the whole month
                    continue
                days = (as_of - first_day[key]).days + 1
                short = (month.replace(day=length) - first_day[key]).days + 1 <= short_days
                for (lo, hi), banded in (bands or {}).items():
                    if lo <= days <= hi:
                        _score(banded, frame, f, as_of, truth, d, short, fs, month)
                if history and not history[0] <= days <= history[1]:
                    continue
                _score(scores, frame, f, as_of, truth, d, short, fs, month)
    return scores


def _score(scores, frame, f, as_of, truth, d, short, fs, month) -> None:
    known = frame[(frame["key"] == f.key) & (frame["day"] <= as_of)]
    recurring = known[~known["is_one_off"]]
    recurring = recurring[recurring["day"] > as_of - timedelta(days=fs.history_days)]
    history = daily_values(recurring, as_of).to_numpy()
    base = float(f.actual_to_date) + f.one_off_remaining
    h = f.horizon_days
    naive = base + float(seasonal_naive_path(history, h).sum())
    run_rate = base + (float(np.mean(history[-7:])) * h if len(history) else 0.0)
    window = window_of(d)
    for name, value in zip(METHODS, (float(f.forecast_month_end), naive, run_rate), strict=True):
        scores.errors[window][name].append(abs(value - truth) / abs(truth))
    r = f.remaining
    scores.add_interval(
        d,
        truth,
        (float(f.total(r.inner[0])), float(f.total(r.inner[1]))),
        (float(f.total(r.outer[0])), float(f.total(r.outer[1]))),
        short,
    )
    scores.clusters[window].append((month, f.key, f.currency))


def report(scores: Scores, title: str) -> None:
    """The MAPE and coverage tables of `scores`. The bracketed ranges are 90 % intervals
    with a key's month as one cluster: the cluster bootstrap of the model's MAPE minus the
    better baseline's (`cluster_interval`), Wilson's on the effective cases of each coverage
    (`coverage_interval`). A window whose range straddles 0, or holds the target band, is
    a difference the backtest cannot tell from chance."""
    print(f"\n{title}")
    print("MAPE of the month-end forecast, % (lower is better)")
    print(
        "days   | model | seasonal naive | 7-day run rate | forecasts | model best? | "
        "model - best baseline [90 % CI]"
    )
    print(
        "-------|-------|----------------|----------------|-----------|-------------|"
        "--------------------------------"
    )
    for lo, hi in WINDOWS:
        e = scores.errors.get((lo, hi))
        if not e:
            continue
        m, s, r = (100 * np.mean(e[k]) for k in METHODS)
        best = "yes" if m < s and m < r else "NO"
        baseline = "seasonal_naive" if s <= r else "run_rate_7d"
        diff = 100 * (np.asarray(e["model"]) - np.asarray(e[baseline]))
        ci = _ci_text(diff, scores.clusters.get((lo, hi), []))
        print(
            f"{lo:2d}-{hi:2d}  | {m:5.2f} | {s:14.2f} | {r:14.2f} | {len(e['model']):9d} | "
            f"{best:11s} | {diff.mean():+.2f} {ci}"
        )
    print("interval coverage (nominal 80 / 95 %) and mean width, % of the actual month total")
    print(
        "days   | in 80 % | in 95 % | width 80 % | width 95 % | forecasts | "
        "short-history in 80/95 % | in 80 % [90 % CI] | in 95 % [90 % CI] | months"
    )
    print(
        "-------|---------|---------|------------|------------|-----------|"
        "--------------------------|-------------------|-------------------|-------"
    )
    everything, short = coverage_table(scores), coverage_table(scores, short_only=True)
    for lo, hi in WINDOWS:
        if (lo, hi) not in everything:
            continue
        in80, in95, w80, w95 = everything[(lo, hi)]
        rows = scores.cover[(lo, hi)]
        count = len(rows)
        n_short = sum(1 for r in rows if r[4])
        short_text = (
            f"{short[(lo, hi)][0]:.1f} / {short[(lo, hi)][1]:.1f} (n={n_short})"
            if (lo, hi) in short
            else "-"
        )
        clusters = scores.clusters.get((lo, hi), [])
        hits = np.array([r[:2] for r in rows], dtype=float)
        ci80 = _ci_text(hits[:, 0], clusters, coverage=True)
        ci95 = _ci_text(hits[:, 1], clusters, coverage=True)
        n_clusters = len({repr(c) for c in clusters}) if len(clusters) == count else 0
        print(
            f"{lo:2d}-{hi:2d}  | {in80:7.1f} | {in95:7.1f} | {w80:10.2f} | {w95:10.2f} | "
            f"{count:9d} | {short_text:24s} | {ci80:17s} | {ci95:17s} | {n_clusters:6d}"
        )
    if not scores.forecasts:  # a band's table: the forecasts were timed in the full one
        return
    print(
        f"runtime: {scores.seconds:.1f} s for {scores.forecasts} key forecasts "
        f"({1000 * scores.seconds / max(scores.forecasts, 1):.1f} ms each, rolling-origin "
        "refits memoised across as-of days)"
    )


def _ci_text(values: np.ndarray, clusters: list[object], coverage: bool = False) -> str:
    """'[lo, hi]' of `coverage_interval` (hits, in %) or of `cluster_interval` (a signed
    difference), or '-' when the cases have no clusters recorded."""
    if len(clusters) != len(values) or not len(values):
        return "-"
    if coverage:
        lo, hi = coverage_interval(values, clusters)
        return f"[{lo:.1f}, {hi:.1f}]"
    lo, hi = cluster_interval(values, clusters)
    return f"[{lo:+.2f}, {hi:+.2f}]"
