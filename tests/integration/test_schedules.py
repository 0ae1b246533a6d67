"""The two schedules ask for the right billing months, on the jobs that include ingestion."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from finops_pipeline.definitions import build_definitions
from finops_pipeline.orchestration.settings import ScheduleSettings
from finops_pipeline.settings import Settings, SourceSettings


@pytest.fixture
def defs(tmp_path: Path) -> dg.Definitions:
    settings = Settings(
        partitions_start="2025-01-01",
        sources=[SourceSettings(name="cur", path=tmp_path, format="aws-cur")],
        schedules=ScheduleSettings(month_close_day=4),
    )
    return build_definitions(settings, str(tmp_path / "w.duckdb"))


def tick(defs: dg.Definitions, name: str, when: datetime) -> list[dg.RunRequest]:
    schedule = defs.resolve_schedule_def(name)
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=when,
            repository_def=defs.get_repository_def(),
        )
        return list(schedule.evaluate_tick(context).run_requests or [])


def test_daily_refresh_rebuilds_previous_and_current_month(defs: dg.Definitions) -> None:
    requests = tick(defs, "daily_refresh_schedule", datetime(2026, 3, 2, 6, tzinfo=UTC))
    assert [r.partition_key for r in requests] == ["2026-02-01", "2026-03-01"]
    assert len({r.run_key for r in requests}) == 2
    january = tick(defs, "daily_refresh_schedule", datetime(2026, 1, 15, 6, tzinfo=UTC))
    assert [r.partition_key for r in january] == ["2025-12-01", "2026-01-01"]
    first = tick(defs, "daily_refresh_schedule", datetime(2025, 1, 10, 6, tzinfo=UTC))
    assert [r.partition_key for r in first] == ["2025-01-01"]  # nothing before the start


def test_month_close_rebuilds_the_closed_month(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("month_close_schedule")
    assert schedule.cron_schedule == "0 7 4 * *"
    assert schedule.job_name == "month_close"
    [request] = tick(defs, "month_close_schedule", datetime(2026, 3, 4, 7, tzinfo=UTC))
    assert request.partition_key == "2026-02-01"


def test_jobs_land_the_sources_and_close_includes_reports(defs: dg.Definitions) -> None:
    daily = defs.resolve_job_def("daily_refresh")
    close = defs.resolve_job_def("month_close")
    daily_keys = {k.to_user_string() for k in daily.asset_layer.executable_asset_keys}
    close_keys = {k.to_user_string() for k in close.asset_layer.executable_asset_keys}
    assert {"raw/cur", "focus_costs", "cost_anomalies"} <= daily_keys
    assert daily_keys <= close_keys
    assert all(
        defs.resolve_schedule_def(n).default_status == dg.DefaultScheduleStatus.RUNNING
        for n in ("daily_refresh_schedule", "month_close_schedule")
    )


def test_bad_schedule_config_names_the_key(tmp_path: Path) -> None:
    from finops_pipeline.errors import ConfigError
    from finops_pipeline.settings import load_settings

    config = tmp_path / "finops.yaml"
    config.write_text("schedules:\n  daily_cron: every day\n  month_close_day: 31\n")
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    message = str(info.value)
    assert "schedules.daily_cron (line 2)" in message
    assert "schedules.month_close_day (line 3)" in message
