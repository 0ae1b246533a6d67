"""The `schedules:` section of finops.yaml, validated."""

from __future__ import annotations

from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ScheduleSettings(BaseModel):
    """When the daily refresh and the monthly close run.

    Providers restate the previous month for days after it ends, so the daily refresh
    rebuilds the current and the previous billing month; on `month_close_day` the closed month
    is rebuilt once more, with the finance report, when the invoices are final.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True  # False: the schedules load stopped; start them in the UI
    timezone: str = "UTC"
    daily_cron: str = "0 6 * * *"
    month_close_day: int = Field(5, ge=1, le=28)
    month_close_hour: int = Field(7, ge=0, le=23)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as UTC")
        return value

    @field_validator("daily_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from dagster._utils.schedules import is_valid_cron_string

        if not is_valid_cron_string(value):
            raise ValueError(f"{value!r} is not a cron expression (e.g. '0 6 * * *')")
        return value
