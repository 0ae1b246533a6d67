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
least `level`). Exchangeable means made with as much data: each error is tagged with the
days of data its origin had, and a series is calibrated on the errors of its history cell
(HISTORY_EDGES; every series' first days in the window are a young series' history, so even
a warehouse of old series has young errors). Pooling every history together made young
series' intervals too narrow and mature ones' too wide at once. Over the horizons 1..h the
implied widths (k x quantile) are made non-decreasing by an isotonic fit, which also lets
the many short-horizon errors steady the fewer long ones. The series' own errors give the same quantile, and the two are blended by
how much the own ones are worth: consecutive origins at horizon h share h - 1 days, so n
own errors hold about (n + h - 1) / h independent h-day windows; the own quantile gets
weight n_eff / (n_eff + PRIOR_WINDOWS). A series with fewer independent windows than the
prior (a young one, or a long horizon) never gets an interval narrower than the pooled one.
A quantile is only as good as the independent windows behind it: a small warehouse's
month-long horizon has a handful (a few series that move together, each ~60 origins
sharing 19 of every 20 days), and its pooled quantile, read as if its errors were
independent, held the month-end actual in 65 % of cases where it claimed 80 %. So the
windows are counted per series and the quantile is widened by the predictive t of one
more draw given that many (`few_windows_factor`: ~1 for a pool of dozens of series).
Nothing here is tuned on a data set: the quantiles are those of the data being forecast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import isotonic_regression
from scipy.stats import norm, t

# independent h-day windows of a series' own errors that weigh as much as the pool: below
# that, the own errors are too few to rule out shifts the series has not had yet
PRIOR_WINDOWS = 4.0
MIN_POOLED = 20  # pooled errors needed at a horizon before they calibrate anything
MIN_CELL = 10  # errors at a shorter horizon needed for it to steady the isotonic fit
# days of data at an origin that make a history cell: a level and weekday factors from one
# or two weeks miss by far more than from six, so a young series is calibrated on errors
# made with as little history as it has, and a mature one is not widened by them. Below 7
# days the forecast is a run rate, below 14 a seasonal naive (forecast/model.py).
HISTORY_EDGES = np.array([1, 7, 14, 21, 28, 42])
ANY_HISTORY = -1  # an error added without its origin's history: it belongs to every cell
MIN_DF = 2.0  # fewest degrees of freedom of the few-windows factor
OVERLAP_DF = 1.5  # degrees of freedom per disjoint window when all overlapping ones are used


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


def few_windows_factor(windows: float, level: float) -> float:
    """How much wider a `level` interval must be when its error quantile rests on `windows`
    independent windows: the predictive t of one more draw given m draws, t_df sqrt(1 +
    1/m), over the normal quantile it tends to (1 for many windows). The windows overlap
    (consecutive origins share h - 1 days): a spread measured on overlapping batches has
    about 3/2 the degrees of freedom of the disjoint ones (Meketon and Schmeiser's
    overlapping batch means), df = 1.5 (m - 1), at least MIN_DF (one window does not make
    the interval infinite)."""
    if not math.isfinite(windows) or windows <= 0:
        return 1.0
    p = 0.5 + level / 2
    df = max(OVERLAP_DF * (windows - 1.0), MIN_DF)
    return float(t.ppf(p, df) * math.sqrt(1 + 1 / max(windows, 1.0)) / norm.ppf(p))


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
    """Scaled rolling-origin errors (signed) of many series, each tagged with the horizon k
    it was made at and the days of data its origin had (None: any history)."""

    errors: dict[int, list[np.ndarray]] = field(default_factory=dict)
    days: dict[int, list[np.ndarray]] = field(default_factory=dict)
    # which series each error came from: the windows behind a quantile are counted per series
    series: dict[int, list[np.ndarray]] = field(default_factory=dict)
    # how many times each series was added (one series under three names, such as an
    # untagged warehouse's total = provider = unallocated team: its errors weigh as three,
    # as they always have, but its windows count once)
    copies: dict[int, int] = field(default_factory=dict)
    _next_series: int = field(default=0, repr=False)
    _curves: dict[tuple[tuple[int, ...], float], np.ndarray] = field(
        default_factory=dict, repr=False
    )

    def add(
        self,
        horizon: int,
        errors: np.ndarray,
        history_days: np.ndarray | None = None,
        series: int | None = None,
    ) -> None:
        """Errors at `horizon`; `series`: the id of the series they came from (None: a new
        series of their own)."""
        if series is None:
            series = self.new_series()
        errors = np.asarray(errors, dtype=float)
        if history_days is None:
            days = np.full(len(errors), ANY_HISTORY)
        else:
            days = np.broadcast_to(np.asarray(history_days, dtype=int), errors.shape)
        keep = np.isfinite(errors)
        if keep.any():
            self.errors.setdefault(horizon, []).append(errors[keep])
            self.days.setdefault(horizon, []).append(days[keep])
            self.series.setdefault(horizon, []).append(np.full(int(keep.sum()), series))
            self._curves.clear()

    def new_series(self) -> int:
        self._next_series += 1
        return self._next_series

    def add_many(
        self, ks: np.ndarray, days: np.ndarray, errors: np.ndarray, series: int | None = None
    ) -> None:
        """Errors at several horizons at once (`ks`, `days`, `errors` of one length), all of
        one series (`series`: its id, the same for every copy of it)."""
        if series is None:
            series = self.new_series()
        self.copies[series] = self.copies.get(series, 0) + 1
        ks = np.asarray(ks, dtype=int)
        for k in np.unique(ks):
            at = ks == k
            self.add(int(k), np.asarray(errors)[at], np.asarray(days)[at], series)

    def windows(self, horizon: int, cells: tuple[int, ...]) -> float:
        """Independent `horizon`-day windows behind the errors at `horizon` in `cells`: the n
        consecutive origins of one series cover about (n + h - 1) / h disjoint windows (a
        series added several times counts once), and the series' windows add up."""
        parts = self.errors.get(horizon, [])
        if not parts:
            return 0.0
        ids = np.concatenate(self.series[horizon])
        if cells != (-1,):
            days = np.concatenate(self.days[horizon])
            index = np.searchsorted(HISTORY_EDGES, days, side="right") - 1
            ids = ids[(days == ANY_HISTORY) | np.isin(index, cells)]
        found, counts = np.unique(ids, return_counts=True)
        return float(
            sum(
                independent_windows(round(n / max(self.copies.get(int(sid), 1), 1)), horizon)
                for sid, n in zip(found, counts, strict=True)
            )
        )

    def at(self, horizon: int, history_days: int | None = None) -> np.ndarray:
        """The errors at `horizon` from origins in the history cell of `history_days` (all
        of them for None; untagged errors belong to every cell)."""
        parts = self.errors.get(horizon, [])
        if not parts:
            return np.zeros(0)
        errors = np.concatenate(parts)
        if history_days is None:
            return errors
        lo, hi = _cell(history_days)
        days = np.concatenate(self.days[horizon])
        return errors[(days == ANY_HISTORY) | ((days >= lo) & (days < hi))]

    def quantile(self, horizon: int, level: float, history_days: int | None = None) -> float:
        """The conformal quantile at `horizon` for a series with `history_days` days of data,
        NaN when that cell (widened to its neighbours, see `_cells_for`) holds fewer than
        MIN_POOLED errors at this horizon. Over horizons 1..h, the width the quantiles imply
        (k x quantile: the error of a k-day sum in mean days) is made non-decreasing by an
        isotonic fit weighted by the errors behind each: a longer sum is never known better
        than a shorter one from the same origin, and neighbouring horizons steady each other."""
        cells = _cells_for(self, horizon, history_days)
        if cells is None:
            return math.nan
        key = (cells, level)
        curve = self._curves.get(key)
        if curve is None:
            curve = self._curve(level, cells)
            self._curves[key] = curve
        if len(curve) < horizon:
            return math.nan
        return float(curve[horizon - 1]) * few_windows_factor(self.windows(horizon, cells), level)

    def _curve(self, level: float, cells: tuple[int, ...]) -> np.ndarray:
        """Isotonic k x quantile over every horizon k the pool holds, divided back by k
        (NaN at horizons with fewer than MIN_CELL errors)."""
        ks, widths, weights = [], [], []
        for k in sorted(self.errors):
            errors = self._in_cells(k, cells)
            if len(errors) < MIN_CELL:
                continue
            ks.append(k)
            widths.append(k * conformal_quantile(errors, level))
            weights.append(len(errors))
        if not ks:
            return np.zeros(0)
        fitted = isotonic_regression(
            np.array(widths), weights=np.array(weights, dtype=float), increasing=True
        ).x
        curve = np.full(max(ks), math.nan)
        curve[np.array(ks) - 1] = fitted / np.array(ks)
        return curve

    def _in_cells(self, horizon: int, cells: tuple[int, ...]) -> np.ndarray:
        parts = self.errors.get(horizon, [])
        if not parts:
            return np.zeros(0)
        errors = np.concatenate(parts)
        if cells == (-1,):
            return errors
        days = np.concatenate(self.days[horizon])
        index = np.searchsorted(HISTORY_EDGES, days, side="right") - 1
        return errors[(days == ANY_HISTORY) | np.isin(index, cells)]


def _cell(history_days: int) -> tuple[int, int]:
    """[lo, hi) days of data of the history cell holding `history_days`."""
    i = max(int(np.searchsorted(HISTORY_EDGES, history_days, side="right")) - 1, 0)
    hi = HISTORY_EDGES[i + 1] if i + 1 < len(HISTORY_EDGES) else 10**9
    return int(HISTORY_EDGES[i]), int(hi)


def _cells_for(pool: ErrorPool, horizon: int, history_days: int | None) -> tuple[int, ...] | None:
    """The history cells whose errors calibrate a series with `history_days` days of data:
    its own cell, widened by one neighbour on each side at a time until MIN_POOLED errors
    are at `horizon`; None when even every cell has fewer. (-1,): every error (no history
    given)."""
    if history_days is None:
        return (-1,) if len(pool.at(horizon)) >= MIN_POOLED else None
    last = len(HISTORY_EDGES) - 1
    own = max(int(np.searchsorted(HISTORY_EDGES, history_days, side="right")) - 1, 0)
    lo = hi = own
    while True:
        cells = tuple(range(lo, hi + 1))
        if len(pool._in_cells(horizon, cells)) >= MIN_POOLED:
            return cells
        if lo == 0 and hi == last:
            return None
        if lo > 0:
            lo -= 1
        if hi < last:
            hi += 1


def pool_of(horizon: int, series_errors: Iterable[np.ndarray]) -> ErrorPool:
    pool = ErrorPool()
    for errors in series_errors:
        pool.add(horizon, errors)
    return pool


def half_width(
    own: np.ndarray, pool: ErrorPool, horizon: int, level: float, history_days: int | None = None
) -> float | None:
    """Scaled half-width of the `level` interval of an h-day sum (multiply by h x the
    series' level) for a series with `history_days` days of data; None when the pool cannot
    calibrate this horizon (caller falls back)."""
    pooled = pool.quantile(horizon, level, history_days)
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
