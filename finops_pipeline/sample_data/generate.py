"""Generate every source's native export files and the ground truth they reconcile to."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

from . import truth as gt
from .periods import build_window
from .sources import BUILDERS, SOURCES, price, write


def generate(
    outdir: Path,
    end_month: str = "2026-11",
    months: int = 13,
    scale: int = 1,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
    *,
    as_of: date | None = None,
) -> dict:
    """Write ``outdir/<source>/...`` for all sources plus ``outdir/ground_truth.json``.

    ``end_month`` is the open month: it has data up to the day before ``as_of`` (default:
    its last day). The output is byte-identical for the same arguments. Returns the ground
    truth dict (money as decimal strings), the same content as ``ground_truth.json``.

    Source folders left by an earlier run are removed first: their GUID-named files would
    otherwise sit beside the new ones and be ingested twice. Nothing else in ``outdir`` is
    touched.
    """
    if scale < 1:
        raise ValueError("scale must be >= 1")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in [*SOURCES, "_restatements"]:
        shutil.rmtree(outdir / stale, ignore_errors=True)
    report = progress or (lambda _msg: None)
    window = build_window(end_month, months, as_of)
    result = gt.header(seed, end_month, months, scale, window)
    for source, build in BUILDERS.items():
        report(f"{source}: pricing {len(window.months)} months")
        estate = build(window, seed, scale)
        charges = price(estate, window, seed)
        written = write(estate, window, charges, outdir, seed, report)
        result["sources"][source] = gt.source_entry(estate)
        result["totals"] += gt.totals(estate, charges, written)
        result["restatements"] += gt.restatement(written)
        result["anomalies"] += gt.anomalies(estate, charges, window)
        result["waste"] += gt.waste(estate, charges, window)
    text = json.dumps(result, indent=2) + "\n"
    (outdir / "ground_truth.json").write_text(text, encoding="utf-8")
    report(f"ground truth written to {outdir / 'ground_truth.json'}")
    return json.loads(text)
