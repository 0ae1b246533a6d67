"""One change, one row: group the events that are the same change seen at several levels.

A real incident (a retry storm in one Lambda function) moves its service, its account, its
team, its provider and the company total on the same days. Listing each of them would tell
the user the same thing five times, and count as five alerts. Two events are the same change
when they have the same currency, the same provider (the total belongs to every provider of
its currency), the same direction, overlapping days, and a shared lead: the top contributor
of the group's first event (its resource, else usage type, else SKU, moving in the event's
direction) is among the other event's top contributors, moving the same way. That last test
keeps two simultaneous but unrelated changes in one provider apart.

Events are grouped narrowest slice first, each joining at most one group, so a broad event
(the total) never chains two unrelated changes together. Each group becomes one row at its
head: among the members led by the group's lead (a broad member led by something else also
holds an unrelated change) whose |impact| per day is at least `incident_explain_share` of the
largest such (they explain most of the change; per day, as members can span different days), the one with the smallest expected cost
per day, i.e. the most specific slice; ties go to the more specific level (sub_account_service,
service, sub_account, team, provider, total). Every other member is kept in the row's `also_seen_at`,
so no level's finding is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from finops_pipeline.anomalies.detect import Event
from finops_pipeline.anomalies.settings import LEVEL_ORDER, AnomalySettings

LEAD_DIMENSIONS = ("ResourceId", "x_UsageType", "SkuId")


@dataclass
class Incident:
    head: Event
    members: list[Event]  # the head included

    @property
    def others(self) -> list[Event]:
        return [e for e in self.members if e is not self.head]


def group_incidents(events: list[Event], settings: AnomalySettings | None = None) -> list[Incident]:
    """Every event in exactly one incident (see the module docstring for the rules)."""
    settings = settings or AnomalySettings()
    groups: list[list[Event]] = []
    for event in sorted(events, key=_narrowness):
        home = next((g for g in groups if _same_change(g[0], event)), None)
        if home is None:
            groups.append([event])
        else:
            home.append(event)
    incidents = [Incident(_head(g, settings.incident_explain_share), g) for g in groups]
    return sorted(incidents, key=lambda i: (i.head.first_date, _narrowness(i.head)))


def _narrowness(event: Event) -> tuple[float, int, str]:
    per_day = abs(event.expected_cost) / max(event.days, 1)
    return (per_day, LEVEL_ORDER.get(event.series.level, 9), event.series.key)


def _head(group: list[Event], share: float) -> Event:
    """A broad member led by another resource (the provider moved by this change and an
    unrelated one) is not a candidate and does not set the largest impact either."""
    key = lead(group[0])
    pure = [e for e in group if key is None or lead(e) in (key, None)]
    largest = max(_daily_impact(e) for e in pure)
    explaining = [e for e in pure if _daily_impact(e) >= share * largest]
    return min(explaining, key=_narrowness)


def _daily_impact(event: Event) -> float:
    """|impact| per day: members span different days (a new service's first days, its
    account's ongoing shift), so totals would favour the longest, not the best explaining."""
    return abs(event.impact) / max(event.days, 1)


def lead(event: Event) -> tuple[str, str] | None:
    """The event's top contributor moving its way: a resource if it has one, else a usage
    type, else a SKU (contributors are sorted by |change| within each dimension)."""
    sign = 1 if event.direction == "up" else -1
    for dimension in LEAD_DIMENSIONS:
        for item in event.contributors:
            if (
                item["dimension"] == dimension
                and item["value"] != "(none)"
                and item["change"] * sign > 0
            ):
                return dimension, item["value"]
    return None


def _same_change(seed: Event, other: Event) -> bool:
    a, b = seed.series, other.series
    providers_meet = a.provider is None or b.provider is None or a.provider == b.provider
    if not (
        a.currency == b.currency
        and providers_meet
        and seed.direction == other.direction
        and seed.first_date <= other.end_date
        and other.first_date <= seed.end_date
    ):
        return False
    key = lead(seed)
    if key is None or not other.contributors:
        return True  # nothing to tell them apart: the overlap decides
    sign = 1 if other.direction == "up" else -1
    return any(
        (item["dimension"], item["value"]) == key and item["change"] * sign > 0
        for item in other.contributors
    )
