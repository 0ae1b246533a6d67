"""A holdout daily cost series set for the forecast backtest: built independently of
benchmarks/forecast_series.py (suite) and benchmarks/forecast_series_b.py (suite-b), and
not used while changing the method, so that what the method gains on those two can be
checked on data it was not tuned on.

Shapes neither of the other sets has, on purpose: a multiplicative weekly pattern whose
weekend depth differs per series and whose pattern itself drifts a little from week to
week; AR(1) noise with heavy (Student t, 3 degrees of freedom) innovations; gradual ramps
of different speeds (0.3-5 % a day, over 4-40 days) that may run past the history's end;
steps up and down in the middle of a month (days 10-20); multi-day outages (2-5 days at
0-30 % of the level, a service or an exporter down) followed by a full recovery; histories
of 35-120 days; a monthly fee on a random fixed day (some series) and a few series with
two fees. Each series is one `team` key; per seed, the series present from the start add
up to a `total` key and all of them to a `provider` key (as in the other two sets).

    python benchmarks/forecast_series_c.py --seeds 3   # prints a summary of the set
"""

from __future__ import annotations

import argparse
import calendar
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from forecast_eval import SERIES_COLUMNS, seeded_series_set

COLUMNS = SERIES_COLUMNS
END = date(2026, 6, 30)  # the last day of the set; every series ends on it


def series_set(seeds: range, per_seed: int = 8) -> pd.DataFrame:
    """Daily frame (COLUMNS) of `per_seed` series per seed, plus each seed's sums."""
    return seeded_series_set(seeds, per_seed, _one_series, lambda seed: 424_242 + 17 * seed, "c")


def _one_series(rng: np.random.Generator, key: str) -> list[list[object]]:
    # histories 35-120 days, but about a third of the set ends up at 35-60 (short)
    days = int(rng.integers(35, 61)) if rng.random() < 0.35 else int(rng.integers(61, 121))
    start = END - timedelta(days=days - 1)
    dates = [start + timedelta(days=i) for i in range(days)]
    level = float(np.exp(rng.uniform(np.log(10), np.log(50_000))))
    path = np.full(days, level)
    _ramps(rng, path, dates)
    _mid_month_steps(rng, path, dates)
    cost = path * _weekly(rng, dates) * np.exp(_ar_noise(rng, days))
    _outages(rng, cost)
    fees = _fees(rng, level)
    rows: list[list[object]] = []
    for d, c in zip(dates, cost, strict=True):
        month = d.replace(day=1)
        rows.append(["team", key, "USD", month, d, False, _money(c)])
        last = calendar.monthrange(d.year, d.month)[1]
        for fee_day, amount in fees:
            if d.day == min(fee_day, last):
                rows.append(["team", key, "USD", month, d, True, _money(amount)])
    return rows


def _weekly(rng: np.random.Generator, dates: list[date]) -> np.ndarray:
    """Per-day multiplicative weekday factor: weekend depth differs per series (none to
    80 % lower), and the pattern drifts slowly (a random walk on each weekday's log)."""
    depth = rng.choice([0.0, rng.uniform(0.05, 0.3), rng.uniform(0.3, 0.8)])
    saturday_share = rng.uniform(0.5, 1.0)  # Saturday dips less than Sunday on some
    base = np.log(np.array([1, 1, 1, 1, 1, 1 - depth * saturday_share, 1 - depth]))
    base += rng.normal(0, 0.03, 7)
    drift_sd = rng.choice([0.0, 0.01, 0.03])
    weeks = len(dates) // 7 + 2
    drift = np.cumsum(rng.normal(0, drift_sd, (weeks, 7)), axis=0)
    first = dates[0].toordinal()
    return np.array(
        [
            np.exp(base[d.weekday()] + drift[(d.toordinal() - first) // 7, d.weekday()])
            for d in dates
        ]
    )


def _ar_noise(rng: np.random.Generator, days: int) -> np.ndarray:
    """AR(1) log-noise with t(3) innovations (heavy tails), clipped at +-1.5 in log."""
    phi = rng.uniform(-0.2, 0.9)
    sd = rng.uniform(0.015, 0.1)
    shocks = rng.standard_t(3, days) * sd / np.sqrt(3)
    out = np.zeros(days)
    for i in range(1, days):
        out[i] = phi * out[i - 1] + shocks[i]
    return np.clip(out, -1.5, 1.5)


def _ramps(rng: np.random.Generator, path: np.ndarray, dates: list[date]) -> None:
    """Gradual ramps up or down of different speeds; some still running at the end."""
    days = len(path)
    for _ in range(int(rng.choice([0, 0, 1, 1, 2]))):
        at = int(rng.integers(0, days - 3))
        length = int(rng.integers(4, 41))
        rate = rng.uniform(0.003, 0.05) * rng.choice([1, 1, -0.6])
        steps = np.clip(np.arange(days) - at, 0, length)
        path *= np.exp(rate * steps)


def _mid_month_steps(rng: np.random.Generator, path: np.ndarray, dates: list[date]) -> None:
    """Steps up and down on a day between the 10th and the 20th of some month."""
    candidates = [i for i, d in enumerate(dates) if 10 <= d.day <= 20 and i >= 5]
    for _ in range(int(rng.choice([0, 1, 1, 2]))):
        at = int(rng.choice(candidates))
        path[at:] *= rng.choice([rng.uniform(0.45, 0.9), rng.uniform(1.1, 2.2)])


def _outages(rng: np.random.Generator, cost: np.ndarray) -> None:
    """Multi-day outages: 2-5 days at 0-30 % of the usual cost, then back to normal."""
    if rng.random() < 0.3:
        for _ in range(int(rng.integers(1, 3))):
            at, length = int(rng.integers(0, len(cost))), int(rng.integers(2, 6))
            cost[at : at + length] *= rng.uniform(0.0, 0.3)


def _fees(rng: np.random.Generator, level: float) -> list[tuple[int, float]]:
    """(day of month, amount) of the series' monthly one-off fees: none, one or two."""
    count = int(rng.choice([0, 0, 1, 1, 2]))
    return [(int(rng.integers(1, 32)), level * rng.uniform(1, 10)) for _ in range(count)]


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0.0):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    frame = series_set(range(args.seeds))
    teams = frame[frame["scope"] == "team"]
    lengths = teams.groupby("key")["day"].nunique()
    print(
        f"{len(lengths)} series, {len(frame)} rows, history {lengths.min()}..{lengths.max()} days"
    )


if __name__ == "__main__":
    main()
