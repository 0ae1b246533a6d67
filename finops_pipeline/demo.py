"""The demo's story: load a restated month's first export, then every source as delivered.

Loading the earlier export of the restated month first shows the restatement replacing it
(nothing doubled). The generator's ground truth then grades the result independently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_pipeline.settings import DEMO_SOURCES

RESTATEMENTS_DIR = "_restatements"


def ingest_demo(
    con: duckdb.DuckDBPyConnection,
    sample_dir: Path,
    ingest: Callable[[duckdb.DuckDBPyConnection, Path, str, str], object],
) -> Iterator[str]:
    truth = json.loads((sample_dir / "ground_truth.json").read_text(encoding="utf-8"))
    before: dict[tuple[str, str], Decimal] = {}
    for item in truth.get("restatements", []):
        original = sample_dir / item["original_path"]
        if original.exists():
            source = item["source"]
            ingest(con, original, source, DEMO_SOURCES.get(source, "auto"))
            before[(source, item["billing_month"])] = _billed(con, source, item["billing_month"])
            yield f"loaded the first export of {source} {item['billing_month']} (to be restated)"
    for source, fmt in DEMO_SOURCES.items():
        folder = sample_dir / source
        if folder.exists():
            ingest(con, folder, source, fmt)
    for (source, month), earlier in before.items():
        now = _billed(con, source, month)
        yield (
            f"restatement: {source} {month} BilledCost {earlier:,.2f} -> {now:,.2f} "
            "(replaced, not added)"
        )


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
