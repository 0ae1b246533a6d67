"""Time the cost_forecast build on a demo warehouse (what `finops run` spends on it).

    python benchmarks/forecast_build.py [--warehouse W]

Without --warehouse it generates the 13-month demo (end month 2026-11, seed 42) and builds
showback in a temporary folder first. Then it times, in one process: the import of the
forecast package, build_cost_forecast for every month at once (as `finops demo` does) and for
the open month alone (one `finops run` partition; closed months only sum their actuals).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

started = time.perf_counter()
from finops_pipeline.forecast.build import build_cost_forecast, last_complete_day  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - started

sys.path.insert(0, str(Path(__file__).parent))
from forecast_backtest import demo_warehouse  # noqa: E402

from finops_pipeline.settings import Settings, demo_settings  # noqa: E402
from finops_pipeline.warehouse import connect  # noqa: E402


def measure(warehouse: Path, settings: Settings) -> None:
    con = connect(warehouse)
    last = last_complete_day(con, 1)
    t = time.perf_counter()
    rows = build_cost_forecast(con, settings.showback, settings.forecast)
    every = time.perf_counter() - t
    t = time.perf_counter()
    build_cost_forecast(con, settings.showback, settings.forecast, last.replace(day=1))
    open_month = time.perf_counter() - t
    con.close()
    print(f"import finops_pipeline.forecast.build: {IMPORT_SECONDS:.2f} s")
    print(f"cost_forecast, every month: {every:.2f} s ({rows} rows)")
    print(f"cost_forecast, open month {last:%Y-%m} only: {open_month:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="an existing demo warehouse (copied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.warehouse:
            copy = Path(tmp) / "w.duckdb"
            shutil.copy(args.warehouse, copy)
            measure(copy, demo_settings())
        else:
            warehouse, settings = demo_warehouse(Path(tmp))
            measure(warehouse, settings)


if __name__ == "__main__":
    main()
