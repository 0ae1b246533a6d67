"""A daily cost series set for the forecast backtest, built without the demo generator.

Shapes the demo does not have, on purpose: level shifts (some on the 5th of a month), ramps
that start and stop, a one-day spike early in a month (usage, not a fee), short histories
(35-60 days), a monthly fee on the 1st (a one-off charge category), weekly seasonality of
varying depth (some series nearly idle at weekends), slow trends, and multiplicative noise of
2-15% a day with occasional heavy-tailed days. Each series is one `team` key. Per seed, the
series present from the set's first month add up to one `total` key (an aggregate like an
account's bill), and all of them, including those that start late, to one `provider` key
(an aggregate whose new series arrive as unannounced steps).

    python benchmarks/forecast_series.py --seeds 3   # prints a summary of the set
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

import numpy as np
import pandas as pd
from forecast_eval import SERIES_COLUMNS, money, seeded_series_set

COLUMNS = SERIES_COLUMNS
END = date(2026, 8, 31)  # the last day of the set; every series ends on it


def series_set(seeds: range, per_seed: int = 8) -> pd.DataFrame:
    """Daily frame (COLUMNS) of `per_seed` series per seed, plus each seed's total."""
    return seeded_series_set(seeds, per_seed, _one_series, lambda seed: 10_000 + seed, "s")


def _one_series(rng: np.random.Generator, key: str) -> list[list[object]]:
    short = rng.random() < 0.35
    days = int(rng.integers(35, 61)) if short else int(rng.integers(100, 150))
    start = END - timedelta(days=days - 1)
    dates = [start + timedelta(days=i) for i in range(days)]
    level = float(np.exp(rng.uniform(np.log(50), np.log(5000))))
    weekend = rng.choice([0.0, rng.uniform(0.1, 0.5), rng.uniform(0.6, 0.95)])
    weekly = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0 - weekend, 1.0 - weekend])
    weekly *= rng.uniform(0.95, 1.05, 7)
    growth = rng.uniform(-0.003, 0.005) if rng.random() < 0.6 else 0.0
    path = level * np.exp(growth * np.arange(days))
    for _ in range(int(rng.integers(0, 3))):  # level shifts, some on the 5th of a month
        at = _shift_day(rng, dates)
        path[at:] *= rng.choice([rng.uniform(0.5, 0.85), rng.uniform(1.15, 1.8)])
    if rng.random() < 0.3:  # a ramp of 1-4 % a day for 5-15 days, then flat
        at, length = int(rng.integers(5, days - 5)), int(rng.integers(5, 16))
        rate = rng.uniform(0.01, 0.04)
        steps = np.clip(np.arange(days) - at + 1, 0, length)
        path *= (1 + rate) ** steps
    noise_sd = rng.uniform(0.02, 0.15)
    noise = rng.normal(0, noise_sd, days)
    heavy = rng.random(days) < 0.02  # occasional heavy-tailed day
    noise[heavy] = rng.standard_t(3, heavy.sum()) * noise_sd * 2
    cost = path * np.array([weekly[d.weekday()] for d in dates]) * np.clip(1 + noise, 0.05, None)
    spike_day = {m: int(rng.integers(1, 6)) for m in sorted({d.replace(day=1) for d in dates})}
    spikes = rng.random() < 0.4
    fee = level * 30 * rng.uniform(0.03, 0.1) if rng.random() < 0.6 else 0.0
    rows: list[list[object]] = []
    for d, c in zip(dates, cost, strict=True):
        if spikes and d.day == spike_day[d.replace(day=1)]:  # an early-month spike (usage)
            c *= rng.uniform(1.5, 4.0)
        rows.append(["team", key, "USD", d.replace(day=1), d, False, money(c)])
        if fee and d.day == 1:
            rows.append(["team", key, "USD", d, d, True, money(fee)])
    return rows


def _shift_day(rng: np.random.Generator, dates: list[date]) -> int:
    if rng.random() < 0.4:
        fifths = [i for i, d in enumerate(dates) if d.day == 5 and i >= 7]
        if fifths:
            return int(rng.choice(fifths))
    return int(rng.integers(7, len(dates) - 2))


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
