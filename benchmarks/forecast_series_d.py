"""One account family's warehouse per seed: the forecast backtest's single-warehouse set.

The other sets (suite, suite-b, suite-c) put every seed's series in one frame, so a series'
interval is calibrated on the errors of 50 series, 40 of them single teams. A user's own
warehouse is often far smaller: one organisation, a few accounts, a total whose history is
a few months. Here each seed is its own warehouse, forecast apart from the others, built
the way the issue describes its unseen set (and not from the demo generator or the other
sets): 4 months of daily cost per account x service, weekly seasonality, a slow trend,
3-12 % noise, a support fee on the 1st (a one-off charge), and seven events per seed placed
uniformly from day 10 on: one-day spikes and drops, level shifts, ramps, an offsetting pair
inside one account (+x on one service, -x on another), and a service that starts mid-way.
Scopes: `total` and `provider` (the sum of everything, one provider) and `team` (one key
per account, as when accounts stand for teams; with `untagged`, one key equal to the total,
as in a warehouse whose resources carry no team tag), and the `sub_account` series the
warehouse adds to the interval pool as evidence (one per account, untagged or not).

    python benchmarks/forecast_series_d.py --seeds 3   # prints a summary of the set
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

import numpy as np
import pandas as pd
from forecast_eval import SERIES_COLUMNS, money

COLUMNS = SERIES_COLUMNS
START = date(2026, 6, 1)
END = date(2026, 9, 30)  # 4 months; every series but the new ones runs the whole span
EVENT_KINDS = ("spike", "drop", "shift", "ramp", "offset_pair", "new_service")


def seed_frames(seeds: range, untagged: bool = False) -> list[pd.DataFrame]:
    """One frame (COLUMNS) per seed: that warehouse's total, provider and account series.
    `untagged`: no team tags, so the team scope is one `unallocated` key equal to the total
    (as is the provider): the warehouse holds one series under three names."""
    frames = [_warehouse(np.random.default_rng(900_001 + 31 * seed), seed) for seed in seeds]
    if untagged:
        frames = [_untagged(frame) for frame in frames]
    return frames


def _untagged(frame: pd.DataFrame) -> pd.DataFrame:
    total = frame[frame["scope"] == "total"]
    key = total["key"].iloc[0].replace("-all", "-unallocated")
    team = total.assign(scope="team", key=key)
    return pd.concat([frame[frame["scope"] != "team"], team], ignore_index=True)


def _warehouse(rng: np.random.Generator, seed: int) -> pd.DataFrame:
    days = (END - START).days + 1
    dates = [START + timedelta(days=i) for i in range(days)]
    weekday = np.array([d.weekday() for d in dates])
    accounts = int(rng.integers(2, 5))
    series: list[tuple[int, np.ndarray]] = []  # (account, daily cost path)
    for account in range(accounts):
        for _ in range(int(rng.integers(3, 7))):
            series.append((account, _service(rng, days, weekday)))
    for _ in range(7):
        _event(rng, series, days, accounts, weekday)
    rows: list[list[object]] = []
    per_account = np.zeros((accounts, days))
    for account, cost in series:
        per_account[account] += np.clip(cost, 0.0, None)
    total = per_account.sum(axis=0)
    fee_share = rng.uniform(0.03, 0.1)  # support: a share of the previous month's spend
    fee_base = float(total[:30].mean() * 30)
    for scope, keys in (("total", {"all": total}), ("provider", {"AWS": total})):
        for key, cost in keys.items():
            rows += _rows(scope, f"d{seed:02d}-{key}", cost, dates, fee_share * fee_base)
    for account in range(accounts):
        rows += _rows("team", f"d{seed:02d}-acct{account}", per_account[account], dates, 0.0)
        # what the warehouse's sub_account evidence scope holds (sql/int/int_forecast_daily.sql)
        key = f"d{seed:02d}-AWS/acct{account}"
        rows += _rows("sub_account", key, per_account[account], dates, 0.0)
    return pd.DataFrame(rows, columns=COLUMNS)


def _service(rng: np.random.Generator, days: int, weekday: np.ndarray) -> np.ndarray:
    level = float(np.exp(rng.uniform(np.log(5), np.log(2000))))
    weekend = rng.uniform(0.6, 1.0) if rng.random() < 0.6 else 1.0
    weekly = np.where(weekday >= 5, weekend, 1.0) * rng.uniform(0.97, 1.03, 7)[weekday]
    trend = np.exp(rng.uniform(-0.002, 0.004) * np.arange(days))
    noise = np.clip(1 + rng.normal(0, rng.uniform(0.03, 0.12), days), 0.05, None)
    return level * weekly * trend * noise


def _event(rng, series, days, accounts, weekday) -> None:
    kind = str(rng.choice(EVENT_KINDS))
    at = int(rng.integers(9, days - 1))
    index = int(rng.integers(0, len(series)))
    account, cost = series[index]
    if kind == "spike":
        cost[at] *= rng.uniform(1.5, 3.0)
    elif kind == "drop":
        cost[at] *= rng.uniform(0.1, 0.5)
    elif kind == "shift":
        cost[at:] *= rng.choice([rng.uniform(0.6, 0.85), rng.uniform(1.2, 1.6)])
    elif kind == "ramp":
        length = int(rng.integers(7, 15))
        steps = np.clip(np.arange(days) - at + 1, 0, length)
        cost *= (1 + rng.uniform(0.02, 0.04)) ** steps
    elif kind == "offset_pair":
        others = [i for i, (a, _) in enumerate(series) if a == account and i != index]
        if others:
            amount = float(cost[at:].mean()) * rng.uniform(0.1, 0.3)
            cost[at:] += amount
            series[int(rng.choice(others))][1][at:] -= amount
    else:  # a new service: nothing before `at`
        new = _service(rng, days, weekday) * rng.uniform(0.05, 0.3)
        new[:at] = 0.0
        series.append((int(rng.integers(0, accounts)), new))


def _rows(scope, key, cost, dates, fee) -> list[list[object]]:
    rows = []
    for d, c in zip(dates, cost, strict=True):
        if c > 0:
            rows.append([scope, key, "USD", d.replace(day=1), d, False, money(c)])
        if fee and d.day == 1:
            rows.append([scope, key, "USD", d, d, True, money(fee)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    frames = seed_frames(range(args.seeds))
    for frame in frames:
        totals = frame[(frame["scope"] == "total") & ~frame["is_one_off"]]
        print(
            f"{frame['key'].iloc[0]}: {frame[frame['scope'] == 'team']['key'].nunique()} accounts, "
            f"{len(frame)} rows, mean daily total {float(totals['cost'].sum()) / 122:.0f}"
        )


if __name__ == "__main__":
    main()
