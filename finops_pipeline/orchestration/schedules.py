"""The two schedules: a daily refresh of the current and previous billing month, and the
monthly close that rebuilds the closed month with the finance report.

Both run the assets that also land the configured sources (the `ingest` group), so one
Dagster UI shows the whole path from the provider's files to the reports.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import dagster as dg

from finops_pipeline.orchestration.settings import ScheduleSettings


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def refresh_months(now: datetime) -> list[date]:
    """The previous month first (providers restate it for days after it closes), then the
    current one."""
    return [previous_month(now.date()), month_start(now.date())]


def build_schedules(
    settings: ScheduleSettings, partitions_start: str
) -> list[dg.ScheduleDefinition]:
    status = (
        dg.DefaultScheduleStatus.RUNNING if settings.enabled else dg.DefaultScheduleStatus.STOPPED
    )
    first = date.fromisoformat(partitions_start[:10])

    def request(key: date, run_key: str) -> dg.RunRequest | None:
        if key < month_start(first):
            return None
        return dg.RunRequest(run_key=run_key, partition_key=key.isoformat())

    @dg.schedule(
        name="daily_refresh_schedule",
        job_name="daily_refresh",
        cron_schedule=settings.daily_cron,
        execution_timezone=settings.timezone,
        default_status=status,
        description="Every day: refresh the previous and the current billing month.",
    )
    def daily_refresh_schedule(
        context: dg.ScheduleEvaluationContext,
    ) -> Iterator[dg.RunRequest | dg.SkipReason]:
        now = context.scheduled_execution_time
        requests = [request(m, f"daily-{now:%Y-%m-%d}-{m:%Y-%m}") for m in refresh_months(now)]
        found = [r for r in requests if r is not None]
        yield from found or [dg.SkipReason(f"no billing month on or after {first}")]

    @dg.schedule(
        name="month_close_schedule",
        job_name="month_close",
        cron_schedule=f"0 {settings.month_close_hour} {settings.month_close_day} * *",
        execution_timezone=settings.timezone,
        default_status=status,
        description=(
            f"On day {settings.month_close_day} of each month: rebuild the closed month and "
            "its finance report."
        ),
    )
    def month_close_schedule(
        context: dg.ScheduleEvaluationContext,
    ) -> dg.RunRequest | dg.SkipReason:
        closed = previous_month(context.scheduled_execution_time.date())
        found = request(closed, f"close-{closed:%Y-%m}")
        return found or dg.SkipReason(f"{closed:%Y-%m} is before partitions_start {first}")

    return [daily_refresh_schedule, month_close_schedule]
