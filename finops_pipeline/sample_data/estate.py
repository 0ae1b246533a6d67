"""The semantic model of the fictional company whose bills we generate.

Kestrel Commerce runs six product teams on three clouds. Each source is a separate billing
account (an AWS organisation, a GCP billing account, an Azure enrollment or billing account),
so no cost appears in two sources. The provider modules (``aws.estate``, ``gcp.estate``,
``azure.estate``) fill these structures; the charge and writer modules only read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

TEAMS: tuple[str, ...] = ("payments", "search", "data-platform", "mobile", "ml", "platform")
"""Canonical team names, as a clean tag-normalisation policy should resolve them."""

COMPANY = "Kestrel Commerce"


@dataclass(frozen=True)
class Meter:
    """One priced line of a provider's catalogue (a usage type, SKU or meter).

    ``rate`` is the on-demand unit price in the source's billing currency per ``unit``.
    ``attrs`` holds provider-specific columns (usage type, operation, product family ...).
    """

    key: str
    service: str  # FOCUS ServiceName as the provider's FOCUS export spells it
    category: str  # FOCUS ServiceCategory
    unit: str
    rate: Decimal
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Use:
    """A resource consuming one meter: ``base`` units per day at the start of the window."""

    meter: Meter
    base: float
    profile: str  # see usage.PROFILES
    growth: float | None = None  # monthly growth; None = the profile's default
    cap: float | None = None  # e.g. 24 instance-hours a day


@dataclass(frozen=True)
class Account:
    """A sub-account: AWS linked account, GCP project or Azure subscription."""

    id: str
    name: str
    team: str | None  # owning team; None for shared accounts
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Resource:
    """A billed resource. ``tags`` are written exactly as given: deliberately messy."""

    id: str
    name: str
    account: Account
    region: str
    uses: tuple[Use, ...]
    team: str | None = None  # true owner, whatever the tags say
    tags: dict[str, str] = field(default_factory=dict)
    zone: str = ""
    start: date | None = None  # first day billed; None = before the window
    end: date | None = None  # last day billed; None = still running
    commitment: str | None = None  # id of the commitment allowed to cover it
    waste: str | None = None  # waste check this resource was planted for
    attrs: dict[str, str] = field(default_factory=dict)

    def active(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def waste_on(self, day: date) -> str | None:
        """The waste check this resource's charge of `day` belongs to. A disk left behind by
        a deleted VM is waste from ``attrs["waste_from"]`` (the first month its VM is no
        longer billed in), not before."""
        start = self.attrs.get("waste_from")
        if self.waste is None or (start and day < date.fromisoformat(start)):
            return None
        return self.waste


@dataclass(frozen=True)
class Commitment:
    """A reservation, savings plan or committed-use discount.

    ``hourly`` is the commitment per hour in billing currency (savings plans: spend per
    hour; reservations: the amortized hourly cost of one unit). ``upfront`` is the one-time
    part, ``recurring`` the hourly billed part; ``hourly = upfront/term_hours + recurring``.
    """

    id: str
    name: str
    kind: str  # aws_sp | aws_ri | azure_ri | azure_sp | gcp_cud
    account: Account
    start: date
    end: date
    payment: str  # "No Upfront" | "Partial Upfront" | "All Upfront" | "Monthly" | "Upfront"
    hourly: Decimal
    upfront: Decimal
    recurring: Decimal
    units: int = 1
    discount: Decimal = Decimal("0.72")  # committed rate / on-demand rate
    attrs: Mapping[str, str] = field(default_factory=dict)

    @property
    def term_hours(self) -> int:
        return (self.end - self.start).days * 24


@dataclass(frozen=True)
class AnomalySpec:
    """A planted anomaly: a multiplier on some resources' usage over a date range."""

    id: str
    kind: str  # spike | drop | level_shift
    level: str  # service | sub_account | team
    key: str
    resource_ids: frozenset[str]
    first: date
    last: date | None  # None: a level shift that persists to the end of the data
    factor: float
    note: str = ""

    def factor_on(self, day: date) -> float:
        if day < self.first or (self.last is not None and day > self.last):
            return 1.0
        return self.factor


@dataclass
class Estate:
    """Everything one source bills for."""

    source: str
    provider: str  # FOCUS ProviderName: AWS | Google Cloud | Microsoft
    billing_account_id: str
    billing_account_name: str
    currency: str
    accounts: list[Account]
    resources: list[Resource]
    commitments: list[Commitment] = field(default_factory=list)
    anomalies: list[AnomalySpec] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
