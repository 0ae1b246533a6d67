"""What refreshing focus_costs after a load costs: directly (refresh.py) or through Dagster.

    python benchmarks/refresh_cost.py [--months 2] [--repeat 3]

Generates the demo's exports for `--months` months, lands one source (aws-cur2) and times
(a) `refresh_focus` for the (source, period) pairs the load changed, and for a reload that
changed nothing; (b) the same months through the `build_derived` job subset to focus_costs,
one in-process run per month as `finops run` does: building the Definitions, opening the
instance, and the run itself. The figures decide how `finops ingest` refreshes (README,
"Dagster"). Data and DAGSTER_HOME live in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import dagster as dg

    from finops_pipeline.dagster_run import QUIET
    from finops_pipeline.definitions import build_definitions
    from finops_pipeline.ingest.service import ingest_path
    from finops_pipeline.refresh import refresh_focus
    from finops_pipeline.sample_data import generate
    from finops_pipeline.settings import demo_settings
    from finops_pipeline.warehouse import connect

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = root / "dagster_home"
        home.mkdir()
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
        os.environ["DAGSTER_HOME"] = str(home)
        generate(root / "data", end_month="2026-03", months=args.months)
        settings = demo_settings(root / "data")
        path = root / "w.duckdb"
        con = connect(path)
        months: list[str] = []
        for _ in range(args.repeat):  # the first load changes every month, later ones nothing
            report = ingest_path(con, root / "data" / "aws-cur2", "aws-cur2")
            months = months or sorted({f"{p:%Y-%m-01}" for _, p in report.changed_periods})
            start = time.perf_counter()
            refresh_focus(con, report, settings)
            pairs = len(report.changed_periods)
            print(
                f"(a) direct refresh, {pairs} changed pair(s): {time.perf_counter() - start:.2f} s"
            )
        con.close()
        for _ in range(args.repeat):
            start = time.perf_counter()
            defs = build_definitions(settings, str(path))
            job = defs.resolve_job_def("build_derived").get_subset(
                asset_selection={dg.AssetKey("focus_costs")}, asset_check_selection=set()
            )
            built = time.perf_counter()
            with dg.DagsterInstance.get() as instance:
                opened = time.perf_counter()
                for key in months:
                    result = job.execute_in_process(
                        partition_key=key, instance=instance, raise_on_error=False, run_config=QUIET
                    )
                    assert result.success
            done = time.perf_counter()
            print(
                f"(b) Dagster, {len(months)} month(s): definitions {built - start:.2f} s, "
                f"instance {opened - built:.2f} s, runs {done - opened:.2f} s"
            )


if __name__ == "__main__":
    main()
