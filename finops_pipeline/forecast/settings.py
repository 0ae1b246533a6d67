"""Forecast and budget settings (the `forecast:` section of finops.yaml), validated.

Every default is documented in README.md ("Forecast and budget variance"). Budgets live in a
CSV (`budgets_path`) and/or inline (`budgets`); a row without a month is a standing monthly
budget, and a row with a month overrides it for that month.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ONE_OFF_DEFAULT = ["Purchase", "Tax", "Credit", "Adjustment"]


class BudgetEntry(BaseModel):
    """One team's budget, in the reporting currency: for `month` (YYYY-MM) or every month."""

    model_config = ConfigDict(extra="forbid")

    team: str
    amount: Decimal = Field(ge=0)
    month: str | None = None

    @field_validator("month")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value.strip()):
            raise ValueError(f"{value!r} is not YYYY-MM (omit it for a standing monthly budget)")
        return value.strip() if value else None


class ForecastSettings(BaseModel):
    """How month-end forecasts are made and budgets judged; see forecast/model.py."""

    model_config = ConfigDict(extra="forbid")

    # FOCUS ChargeCategory values that are one-off: kept out of the daily series the model
    # learns from, and forecast separately from the same day-of-month in recent months.
    one_off_charge_categories: list[str] = Field(default_factory=lambda: list(ONE_OFF_DEFAULT))
    # The latest N days with charges are still filling (exports deliver today partially):
    # they count neither as actual to date nor as history; the forecast covers them.
    incomplete_days: int = Field(1, ge=0)
    # Complete days needed for the local-level ensemble (two weeks for its weekday factors);
    # fewer -> seasonal naive (7+ days) or run rate (1-6 days), named in the `model` column.
    min_history_days: int = Field(14, ge=14)
    # Trailing complete days the model is fitted on (recent behaviour matters most).
    history_days: int = Field(91, ge=28)
    # Closed months whose day-of-month one-off profile estimates the one-offs still to come.
    one_off_lookback_months: int = Field(3, ge=1)
    # Interval levels written to lower_80/upper_80 (inner) and lower_95/upper_95 (outer).
    inner_interval: float = Field(0.80, gt=0, lt=1)
    outer_interval: float = Field(0.95, gt=0, lt=1)
    # Distinct series the interval calibration wants: a warehouse with fewer (no team tags,
    # one provider) tops its pool up with its largest sub-accounts' series, which are
    # evidence of how the method errs here but are not forecast (forecast/monthly.py,
    # sql/int/int_forecast_daily.sql). 0: never. Each costs a rolling-origin fit.
    pool_min_series: int = Field(8, ge=0)
    # Simulated sample paths behind the intervals, and their seed (reruns agree).
    simulations: int = Field(1000, ge=100)
    seed: int = 0
    # Budget status: forecast >= over_budget_at x budget (or actual already above budget)
    # -> 'over budget'; the 80% upper bound above the budget, or forecast >= at_risk_at x
    # budget (and > 0) -> 'at risk'; else 'on track'. Closed months: over / under budget.
    at_risk_at: Decimal = Field(Decimal("0.95"), gt=0)
    over_budget_at: Decimal = Field(Decimal("1.00"), gt=0)
    budgets_path: Path | None = None
    budgets: list[BudgetEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> ForecastSettings:
        if self.inner_interval >= self.outer_interval:
            raise ValueError("inner_interval must be narrower than outer_interval (0.80 < 0.95)")
        if self.at_risk_at > self.over_budget_at:
            raise ValueError("at_risk_at must not exceed over_budget_at (e.g. 0.95 and 1.00)")
        if self.min_history_days > self.history_days:
            raise ValueError("min_history_days must not exceed history_days")
        return self

    def resolve_paths(self, base: Path) -> None:
        if self.budgets_path is not None and not self.budgets_path.is_absolute():
            self.budgets_path = base / self.budgets_path
