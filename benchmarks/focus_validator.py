"""The FinOps Foundation's FOCUS validator on every dataset we export: the README figures.

    python benchmarks/focus_validator.py [--validator PATH] [--workers 2] [--focus-version 1.2]

Builds the datasets of tests/conformance/focus_exports.py (the demo's sources, two billing
months, and every file in $FINOPS_SHARED_DATASETS that loads, each its own source), exports
each source with `finops export`'s writer (one file per billing period), and runs
focus-validator 2.2.1 on every file, at default applicability and with
`--applicability-criteria ALL`. Prints pass/fail/skip per file, the totals, and every failed
rule with the datasets it failed on (composite rules, which fail whenever a part does, are
counted in the totals but not listed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from finops_pipeline.warehouse import connect
from tests.conformance.focus_exports import export_sources, load_all
from tests.conformance.focus_validator import run_many

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    tools = Path(os.environ.get("FINOPS_TOOLS_DIR", ROOT / ".tools"))
    parser.add_argument(
        "--validator", default=str(tools / "focus-validator-venv/bin/focus-validator")
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--focus-version", default="1.2")
    args = parser.parse_args()
    shared = Path(os.environ.get("FINOPS_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        con = connect(root / "w.duckdb")
        sources = load_all(con, root, shared if shared.is_dir() else None)
        files = export_sources(con, sources, root / "exports", args.focus_version)
        con.close()
        for criteria in (None, "ALL"):
            started = time.perf_counter()
            results = run_many([args.validator], files, root / "work", criteria, args.workers)
            label = criteria or "default"
            failed_on: dict[str, list[str]] = defaultdict(list)
            for r in results:
                name = str(r.data_file.relative_to(root / "exports"))
                print(f"{label:8} {name:70} pass={r.passed} fail={r.failures} skip={r.skipped}")
                for rule in r.failed_checks():
                    failed_on[rule].append(name.split("/")[0])
            totals = [
                sum(getattr(r, k) for r in results) for k in ("passed", "failures", "skipped")
            ]
            print(
                f"{label}: {len(results)} files, pass {totals[0]}, fail {totals[1]}, "
                f"skip {totals[2]} ({time.perf_counter() - started:.0f} s)"
            )
            for rule, where in sorted(failed_on.items()):
                print(f"  {rule}: {len(where)} file(s): {', '.join(sorted(set(where)))}")


if __name__ == "__main__":
    main()
