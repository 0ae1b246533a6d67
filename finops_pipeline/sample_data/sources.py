"""The seven sources: for each, which estate it bills, how it prices usage and how it writes.

``run_source`` returns the priced charges (the ground truth's input) and, per billing month,
the file written and its row count, plus the restated month's first delivery if any.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from pathlib import Path

from finops_pipeline.demo_sources import DEMO_SOURCES

from .aws import estate as estate_aws
from .aws import estate_orgs as estate_aws_orgs
from .aws import write_cur, write_cur2
from .aws import write_focus as write_aws_focus
from .aws.charges import AwsBill
from .aws.monthly import add_monthly_lines
from .azure import estate as estate_azure
from .azure import estate_us as estate_azure_us
from .azure import write_cost as write_azure
from .azure import write_focus as write_azure_focus
from .azure.charges import AzureBill
from .charges import Charge
from .estate import Estate
from .gcp import estate as estate_gcp
from .gcp import write as write_gcp
from .gcp.charges import GcpBill
from .ids import Ids
from .periods import Month, Window
from .usage import daily_usage

# The sources written, folder -> format: the demo's sources, which finops.yaml's demo
# settings load (one list, in demo_sources.py).
SOURCES: dict[str, str] = DEMO_SOURCES

BUILDERS: dict[str, Callable[[Window, int, int], Estate]] = {
    "aws-cur-legacy": estate_aws.legacy,
    "aws-cur2": estate_aws_orgs.eu,
    "aws-focus": estate_aws_orgs.labs,
    "gcp-billing": estate_gcp.build,
    "azure-ea-actual": estate_azure.ea,
    "azure-mca-amortized": estate_azure_us.mca,
    "azure-focus": estate_azure_us.digital,
}


@dataclass
class Written:
    """What one source put on disk: per month the (revised) file and its native row count."""

    files: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    restatement: dict | None = None


def price(estate: Estate, window: Window, seed: int) -> list[Charge]:
    """Every charge of ``estate`` over ``window``, as semantic ``Charge`` objects."""
    usage = groupby(daily_usage(estate, window, seed), key=lambda row: row.day)
    if estate.provider == "AWS":
        aws = AwsBill(estate, window, seed)
        for day, rows in usage:
            aws.price_day(day, rows)
        add_monthly_lines(aws)
        return aws.lines
    if estate.provider == "Google Cloud":
        gcp = GcpBill(estate, window, seed)
        for day, rows in usage:
            gcp.price_day(day, rows)
        gcp.add_month_end_rows()
        return gcp.lines
    azure = AzureBill(estate, window)
    for day, rows in usage:
        azure.price_day(day, rows)
    azure.add_purchases()
    return azure.lines


def first_delivery(estate: Estate, month: Month, lines: list[Charge]) -> list[Charge]:
    """The restated month as first delivered, before the provider revised it.

    AWS delivered it before the month was finalised (no credits, refunds or support fee);
    Azure's first run missed usage that arrived late for the month's last day.
    """
    if estate.provider == "AWS":
        return [c for c in lines if not c.native.get("_final_only")]
    last: date = month.data_days[-1]
    return [c for c in lines if not (c.day == last and c.kind == "Usage")]


def write(
    estate: Estate,
    window: Window,
    lines: list[Charge],
    outdir: Path,
    seed: int,
    progress: Callable[[str], None],
) -> Written:
    ids = Ids(seed, estate.source + ":files")
    out = Written()
    by_month: dict[str, list[Charge]] = {m.key: [] for m in window.months}
    for c in lines:
        by_month[c.month].append(c)
    restated = window.restated
    for index, month in enumerate(window.months):
        progress(f"{estate.source}: writing {month.key}")
        month_lines = by_month[month.key]
        original = None
        if (
            restated is not None
            and month.key == restated.key
            and estate.source in ("aws-cur-legacy", "azure-ea-actual")
        ):
            original = first_delivery(estate, month, month_lines)
        key, count = _write_one(
            estate, outdir, month, month_lines, ids, index, window, original, out
        )
        out.files[month.key], out.rows[month.key] = key, count
    return out


def _write_one(
    estate: Estate,
    outdir: Path,
    month: Month,
    lines: list[Charge],
    ids: Ids,
    index: int,
    window: Window,
    original: list[Charge] | None,
    out: Written,
) -> tuple[str, int]:
    source = estate.source
    if source == "aws-cur-legacy":
        result = write_cur.write_month(estate, outdir, month, lines, ids, original)
        if original is not None:
            out.restatement = _restatement(
                estate,
                month,
                original,
                lines,
                f"{source}/{result['original_path']}",
                f"{source}/{result['path']}",
            )
        return f"{source}/{result['path']}", len(lines)
    if source == "aws-cur2":
        return f"{source}/{write_cur2.write_month(estate, outdir, month, lines, ids)}", len(lines)
    if source == "aws-focus":
        key, count = write_aws_focus.write_month(estate, outdir, month, lines, ids)
        return f"{source}/{key}", count
    if source == "gcp-billing":
        parquet = index >= len(window.months) - 2
        path = write_gcp.write_month(estate, lines, outdir, month.key, parquet)
        return path.relative_to(outdir).as_posix(), len(lines)
    if source == "azure-focus":
        return write_azure_focus.write_month(estate, outdir, month, lines, ids)
    if original is not None:
        old_key, _ = write_azure.write_month(estate, outdir / "_restatements", month, original, ids)
    key, count = write_azure.write_month(estate, outdir, month, lines, ids)
    if original is not None:
        out.restatement = _restatement(
            estate, month, original, lines, f"_restatements/{old_key}", key
        )
    return key, count


def _restatement(
    estate: Estate,
    month: Month,
    original: list[Charge],
    revised: list[Charge],
    original_path: str,
    revised_path: str,
) -> dict:
    return {
        "source": estate.source,
        "billing_month": month.key,
        "original_path": original_path,
        "revised_path": revised_path,
        "original_billed_cost": sum(c.billed for c in original),
        "revised_billed_cost": sum(c.billed for c in revised),
    }
