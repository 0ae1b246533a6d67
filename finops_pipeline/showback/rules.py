"""Allocation policy as data: the `reporting`, `metrics` and `allocation` keys of finops.yaml.

Validated on load so a bad rule fails with the key path (`allocation.pools.2.weights`) before
any month is built, not halfway through one. Row filters are `Match` objects shared with the
tag policy (finops_pipeline/tagging/conditions.py): data, never SQL text.

`ShowbackSection` holds the three keys; `Settings` inherits it, so the keys sit at the top
level of finops.yaml and one validation reports every problem.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from finops_pipeline.tagging.conditions import Match

UNALLOCATED = "unallocated"
Split = Literal["proportional", "even", "fixed", "metric"]
Basis = Literal["effective_cost", "billed_cost"]
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")


def _team_name(value: str) -> str:
    if not value or value != value.strip():
        raise ValueError(f"team {value!r}: give the team's name without surrounding spaces")
    if value == UNALLOCATED:
        raise ValueError(f"{UNALLOCATED!r} is the reserved owner of cost nobody owns")
    return value


def _only_for(split: str | None, wanted: str, value: object, what: str) -> None:
    """A pool setting given for a split it does not belong to is refused (an unset split is
    reported by the split's own check)."""
    if value is not None and split not in (wanted, None):
        raise ValueError(f"{what} to split: {wanted} only (this pool is {split})")


class ReportingSettings(BaseModel):
    """The currency roll-ups are shown in, and where the monthly rates to it come from."""

    model_config = ConfigDict(extra="forbid")

    currency: str = "USD"
    exchange_rates: Path | None = None

    @field_validator("currency")
    @classmethod
    def _iso_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
            raise ValueError(f"{value!r} is not an ISO 4217 code such as USD or EUR")
        return value.strip().upper()


class MetricsSettings(BaseModel):
    """Business metrics (CSV or Parquet: date, dimension, metric, value) for `split: metric`."""

    model_config = ConfigDict(extra="forbid")

    path: Path


class OwnerRule(BaseModel):
    """Cost with no owner tag whose row matches goes to `team` (e.g. one account per team)."""

    model_config = ConfigDict(extra="forbid")

    match: Match
    team: str

    @field_validator("team")
    @classmethod
    def _team(cls, value: str) -> str:
        return _team_name(value)


class PoolRule(BaseModel):
    """A shared-cost pool: the rows its filter matches are split between teams, not owned."""

    model_config = ConfigDict(extra="forbid")

    name: str
    match: Match
    split: Split
    basis: Basis | None = Field(default=None, validate_default=True)
    teams: list[str] | None = Field(default=None, validate_default=True)
    weights: dict[str, Decimal] | None = Field(default=None, validate_default=True)
    metric: str | None = Field(default=None, validate_default=True)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _NAME.fullmatch(value) or value == UNALLOCATED:
            raise ValueError(
                f"{value!r}: use letters, digits, '-', '_', '.' or ':' (and not 'unallocated')"
            )
        return value

    @field_validator("basis")
    @classmethod
    def _basis(cls, value: Basis | None, info: ValidationInfo) -> Basis | None:
        split = info.data.get("split")
        if split == "proportional":
            return value or "effective_cost"
        _only_for(split, "proportional", value, "basis applies")
        return value

    @field_validator("teams")
    @classmethod
    def _teams(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return None
        if info.data.get("split") == "fixed":
            raise ValueError("a fixed split goes to the teams named in weights; drop teams")
        if not value:
            raise ValueError("an empty list leaves nobody to share the pool; omit it instead")
        if len(set(value)) != len(value):
            raise ValueError("a team is listed twice")
        return [_team_name(team) for team in value]

    @field_validator("weights")
    @classmethod
    def _weights(
        cls, value: dict[str, Decimal] | None, info: ValidationInfo
    ) -> dict[str, Decimal] | None:
        split = info.data.get("split")
        if split != "fixed":
            _only_for(split, "fixed", value, "weights apply")
            return value
        if not value:
            raise ValueError("split: fixed needs weights, e.g. {payments: 60, search: 40}")
        for team, weight in value.items():
            _team_name(team)
            if weight < 0:
                raise ValueError(f"weight of {team} is negative ({weight})")
        total = sum(value.values(), Decimal(0))
        if total != 100:
            terms = " + ".join(f"{t} {w}" for t, w in value.items())
            raise ValueError(
                f"fixed weights are percentages and must sum to 100, not {total} ({terms})"
            )
        return value

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str | None, info: ValidationInfo) -> str | None:
        split = info.data.get("split")
        if split == "metric" and not value:
            raise ValueError("split: metric needs the metric's name, e.g. metric: active_users")
        _only_for(split, "metric", value, "metric applies")
        return value

    @property
    def rule(self) -> str:
        return f"pool:{self.name}:{self.split}"


class UnallocatedSettings(BaseModel):
    """Cost nobody owns: shown as team `unallocated`, or redistributed proportionally."""

    model_config = ConfigDict(extra="forbid")

    redistribute: bool = False
    basis: Basis = "effective_cost"


class AllocationSettings(BaseModel):
    """Who owns each charge: tag, then owner mapping; pools first take shared rows out."""

    model_config = ConfigDict(extra="forbid")

    dimension: str = "team"
    owners: list[OwnerRule] = Field(default_factory=list)
    pools: list[PoolRule] = Field(default_factory=list)
    unallocated: UnallocatedSettings = Field(default_factory=UnallocatedSettings)

    @field_validator("dimension")
    @classmethod
    def _dimension(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name the tag key to allocate by, e.g. team")
        return value.strip()

    @field_validator("pools")
    @classmethod
    def _unique_names(cls, pools: list[PoolRule]) -> list[PoolRule]:
        first: dict[str, int] = {}
        for index, pool in enumerate(pools):
            if pool.name in first:
                raise ValueError(
                    f"pools[{index}] repeats the name {pool.name!r} of pools[{first[pool.name]}]"
                )
            first[pool.name] = index
        return pools


class ShowbackSection(BaseModel):
    """The finops.yaml keys for showback; `Settings` inherits them."""

    model_config = ConfigDict(extra="forbid")

    reporting: ReportingSettings = Field(default_factory=ReportingSettings)
    metrics: MetricsSettings | None = None
    allocation: AllocationSettings = Field(default_factory=AllocationSettings)

    @field_validator("allocation")
    @classmethod
    def _metrics_present(cls, value: AllocationSettings, info: ValidationInfo) -> Any:
        # "metrics" is absent from info.data when its own validation failed: one error is enough.
        if "metrics" in info.data and info.data["metrics"] is None:
            for index, pool in enumerate(value.pools):
                if pool.split == "metric":
                    raise ValueError(
                        f"pools[{index}] ({pool.name}) splits by metric {pool.metric!r} but no "
                        "metrics file is configured: add `metrics: {path: business_metrics.csv}`"
                    )
        return value

    def resolve_showback_paths(self, base: Path) -> None:
        """Make the rates and metrics paths relative to the config file's folder."""
        rates = self.reporting.exchange_rates
        if rates is not None and not rates.is_absolute():
            self.reporting.exchange_rates = base / rates
        if self.metrics is not None and not self.metrics.path.is_absolute():
            self.metrics.path = base / self.metrics.path
