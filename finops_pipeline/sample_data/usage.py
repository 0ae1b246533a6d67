"""Daily usage quantities per resource: growth, weekly seasonality, noise and anomalies.

Quantities are what the meter counts in a day (instance-hours, GB-month fractions, requests,
GB transferred). Prices are applied later by the provider charge modules, so the same usage
model serves every cloud.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .estate import AnomalySpec, Estate, Resource, Use
from .periods import Window, days_in_month


@dataclass(frozen=True)
class Profile:
    """How a kind of workload moves: weekend level, day-to-day noise, monthly growth."""

    weekend: float
    noise: float
    growth: float


PROFILES: dict[str, Profile] = {
    "always_on": Profile(weekend=1.0, noise=0.0, growth=0.0),  # a VM that never stops
    "traffic": Profile(weekend=0.74, noise=0.05, growth=0.02),  # customer-facing load
    "business": Profile(weekend=0.32, noise=0.04, growth=0.01),  # dev boxes, office hours
    "batch": Profile(weekend=0.6, noise=0.12, growth=0.025),  # nightly pipelines
    "storage": Profile(weekend=1.0, noise=0.0, growth=0.03),  # GB stored, billed per month
    "flat": Profile(weekend=1.0, noise=0.0, growth=0.0),  # fixed monthly fee spread daily
    "idle": Profile(weekend=1.0, noise=0.0, growth=0.0),  # near-zero, e.g. an idle NAT
}

_QUANTUM = {
    "Hrs": Decimal("0.0001"),
    "hour": Decimal("0.0001"),
    "1 Hour": Decimal("0.0001"),
    "Requests": Decimal(1),
    "requests": Decimal(1),
    "count": Decimal(1),
}
_DEFAULT_QUANTUM = Decimal("0.0000000001")


@dataclass(frozen=True, slots=True)
class UsageRow:
    """One resource's use of one meter on one day; ``baseline`` is set on anomalous days."""

    day: date
    resource: Resource
    use: Use
    qty: Decimal
    baseline: Decimal | None


def quantize(value: float, unit: str) -> Decimal:
    return Decimal(repr(value)).quantize(_QUANTUM.get(unit, _DEFAULT_QUANTUM), ROUND_HALF_UP)


def _level(use: Use, day: date, start: date, rng: random.Random) -> float:
    profile = PROFILES[use.profile]
    growth = profile.growth if use.growth is None else use.growth
    months_elapsed = (day - start).days / 30.44
    value = use.base * (1.0 + growth) ** months_elapsed
    if day.weekday() >= 5:
        value *= profile.weekend
    if profile.noise:
        value *= math.exp(rng.gauss(0.0, profile.noise))
    if use.profile == "idle":
        value *= rng.uniform(0.2, 1.8)
    if use.profile in ("storage", "flat"):
        value /= days_in_month(day.replace(day=1))
    return value


def daily_usage(estate: Estate, window: Window, seed: int) -> Iterator[UsageRow]:
    """Every (day, resource, meter) quantity of ``estate`` over ``window``, in a stable order."""
    rng = random.Random(f"{seed}:{estate.source}:usage")
    factors: dict[str, list[AnomalySpec]] = {}
    for anomaly in estate.anomalies:
        for rid in anomaly.resource_ids:
            factors.setdefault(rid, []).append(anomaly)
    start = window.first_day
    for day in window.days:
        for resource in estate.resources:
            if not resource.active(day):
                continue
            factor = 1.0
            for anomaly in factors.get(resource.id, ()):
                factor *= anomaly.factor_on(day)
            for use in resource.uses:
                level = _level(use, day, start, rng)
                qty = level * factor
                if use.cap is not None:
                    level, qty = min(level, use.cap), min(qty, use.cap)
                unit = use.meter.unit
                baseline = quantize(level, unit) if factor != 1.0 else None
                yield UsageRow(day, resource, use, quantize(qty, unit), baseline)
