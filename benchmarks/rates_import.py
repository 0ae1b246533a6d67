"""Time `finops rates import` on a file the size of the ECB's full history, and a re-import.

    python benchmarks/rates_import.py [--days 6900]

Writes a synthetic file in the exact eurofxref-hist.csv layout (the ECB's 41 currency columns,
N/A for the 11 no longer quoted, trailing empty column, newest day first; ~6,900 working days
since 1999 is the size of the published history), imports it into a fresh warehouse twice
(the second is the idempotent no-op), then derives one month's GBP->USD and JPY->USD rates as
showback does. The rates are synthetic: this measures speed only.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from finops_pipeline.showback.currency import load_exchange_rates
from finops_pipeline.showback.rate_resolve import resolve_rates
from finops_pipeline.showback.rate_store import import_rates
from finops_pipeline.warehouse import connect

HEADER = (
    "Date,USD,JPY,BGN,CYP,CZK,DKK,EEK,GBP,HUF,LTL,LVL,MTL,PLN,ROL,RON,SEK,SIT,SKK,CHF,ISK,NOK,"
    "HRK,RUB,TRL,TRY,AUD,BRL,CAD,CNY,HKD,IDR,ILS,INR,KRW,MXN,MYR,NZD,PHP,SGD,THB,ZAR"
)
GONE = {"CYP", "EEK", "LTL", "LVL", "MTL", "ROL", "SIT", "SKK", "TRL", "HRK", "RUB"}


def write_file(path: Path, days: int) -> date:
    codes = HEADER.split(",")[1:]
    lines, day, written = [HEADER + ","], date(2026, 11, 30), 0
    last = day
    while written < days:
        if day.weekday() < 5:
            values = [
                "N/A" if c in GONE else f"{1 + (i + 1) * 0.37 + (written % 97) / 1000:.4f}"
                for i, c in enumerate(codes)
            ]
            lines.append(f"{day.isoformat()},{','.join(values)},")
            written += 1
        day -= timedelta(days=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=6900)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "eurofxref-hist.csv"
        last = write_file(path, args.days)
        con = connect(Path(tmp) / "w.duckdb")
        for label in ("import", "re-import"):
            started = time.perf_counter()
            done = import_rates(con, path)
            print(
                f"{label:9}  {time.perf_counter() - started:6.2f} s  rates {done.rows:,}  "
                f"new {done.added:,}  changed {done.changed:,}  ({path.stat().st_size:,} bytes)"
            )
        started = time.perf_counter()
        load_exchange_rates(con, None)
        month = last.replace(day=1)
        derived = resolve_rates(con, [(month, "GBP"), (month, "JPY")], "USD")
        print(f"derive     {time.perf_counter() - started:6.2f} s  {derived} month rates")
        con.close()


if __name__ == "__main__":
    main()
