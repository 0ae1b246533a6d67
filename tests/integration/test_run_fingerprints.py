"""`finops run` skips months whose inputs did not change since their last good build (issue 16),
and rebuilds them when a load, a settings file or --force says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.orchestration.fingerprints import (
    month_fingerprints,
    record_built,
    unchanged_months,
)
from finops_pipeline.settings import Settings
from finops_pipeline.warehouse import connect
from tests.fixtures.demo_warehouse import CLOSED_MONTH, build_demo_warehouse, copy_warehouse

MONTH = date.fromisoformat(CLOSED_MONTH + "-01")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings]:
    return build_demo_warehouse(tmp_path_factory.mktemp("fingerprints"))


def test_fingerprint_follows_loads_and_named_files(
    demo: tuple[Path, Settings], tmp_path: Path
) -> None:
    warehouse = copy_warehouse(demo[0], tmp_path)
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("month,team,metric,value\n2026-03,a,orders,1\n")
    settings = demo[1].model_copy(deep=True)
    settings.sample_data_dir = metrics  # any settings string naming a file counts
    con = connect(warehouse)
    try:
        first = month_fingerprints(con, [MONTH], settings)
        assert month_fingerprints(con, [MONTH], settings) == first
        assert unchanged_months(con, first) == set()
        record_built(con, MONTH, first[MONTH])
        assert unchanged_months(con, first) == {MONTH}
        metrics.write_text("month,team,metric,value\n2026-03,a,orders,2\n")
        edited = month_fingerprints(con, [MONTH], settings)
        assert edited != first and unchanged_months(con, edited) == set()
        con.execute(
            "update raw_aws_cur set x_load_id = 'restated' where x_load_id = "
            "(select min(x_load_id) from raw_aws_cur)"
        )
        assert month_fingerprints(con, [MONTH], settings) != edited
    finally:
        con.close()


def test_a_second_run_skips_the_unchanged_month_and_force_rebuilds_it(
    demo: tuple[Path, Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = copy_warehouse(demo[0], tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("FINOPS_SAMPLE_DATA", str(demo[0].parent / "data"))
    runner = CliRunner()
    args = ["run", "--month", CLOSED_MONTH, "--warehouse", str(warehouse)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert f"{CLOSED_MONTH} ok" in first.output and "skipped" not in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert (
        f"skipped 1 month(s) whose inputs did not change since their last build: {CLOSED_MONTH}"
        in second.output
    )
    assert f"{CLOSED_MONTH} ok" not in second.output
    fresh = _run_in_fresh_process(args, tmp_path)
    assert "skipped 1 month(s)" in fresh["output"], fresh
    # What keeps a rerun with nothing changed under 5% of a build (issue 16): Dagster (half
    # a second to import) and the ingest code are never loaded when every month is skipped.
    assert fresh["loaded"] == [], fresh
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert f"{CLOSED_MONTH} ok" in forced.output and "skipped" not in forced.output


_HEAVY_MODULES = ("dagster", "finops_pipeline.ingest.landing", "great_expectations")


def _run_in_fresh_process(args: list[str], tmp_path: Path) -> dict:
    """`finops <args>` in a new interpreter: its output and which heavy modules it loaded."""
    script = (
        "import contextlib, io, json, sys\n"
        "from finops_pipeline.cli import app\n"
        "buffer = io.StringIO()\n"
        "with contextlib.redirect_stdout(buffer):\n"
        "    try:\n"
        f"        app({args!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"loaded = [m for m in {_HEAVY_MODULES!r} if m in sys.modules]\n"
        "print(json.dumps({'output': buffer.getvalue(), 'loaded': loaded}))\n"
    )
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
