"""The demo's story: load a restated month's first export, then every source as delivered.

Loading the earlier export of the restated month first shows the restatement replacing it
(nothing doubled). The generator's ground truth then grades the result independently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from finops_pipeline.settings import DEMO_SOURCES

if TYPE_CHECKING:
    from finops_pipeline.ingest.service import IngestReport

RESTATEMENTS_DIR = "_restatements"


def land_demo(
    con: duckdb.DuckDBPyConnection,
    sample_dir: Path,
    ingest: Callable[[duckdb.DuckDBPyConnection, Path, str, str], IngestReport],
    say: Callable[[str], None],
) -> dict[tuple[str, str], Decimal]:
    """Land the restated month's first export, then every source as delivered; `say` what
    happened. Returns the first exports' landed totals by (source, month).

    The totals come from the load itself (each file's measured total, which the
    `reconciles_with_raw` check holds focus_costs to), so nothing reads focus_costs between
    loads: `finops demo` lands with `ingest_path` only and builds focus_costs afterwards in
    its build_derived run, like `finops ingest`."""
    truth = json.loads((sample_dir / "ground_truth.json").read_text(encoding="utf-8"))
    first: dict[tuple[str, str], Decimal] = {}
    for item in truth.get("restatements", []):
        original = sample_dir / item["original_path"]
        if original.exists():
            source = item["source"]
            report = ingest(con, original, source, DEMO_SOURCES.get(source, "auto"))
            loaded = [f for f in report.files if f.status == "loaded"]
            first[(source, item["billing_month"])] = sum(
                (total for f in loaded for total in f.totals.values()), Decimal(0)
            )
            say(f"loaded the first export of {source} {item['billing_month']} (to be restated)")
    for source, fmt in DEMO_SOURCES.items():
        folder = sample_dir / source
        if folder.exists():
            ingest(con, folder, source, fmt)
    return first


def restatement_lines(
    con: duckdb.DuckDBPyConnection, first: dict[tuple[str, str], Decimal]
) -> list[str]:
    """Each restated month: the first export's total against focus_costs now (once built)."""
    return [
        f"restatement: {source} {month} BilledCost {earlier:,.2f} -> "
        f"{_billed(con, source, month):,.2f} (replaced, not added)"
        for (source, month), earlier in first.items()
    ]


def ingest_demo(
    con: duckdb.DuckDBPyConnection,
    sample_dir: Path,
    ingest: Callable[[duckdb.DuckDBPyConnection, Path, str, str], IngestReport],
) -> Iterator[str]:
    """`land_demo`, then the restatement lines, for an `ingest` that lands and refreshes
    focus_costs on `con` (`refresh.ingest_and_refresh`: the tests' and benchmarks' loads)."""
    said: list[str] = []
    first = land_demo(con, sample_dir, ingest, said.append)
    yield from said
    yield from restatement_lines(con, first)


def _billed(con: duckdb.DuckDBPyConnection, source: str, month: str) -> Decimal:
    row = con.execute(
        "select coalesce(sum(BilledCost), 0) from focus_costs where x_SourceName = ? "
        "and strftime(BillingPeriodStart, '%Y-%m') = ?",
        [source, month],
    ).fetchone()
    return row[0] if row else Decimal(0)


def check_ground_truth(con: duckdb.DuckDBPyConnection, truth_file: Path) -> list[str]:
    """Differences between focus_costs and the generator's totals (empty when all match)."""
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    actual = {
        (src, month, cur): (billed, effective)
        for src, month, cur, billed, effective in con.execute(
            "select x_SourceName, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, "
            "sum(BilledCost), sum(EffectiveCost) from focus_costs group by all"
        ).fetchall()
    }
    problems = []
    for item in truth["totals"]:
        key = (item["source"], item["billing_month"], item["currency"])
        billed, effective = actual.get(key, (Decimal(0), Decimal(0)))
        derivable = (
            truth["sources"].get(item["source"], {}).get("derivable", ["billed", "effective"])
        )
        checks = [
            ("billed", Decimal(item["billed_cost"]), billed),
            ("effective", Decimal(item["effective_cost"]), effective),
        ]
        for name, expected, got in checks:
            if name not in derivable:
                continue
            if abs(expected - got) >= Decimal("0.005"):
                problems.append(
                    f"{key}: {name} expected {expected:,.2f}, focus_costs has {got:,.2f}"
                )
    return problems


def write_business_metrics(sample_dir: Path, truth_file: Path) -> Path:
    """Daily `requests` per team for the demo's months: the basis of its metric-split pool.

    Deterministic (a hash of date and team), with weekday seasonality, so reruns agree.
    """
    import csv
    import hashlib
    from datetime import date, timedelta

    from finops_pipeline.sample_data.estate import TEAMS
    from finops_pipeline.settings import DEMO_METRICS_FILE

    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    months = sorted({item["billing_month"] for item in truth["totals"]})
    first = date.fromisoformat(months[0] + "-01")
    last = date.fromisoformat(truth.get("as_of") or months[-1] + "-28")
    base = {
        "payments": 900_000,
        "search": 2_400_000,
        "data-platform": 150_000,
        "mobile": 1_300_000,
        "ml": 300_000,
        "platform": 80_000,
    }
    path = sample_dir / DEMO_METRICS_FILE
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["date", "dimension", "metric", "value"])
        day = first
        while day <= last:
            for team in TEAMS:
                noise = int(hashlib.sha256(f"{day}{team}".encode()).hexdigest()[:6], 16) % 1000
                weekday = 1.0 if day.weekday() < 5 else 0.55
                writer.writerow(
                    [day, team, "requests", int(base.get(team, 100_000) * weekday) + noise]
                )
            day += timedelta(days=1)
    return path


DEMO_CONFIG_MARK = "# finops.yaml written by `finops demo`"
RATES_FILE = "exchange_rates.csv"
BUDGETS_FILE = "budgets.csv"


def write_demo_config(config: Path, sample_dir: Path, warehouse: Path) -> bool:
    """Write the demo's settings as `config` (a finops.yaml beside the demo's warehouse).

    This file is what makes the demo's policy apply: without it every command uses the
    generic defaults, so the demo's rules never touch anyone else's data. The demo's rates
    and budgets are copied beside its data so the file needs nothing from the installed
    package. A finops.yaml the demo did not write is never replaced (returns False).
    """
    import os
    import shutil
    from importlib import resources

    from finops_pipeline.settings import DEMO_BUDGETS, DEMO_METRICS_FILE, DEMO_RATES

    if config.exists() and not config.read_text(encoding="utf-8").startswith(DEMO_CONFIG_MARK):
        return False
    package = resources.files("finops_pipeline")
    sample_dir.mkdir(parents=True, exist_ok=True)
    for packaged, name in ((DEMO_RATES, RATES_FILE), (DEMO_BUDGETS, BUDGETS_FILE)):
        with resources.as_file(package.joinpath(packaged)) as source:
            shutil.copyfile(source, sample_dir / name)
    config.parent.mkdir(parents=True, exist_ok=True)
    base = config.resolve().parent

    def rel(path: Path) -> str:
        return json.dumps(Path(os.path.relpath(path.resolve(), base)).as_posix())

    data = rel(sample_dir)
    sources = "\n".join(
        f"  - {{name: {name}, path: {rel(sample_dir / name)}, format: {fmt}}}"
        for name, fmt in DEMO_SOURCES.items()
    )
    policy = package.joinpath("tagging/demo_policy.yaml").read_text(encoding="utf-8")
    allocation = package.joinpath("demo_allocation.yaml").read_text(encoding="utf-8")
    allocation = allocation.replace(
        "reporting:\n  currency: USD\n",
        f"reporting:\n  currency: USD\n  exchange_rates: {rel(sample_dir / RATES_FILE)}\n",
    )
    config.write_text(
        f"{DEMO_CONFIG_MARK}: the demo's policy, for the demo's data only.\n"
        "# Every finops command run in this folder (or given --warehouse with the warehouse below)\n"
        "# reads it. Before loading your own exports here, delete it or replace it with the\n"
        "# starter `finops init` writes; `finops demo` rewrites only a file that starts like this.\n"
        "# Relative paths are relative to this file's folder.\n"
        f"warehouse: {rel(warehouse)}\n"
        f"sample_data_dir: {data}\n"
        f"sources:\n{sources}\n"
        f"metrics: {{path: {rel(sample_dir / DEMO_METRICS_FILE)}}}\n"
        f"forecast:\n  budgets_path: {rel(sample_dir / BUDGETS_FILE)}\n\n"
        f"{policy}\n{allocation}",
        encoding="utf-8",
    )
    return True
