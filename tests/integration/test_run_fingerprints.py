"""`finops run` skips months whose inputs did not change since their last good build (issue 16),
and rebuilds them when a load, a settings file or --force says so."""

from __future__ import annotations

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
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert f"{CLOSED_MONTH} ok" in forced.output and "skipped" not in forced.output
