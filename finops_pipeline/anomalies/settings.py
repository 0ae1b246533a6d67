"""Anomaly detection settings (the `anomalies:` section of finops.yaml), validated.

The statistical thresholds are tail probabilities under the model (anomalies/model.py), not
fits to any data set; the floors are per level because a change worth a message on one
service is noise on the company total.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:  # the model imports numpy/scipy: loaded when a detector is built
    from finops_pipeline.anomalies.season import ModelParams

Level = Literal["provider", "service", "sub_account", "sub_account_service", "team", "total"]
LEVELS: tuple[Level, ...] = (
    "provider",
    "service",
    "sub_account",
    "sub_account_service",
    "team",
    "total",
)
# Most specific first: which level leads when several see one change (the incident's head in
# cost_anomalies, then its also_seen_at members, and the same order in alerts).
LEVEL_ORDER: dict[str, int] = {
    "sub_account_service": -1,
    "service": 0,
    "sub_account": 1,
    "team": 2,
    "provider": 3,
    "total": 4,
}


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
        "sub_account_service": ImpactFloor(absolute=25.0, relative=0.2),
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
    # A key is judged from its `min_history_days`-th day of history (AWS asks for 10 days).
    min_history_days: int = Field(10, ge=3)
    # Weeks of clean history behind the weekday effects and the noise; days behind the level.
    baseline_weeks: int = Field(8, ge=2)
    level_days: int = Field(14, ge=3)
    # Kept for finops.yaml compatibility; the spread now comes from the baseline window.
    min_baseline_points: int = Field(3, ge=2)
    spread_days: int = Field(56, ge=14)
    # A day opens an event at |z| >= z_threshold, z being the normal score of the day's tail
    # probability under the predictive t distribution (4: about 3 in 100,000 per side); the
    # event continues while days stay beyond z_continue in the same direction.
    z_threshold: float = Field(4.0, gt=0)
    z_continue: float = Field(2.0, gt=0)
    # CUSUM of z for moves no single day shows: k = half the smallest shift worth catching
    # (2 sd), h = 4 gives an in-control run of ~15,000 days per side (Siegmund).
    cusum_k: float = Field(1.0, gt=0)
    cusum_h: float = Field(4.0, gt=0)
    # The noise prior a young series is pooled with: a 10% day-to-day CV, worth 3 days.
    prior_noise: float = Field(0.10, gt=0)
    prior_weight_days: float = Field(3.0, ge=0)
    # The spread (log scale) never goes below this (flat series have MAD 0).
    min_spread_fraction: float = Field(0.03, ge=0)
    # A shift that lasted a whole baseline window (8 weeks) is the new normal: the event
    # closes and its recent days rejoin the baseline.
    accept_shift_days: int = Field(56, ge=7)
    # An event of at least this many days is a level shift or a ramp; shorter ones are a
    # spike or drop.
    level_shift_days: int = Field(5, ge=2)
    # Severity goes one step down while the baseline is younger than this (days).
    young_baseline_days: int = Field(28, ge=0)
    # A key that first appears `min_history_days` or more after its currency's data began is
    # judged on its first days as new spend (expected 0) instead of waiting in silence.
    new_spend: bool = True
    floors: dict[Level, ImpactFloor] = Field(default_factory=_default_floors)
    # The floors must be passed within this many days of the alarm (impact adds up: a change
    # too small to matter in a week is not worth an alert after two months either).
    floor_days: int = Field(7, ge=1)
    # Which FOCUS ChargeCategory values count: one-off purchases, tax and credits are not
    # usage anomalies (and tax lands on one day a month).
    charge_categories: list[str] = Field(default_factory=lambda: ["Usage"])
    # FOCUS ChargeFrequency values left out: a Recurring charge (support plan, subscription)
    # is billed on its day by contract, not by usage.
    excluded_charge_frequencies: list[str] = Field(default_factory=lambda: ["Recurring"])
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

    def model_params(self) -> ModelParams:
        from finops_pipeline.anomalies.season import ModelParams

        return ModelParams(
            min_history_days=self.min_history_days,
            window_weeks=self.baseline_weeks,
            level_days=self.level_days,
            z_open=self.z_threshold,
            z_continue=self.z_continue,
            cusum_k=self.cusum_k,
            cusum_h=self.cusum_h,
            prior_noise=self.prior_noise,
            prior_weight=self.prior_weight_days,
            min_noise=self.min_spread_fraction,
            accept_days=self.accept_shift_days,
        )

    def floor(self, level: str) -> ImpactFloor:
        return self.floors.get(level) or ImpactFloor()  # type: ignore[call-overload]
