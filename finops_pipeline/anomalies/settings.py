"""Anomaly detection settings (the `anomalies:` section of finops.yaml), validated.

Defaults are tuned on the demo's planted anomalies; every threshold is per level because a
change worth a message on one service is noise on the company total.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Literal["provider", "service", "sub_account", "team", "total"]
LEVELS: tuple[Level, ...] = ("provider", "service", "sub_account", "team", "total")


class ImpactFloor(BaseModel):
    """An event is reported only when it passes both floors.

    `absolute`: |actual - expected| summed over the event's days, in the billing currency.
    `relative`: that impact as a fraction of the expected cost over the same days.
    """

    model_config = ConfigDict(extra="forbid")

    absolute: float = Field(25.0, ge=0)
    relative: float = Field(0.2, ge=0)


def _default_floors() -> dict[Level, ImpactFloor]:
    return {
        "provider": ImpactFloor(absolute=50.0, relative=0.1),
        "service": ImpactFloor(absolute=25.0, relative=0.2),
        "sub_account": ImpactFloor(absolute=25.0, relative=0.2),
        "team": ImpactFloor(absolute=25.0, relative=0.2),
        "total": ImpactFloor(absolute=100.0, relative=0.1),
    }


class AnomalySettings(BaseModel):
    """How daily cost anomalies are found; see finops_pipeline/anomalies/detect.py."""

    model_config = ConfigDict(extra="forbid")

    levels: list[Level] = Field(default_factory=lambda: list(LEVELS))
    # A charge day is complete only once `data_lag_days` full days have passed after it:
    # with as_of = today and a lag of 1, the last complete day is the day before yesterday.
    data_lag_days: int = Field(1, ge=0)
    # Days of a key's history needed before any of its days is judged (AWS asks for 10).
    min_history_days: int = Field(28, ge=7)
    # Trailing same-weekday values in the baseline (median) and days in the spread (MAD).
    baseline_weeks: int = Field(8, ge=2)
    min_baseline_points: int = Field(3, ge=2)
    spread_days: int = Field(56, ge=14)
    # A day opens an event at |robust z| >= z_threshold; the event continues while the days
    # stay beyond z_continue in the same direction (hysteresis keeps a shift one event).
    z_threshold: float = Field(6.0, gt=0)
    z_continue: float = Field(3.0, gt=0)
    # The spread never goes below this fraction of the expected cost (flat series have MAD 0).
    min_spread_fraction: float = Field(0.03, ge=0)
    # An event of at least this many days is a level shift; shorter ones are a spike or drop.
    level_shift_days: int = Field(5, ge=2)
    floors: dict[Level, ImpactFloor] = Field(default_factory=_default_floors)
    # Which FOCUS ChargeCategory values count: one-off purchases, tax and credits are not
    # usage anomalies (and tax lands on one day a month).
    charge_categories: list[str] = Field(default_factory=lambda: ["Usage"])
    top_contributors: int = Field(5, ge=1)
    # One change seen at several levels is one row: shown at the narrowest slice whose
    # |impact| is at least this share of the largest member's (see anomalies/incidents.py).
    incident_explain_share: float = Field(0.8, gt=0, le=1)
    contributor_lookback_days: int = Field(28, ge=7)

    @model_validator(mode="after")
    def _check(self) -> AnomalySettings:
        if self.z_continue > self.z_threshold:
            raise ValueError("z_continue must not exceed z_threshold")
        missing = [level for level in self.levels if level not in self.floors]
        for level in missing:
            self.floors[level] = _default_floors()[level]
        return self

    def floor(self, level: str) -> ImpactFloor:
        return self.floors.get(level) or ImpactFloor()  # type: ignore[call-overload]
