"""Backtest of the month-end forecast: MAPE by day of month vs seasonal naive; interval coverage.

    python benchmarks/forecast_backtest.py [--warehouse W] [--months 6] [--scope total]

Without --warehouse it generates the 13-month demo (end month 2026-11, seed 42), ingests it
and builds showback in a temporary folder, so the figures are reproducible. Then, for each of
the last --months closed months and each day d of it (1 .. last day - 1), it forecasts the
month's total effective cost as of day d, with only the data up to day d, two ways:
  model:    finops_pipeline.forecast (ETS(A,Ad,A,7) on recurring cost + one-off profile);
  baseline: seasonal naive: each remaining day = same weekday last week, plus the same
            one-off estimate (so the comparison is about the recurring model alone);
and prints the mean absolute percentage error against the month's actual total, per day of
month, overall, and the runtime. It also prints the model's interval calibration: the share
of forecasts whose actual month-end total falls inside the 80% and inside the 95% interval
(nominal: 80% and 95%), and the mean interval width as % of the actual, overall and by
day-of-month window (1-7, 8-14, 15-21, 22-31). The data is the month as finally loaded (restatements
already applied), i.e. perfect information up to day d.
"""

from __future__ import annotations

import argparse
import calendar
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from finops_pipeline.demo import ingest_demo, write_business_metrics
from finops_pipeline.forecast.build import last_complete_day
from finops_pipeline.forecast.model import seasonal_naive_path
from finops_pipeline.forecast.monthly import daily_values, forecast_month
from finops_pipeline.forecast.series import load_daily_series
from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.ingest.service import ingest_path
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import demo_settings
from finops_pipeline.showback.allocate import build_showback
from finops_pipeline.warehouse import connect


def demo_warehouse(root: Path) -> tuple[Path, object]:
    data = root / "data"
    generate(data, end_month="2026-11", months=13, seed=42)
    write_business_metrics(data, data / "ground_truth.json")
    settings = demo_settings(data)
    con = connect(root / "demo.duckdb")
    list(
        ingest_demo(
            con, data, lambda c, p, s, f: ingest_path(c, p, s, f, policy=settings.tag_policy)
        )
    )
    build_showback(con, settings)
    con.close()
    return root / "demo.duckdb", settings


def backtest(warehouse: Path, settings: object, months: int, scope: str) -> None:
    fs = ForecastSettings()
    con = connect(warehouse)
    started = time.perf_counter()
    daily, currency = load_daily_series(con, settings, fs)
    last = last_complete_day(con, fs.incomplete_days)
    con.close()
    closed = sorted(
        m
        for m in set(daily["billing_month"])
        if m.replace(day=calendar.monthrange(m.year, m.month)[1]) <= last
    )[-months:]
    errors: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    # per day of month: (actual in 80%, actual in 95%, 80% width / actual, 95% width / actual)
    cover: dict[int, list[tuple[bool, bool, float, float]]] = defaultdict(list)
    fits = 0
    fit_seconds = 0.0
    for month in closed:
        length = calendar.monthrange(month.year, month.month)[1]
        frame = daily[daily["scope"] == scope]
        actual = {
            key: float(sum(group["cost"], Decimal(0)))
            for key, group in frame[frame["billing_month"] == month].groupby("key")
        }
        for d in range(1, length):
            as_of = month + timedelta(days=d - 1)
            known = frame[frame["day"] <= as_of]
            t = time.perf_counter()
            results = forecast_month(known, month, as_of, fs, scopes=(scope,))
            fit_seconds += time.perf_counter() - t
            fits += len(results)
            for f in results:
                truth = actual.get(f.key)
                if not truth:
                    continue
                recurring = known[(known["key"] == f.key) & ~known["is_one_off"]]
                recurring = recurring[recurring["day"] > as_of - timedelta(days=fs.history_days)]
                history = daily_values(recurring, as_of).to_numpy()
                naive = float(f.actual_to_date) + f.one_off_remaining
                naive += float(seasonal_naive_path(history, f.horizon_days).sum())
                errors[d]["model"].append(abs(float(f.forecast_month_end) - truth) / abs(truth))
                errors[d]["baseline"].append(abs(naive - truth) / abs(truth))
                r = f.remaining
                lo80, hi80 = float(f.total(r.inner[0])), float(f.total(r.inner[1]))
                lo95, hi95 = float(f.total(r.outer[0])), float(f.total(r.outer[1]))
                cover[d].append(
                    (
                        lo80 <= truth <= hi80,
                        lo95 <= truth <= hi95,
                        (hi80 - lo80) / abs(truth),
                        (hi95 - lo95) / abs(truth),
                    )
                )
    elapsed = time.perf_counter() - started
    print(
        f"scope {scope}, {len(closed)} closed months "
        f"({closed[0]:%Y-%m}..{closed[-1]:%Y-%m}), currency {currency}"
    )
    print(" day  model MAPE %  seasonal-naive MAPE %  forecasts")
    for d in sorted(errors):
        model, base = errors[d]["model"], errors[d]["baseline"]
        print(f"{d:4d}  {100 * np.mean(model):12.2f}  {100 * np.mean(base):21.2f}  {len(model):9d}")
    all_model = [e for d in errors for e in errors[d]["model"]]
    all_base = [e for d in errors for e in errors[d]["baseline"]]
    print(
        f"all   {100 * np.mean(all_model):12.2f}  {100 * np.mean(all_base):21.2f}  "
        f"{len(all_model):9d}"
    )
    for lo, hi in ((1, 7), (8, 14), (15, 21), (22, 31)):
        m = [e for d in errors if lo <= d <= hi for e in errors[d]["model"]]
        b = [e for d in errors if lo <= d <= hi for e in errors[d]["baseline"]]
        if m:
            print(
                f"days {lo:2d}-{hi:2d}: model {100 * np.mean(m):.2f} %, baseline {100 * np.mean(b):.2f} %"
            )
    print("interval coverage (nominal 80 % / 95 %) and mean width as % of the actual:")
    print(" days    in 80 %   in 95 %  width 80 %  width 95 %  forecasts")
    windows = ((1, 31), (1, 7), (8, 14), (15, 21), (22, 31))
    for lo, hi in windows:
        rows = [c for d in cover if lo <= d <= hi for c in cover[d]]
        if not rows:
            continue
        cols = np.array(rows, dtype=float)
        label = "all  " if (lo, hi) == (1, 31) else f"{lo:2d}-{hi:2d}"
        print(
            f"{label}  {100 * cols[:, 0].mean():8.1f}  {100 * cols[:, 1].mean():8.1f}  "
            f"{100 * cols[:, 2].mean():10.2f}  {100 * cols[:, 3].mean():10.2f}  {len(rows):9d}"
        )
    print(
        f"runtime: {elapsed:.1f} s in all, {fits} key forecasts, "
        f"{1000 * fit_seconds / max(fits, 1):.0f} ms per key forecast (fit + simulation)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="an existing warehouse built by finops demo")
    parser.add_argument("--months", type=int, default=6, help="closed months to backtest")
    parser.add_argument("--scope", default="total", choices=["total", "provider", "team"])
    args = parser.parse_args()
    if args.warehouse:
        backtest(args.warehouse, demo_settings(), args.months, args.scope)
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        warehouse, settings = demo_warehouse(Path(tmp))
        print(f"demo warehouse built in {time.perf_counter() - started:.1f} s")
        backtest(warehouse, settings, args.months, args.scope)


if __name__ == "__main__":
    main()
