"""A second daily cost series set for the forecast backtest, shaped unlike the first
(benchmarks/forecast_series.py) and unlike the demo, to check that what the first shows is
not fitted to it.

Different on purpose: autocorrelated noise (AR(1), a day's error carries into the next
days, as batch backlogs do) with log-normal day factors; a weekday pattern that is not a
weekend dip (a heavy day or two mid-week: batch jobs, reports); multi-day bursts (2-4 days
at 1.5-3x); slow declines (savings plans taking effect, clean-ups) as well as growth; level
shifts at any day of the month, including the last days; short histories of 28-70 days;
a month-end usage peak on some series (closing jobs); no monthly fee on some, a fee on the
last day of the month on others. Each series is a `team` key; per seed, the series present
from the start add up to a `total` key and all of them to a `provider` key.

    python benchmarks/forecast_series_b.py --seeds 3   # prints a summary of the set
"""

from __future__ import annotations

import argparse
import calendar
from datetime import date, timedelta

import numpy as np
import pandas as pd
from forecast_eval import SERIES_COLUMNS, money, seeded_series_set

COLUMNS = SERIES_COLUMNS
END = date(2026, 10, 31)  # the last day of the set; every series ends on it


def series_set(seeds: range, per_seed: int = 8) -> pd.DataFrame:
    """Daily frame (COLUMNS) of `per_seed` series per seed, plus each seed's sums."""
    return seeded_series_set(seeds, per_seed, _one_series, lambda seed: 77_000 + seed, "b")


def _one_series(rng: np.random.Generator, key: str) -> list[list[object]]:
    short = rng.random() < 0.3
    days = int(rng.integers(28, 71)) if short else int(rng.integers(120, 200))
    start = END - timedelta(days=days - 1)
    dates = [start + timedelta(days=i) for i in range(days)]
    level = float(np.exp(rng.uniform(np.log(20), np.log(20000))))
    weekly = np.ones(7)
    heavy = rng.choice(7, size=int(rng.integers(0, 3)), replace=False)
    weekly[heavy] *= rng.uniform(1.2, 2.0)
    growth = rng.choice([0.0, rng.uniform(-0.006, -0.001), rng.uniform(0.001, 0.004)])
    path = level * np.exp(growth * np.arange(days))
    for _ in range(int(rng.integers(0, 3))):  # shifts on any day
        at = int(rng.integers(3, days - 1))
        path[at:] *= rng.uniform(0.6, 1.6)
    phi, sd = rng.uniform(0.0, 0.8), rng.uniform(0.01, 0.12)
    ar = np.zeros(days)
    for i in range(1, days):
        ar[i] = phi * ar[i - 1] + rng.normal(0, sd)
    cost = path * np.array([weekly[d.weekday()] for d in dates]) * np.exp(ar)
    if rng.random() < 0.35:  # multi-day bursts
        for _ in range(int(rng.integers(1, 4))):
            at, length = int(rng.integers(0, days)), int(rng.integers(2, 5))
            cost[at : at + length] *= rng.uniform(1.5, 3.0)
    month_end_peak = rng.uniform(1.3, 2.0) if rng.random() < 0.3 else 1.0
    fee = level * rng.uniform(2, 6) if rng.random() < 0.4 else 0.0
    rows: list[list[object]] = []
    for d, c in zip(dates, cost, strict=True):
        last = calendar.monthrange(d.year, d.month)[1]
        if d.day >= last - 1:  # closing jobs on the last two days
            c *= month_end_peak
        rows.append(["team", key, "USD", d.replace(day=1), d, False, money(c)])
        if fee and d.day == last:
            rows.append(["team", key, "USD", d.replace(day=1), d, True, money(fee)])
    return rows


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
