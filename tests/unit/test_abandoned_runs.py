"""A finops process killed outright during an in-process Dagster run (SIGKILL: no handler
runs) leaves the run STARTED; the next run on the instance marks it failed (issue 17)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from finops_pipeline.dagster_run import (
    HOST_TAG,
    PID_TAG,
    fail_abandoned_runs,
    own_tags,
    run_partition_range,
)


def _started(instance: dg.DagsterInstance, tags: dict[str, str]) -> str:
    run = instance.add_run(
        dg.DagsterRun(job_name="build_derived", status=dg.DagsterRunStatus.STARTED, tags=tags)
    )
    return run.run_id


def test_a_run_whose_process_is_gone_is_marked_failed_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = gone.stdout.strip()
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        killed = _started(instance, {**own_tags(), PID_TAG: dead_pid})
        running = _started(instance, own_tags())  # this process: alive
        from_ui = _started(instance, {})  # launched by the UI: Dagster's to watch
        elsewhere = _started(instance, {PID_TAG: dead_pid, HOST_TAG: "another-host"})
        assert fail_abandoned_runs(instance) == [killed]
        status = {run_id: instance.get_run_by_id(run_id).status  # type: ignore[union-attr]
                  for run_id in (killed, running, from_ui, elsewhere)}  # fmt: skip
        assert status[killed] == dg.DagsterRunStatus.FAILURE
        assert {status[r] for r in (running, from_ui, elsewhere)} == {dg.DagsterRunStatus.STARTED}
        assert fail_abandoned_runs(instance) == []


def test_runs_carry_the_process_that_runs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))

    @dg.asset(partitions_def=dg.MonthlyPartitionsDefinition(start_date="2024-01-01"))
    def nothing() -> None:
        return None

    defs = dg.Definitions(assets=[nothing], jobs=[dg.define_asset_job("j", [nothing])])
    result = run_partition_range(defs, "j", "2024-01-01", "2024-01-01", home_beside=tmp_path)
    assert result.success
    assert {k: result.dagster_run.tags[k] for k in (PID_TAG, HOST_TAG)} == own_tags()


def test_an_interrupted_step_says_so_in_one_line() -> None:
    """Ctrl+C or SIGTERM during a run: Dagster ends the run as failed and the step's error is
    its DagsterExecutionInterruptedError, which says nothing to a user on its own."""
    from types import SimpleNamespace

    from finops_pipeline.dagster_run import one_line

    error = SimpleNamespace(cls_name="DagsterExecutionInterruptedError", message="dagster._core")
    assert one_line(error) == "interrupted (Ctrl+C or SIGTERM)"
