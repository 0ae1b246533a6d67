"""Point forecasts only, fast: the recurring remainder of each month as of each day, per
day-of-month window, the ensemble against seasonal naive and the 7-day run rate.

    python benchmarks/forecast_points.py [--data suite|suite-b|suite-c|suite-d|both|all|demo]
        [--seeds 5]
        [--scope team] [--candidates] [--warehouse W] [--months 6] [--history LO-HI]

both: suite and suite-b, the sets a method change is judged on; suite-c
(benchmarks/forecast_series_c.py) is the holdout, to run once a change is settled; all: the
three; suite-d: --seeds x 4 small warehouses of benchmarks/forecast_series_d.py, months 2-4
of each, as forecast_backtest.py scores them (total scope unless --scope); demo: the last --months closed months of an existing demo warehouse (--warehouse, one
`finops demo` built; its series as forecast_backtest.py reads them).

What it leaves out, on purpose, so a change to the point model (forecast/local_level.py,
forecast/ensemble.py) can be judged in minutes instead of the hour forecast_backtest.py takes
under load: the intervals (no error pool), and the one-off estimate (the same for every
method). Error = |forecast - actual| of the recurring days still to come, in % of the month's
whole total (fees included), i.e. the recurring part of forecast_backtest.py's MAPE; the
model's column is what forecast_backtest.py's would be if the one-off estimate were exact.

--history LO-HI scores only the cases whose series had LO..HI days of data up to and
including the as-of day (from its first day; the issue's short-history band is 35-60), e.g.
to see whether the model still beats both baselines where its weekday factors and level
come from a few weeks; the forecasts column says how many cases each window has left.

--candidates adds, per window, the error of each ensemble candidate on its own
(forecast/local_level.py, from the as-of day) and of their plain average: how far the
rolling-origin weights are from the best single candidate, and whether any candidate beats
the baselines where the ensemble does not (weighting cannot do better than its candidates
by much). Fallback forecasts (short histories) count as every candidate's.
"""

from __future__ import annotations

import argparse
import calendar
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import forecast_series
import forecast_series_b
import forecast_series_c
import forecast_series_d
from forecast_eval import WINDOWS, closed_months, window_of

from finops_pipeline.forecast.build import last_complete_day
from finops_pipeline.forecast.ensemble import forecast_sum
from finops_pipeline.forecast.local_level import NAMES, candidate_paths
from finops_pipeline.forecast.model import seasonal_naive_path
from finops_pipeline.forecast.series import load_daily_series
from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.settings import demo_settings
from finops_pipeline.warehouse import connect

HISTORY_DAYS = 91
MIN_HISTORY_DAYS = 14


def point(history: np.ndarray, horizon: int) -> float:
    """The recurring point forecast forecast_remaining makes (its fallbacks included)."""
    if len(history) >= MIN_HISTORY_DAYS and np.ptp(history) > 0:
        return max(forecast_sum(history, horizon).point, 0.0)
    if len(history) >= 7:
        return float(seasonal_naive_path(history, horizon).sum())
    return float(history.mean()) * horizon


def candidates(history: np.ndarray, horizon: int) -> list[float]:
    """Each ensemble candidate's forecast of the sum, then their plain average (the
    fallback's point for all when the ensemble would not forecast this history)."""
    if len(history) >= MIN_HISTORY_DAYS and np.ptp(history) > 0:
        sums = candidate_paths(history)[:, :horizon].sum(axis=1)
        return [*(max(float(v), 0.0) for v in sums), max(float(sums.mean()), 0.0)]
    return [point(history, horizon)] * (len(NAMES) + 1)


def errors(
    frame: pd.DataFrame,
    months: list,
    scope: str,
    with_candidates: bool = False,
    band: tuple[int, int] | None = None,
) -> dict[tuple[int, int], np.ndarray]:
    """Per window: rows of (model, seasonal naive, run rate[, each candidate, their average])
    errors in % of the month total; `band` (lo, hi): only as-of days at which the series
    had lo..hi days of data (its first day to the as-of day, both included)."""
    out: dict[tuple[int, int], list[tuple[float, float, float]]] = {w: [] for w in WINDOWS}
    for _, group in frame[frame["scope"] == scope].groupby(["key", "currency"]):
        recurring = group[~group["is_one_off"]].groupby("day")["cost"].sum()
        totals = group.groupby("billing_month")["cost"].sum()
        first = group["day"].min()
        for month in months:
            if recurring.empty or recurring.index.min() > month:  # keys with the whole month
                continue
            length = calendar.monthrange(month.year, month.month)[1]
            for d in range(1, length):
                as_of = month + timedelta(days=d - 1)
                if band and not in_band((as_of - first).days + 1, band):
                    continue
                known = recurring[recurring.index <= as_of]
                history = known[known.index > as_of - timedelta(days=HISTORY_DAYS)].to_numpy()
                h = length - d
                ahead = recurring[
                    (recurring.index > as_of) & (recurring.index <= month.replace(day=length))
                ]
                actual = float(ahead.sum())
                values = (
                    point(history, h),
                    float(seasonal_naive_path(history, h).sum()),
                    float(history[-7:].mean()) * h,
                    *(candidates(history, h) if with_candidates else ()),
                )
                out[window_of(d)].append(
                    tuple(100 * abs(v - actual) / totals[month] for v in values)
                )
    return {w: np.array(rows) for w, rows in out.items() if rows}


def in_band(days: int, band: tuple[int, int]) -> bool:
    return band[0] <= days <= band[1]


def history_band(text: str) -> tuple[int, int]:
    """LO-HI (days of data at the as-of day) for --history."""
    try:
        lo, hi = (int(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not LO-HI, e.g. 35-60") from None
    if not 1 <= lo <= hi:
        raise argparse.ArgumentTypeError(f"{text!r}: need 1 <= LO <= HI")
    return lo, hi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default="both",
        choices=["suite", "suite-b", "suite-c", "suite-d", "both", "all", "demo"],
    )
    parser.add_argument("--warehouse", type=Path, help="with --data demo: a demo warehouse")
    parser.add_argument("--months", type=int, default=6, help="closed demo months")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--scope", default="team", choices=["team", "total", "provider"])
    parser.add_argument(
        "--candidates", action="store_true", help="also each ensemble candidate on its own"
    )
    parser.add_argument(
        "--history",
        type=history_band,
        help="LO-HI: only cases whose series had LO..HI days of data at the as-of day",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    sets = {
        "suite": (forecast_series, 5),
        "suite-b": (forecast_series_b, 4),
        "suite-c": (forecast_series_c, 3),
    }
    if args.data == "demo":
        demo_points(args.warehouse, args.months, args.scope, args.candidates, args.history)
        print(f"\nruntime {time.perf_counter() - started:.1f} s")
        return
    if args.data == "suite-d":
        warehouse_points(args.seeds, args.scope, args.candidates, args.history)
        print(f"\nruntime {time.perf_counter() - started:.1f} s")
        return
    chosen = {"both": ("suite", "suite-b"), "all": tuple(sets)}.get(args.data, (args.data,))
    for name, (suite, months_back) in sets.items():
        if name not in chosen:
            continue
        frame = suite.series_set(range(args.seeds))
        frame["cost"] = frame["cost"].astype(float)
        ends = {
            m: m.replace(day=calendar.monthrange(m.year, m.month)[1])
            for m in frame["billing_month"]
        }
        months = sorted(m for m, end in ends.items() if end <= suite.END)[-months_back:]
        print(
            f"\n{name}, scope {args.scope}, {args.seeds} seeds, {months[0]:%Y-%m}..{months[-1]:%Y-%m}"
            f"{band_text(args.history)}"
        )
        table = errors(frame, months, args.scope, args.candidates, args.history)
        print_table(table, args.candidates)
    print(f"\nruntime {time.perf_counter() - started:.1f} s")


def warehouse_points(
    seeds: int, scope: str, with_candidates: bool, history: tuple[int, int] | None
) -> None:
    """suite-d: each of seeds x 4 warehouses scored on its months 2-4, rows pooled."""
    frames = forecast_series_d.seed_frames(range(4 * seeds))
    tables: dict[tuple[int, int], list[np.ndarray]] = {}
    for frame in frames:
        frame = frame.copy()
        frame["cost"] = frame["cost"].astype(float)
        months = closed_months(frame, forecast_series_d.END)[1:]
        for window, rows in errors(frame, months, scope, with_candidates, history).items():
            tables.setdefault(window, []).append(rows)
    print(f"\nsuite-d, scope {scope}, {len(frames)} warehouses, months 2-4{band_text(history)}")
    print_table({w: np.vstack(parts) for w, parts in sorted(tables.items())}, with_candidates)


def band_text(band: tuple[int, int] | None) -> str:
    return f", history {band[0]}-{band[1]} days at the as-of day" if band else ""


def demo_points(
    warehouse: Path | None,
    months_back: int,
    scope: str,
    with_candidates: bool,
    history: tuple[int, int] | None = None,
) -> None:
    """The same table for a demo warehouse's series (a copy: reading creates a table)."""
    if warehouse is None:
        raise SystemExit("--data demo needs --warehouse (a warehouse `finops demo` built)")
    fs = ForecastSettings()
    con = connect(warehouse)
    frame, currency = load_daily_series(con, demo_settings().showback, fs)
    last = last_complete_day(con, fs.incomplete_days)
    con.close()
    frame["cost"] = frame["cost"].astype(float)
    months = closed_months(frame, last)[-months_back:]
    print(
        f"\ndemo, scope {scope}, {months[0]:%Y-%m}..{months[-1]:%Y-%m}, {currency}"
        f"{band_text(history)}"
    )
    print_table(errors(frame, months, scope, with_candidates, history), with_candidates)


def print_table(table: dict[tuple[int, int], np.ndarray], with_candidates: bool) -> None:
    print("days   | model | seasonal naive | 7-day run rate | forecasts")
    for (lo, hi), rows in table.items():
        m, s, r = rows[:, :3].mean(axis=0)
        print(f"{lo:2d}-{hi:2d}  | {m:5.2f} | {s:14.2f} | {r:14.2f} | {len(rows):9d}")
    if with_candidates:
        print_candidates(table)


def print_candidates(table: dict[tuple[int, int], np.ndarray]) -> None:
    """Each candidate's error alone per window, the best one marked."""
    names = (*NAMES, "average")
    print("candidates alone, same error measure")
    print("days   | " + " | ".join(f"{n:>14}" for n in names))
    for (lo, hi), rows in table.items():
        means = rows[:, 3:].mean(axis=0)
        best = int(np.argmin(means))
        cells = (f"{v:13.2f}{'*' if i == best else ' '}" for i, v in enumerate(means))
        print(f"{lo:2d}-{hi:2d}  | " + " | ".join(cells))


if __name__ == "__main__":
    main()
