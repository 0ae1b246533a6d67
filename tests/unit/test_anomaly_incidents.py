"""group_incidents: one change seen at several levels is one row, unrelated changes stay apart."""

from __future__ import annotations

from datetime import date

from finops_pipeline.anomalies import AnomalySettings, SeriesKey
from finops_pipeline.anomalies.detect import Event
from finops_pipeline.anomalies.incidents import group_incidents, lead

DAY = date(2026, 10, 9)


def event(
    level: str,
    key: str,
    expected: float,
    actual: float,
    resources: dict[str, float],
    provider: str | None = "AWS",
    direction: str = "up",
    first: date = DAY,
) -> Event:
    e = Event(
        series=SeriesKey(level, provider, key, "USD"),
        first_date=first,
        last_date=first,
        end_date=first,
        direction=direction,
        kind="spike" if direction == "up" else "drop",
        expected_cost=expected,
        actual_cost=actual,
        score=10.0,
    )
    ranked = sorted(resources.items(), key=lambda kv: -abs(kv[1]))
    e.contributors = [
        {"dimension": "ResourceId", "value": r, "expected_cost": 0.0, "actual_cost": c, "change": c}
        for r, c in ranked
    ]
    return e


def test_one_change_at_five_levels_is_one_row_at_the_narrowest_explaining_slice() -> None:
    members = [
        event("total", "USD", 900, 1075, {"egress-1": 172, "vm-3": 2}, provider=None),
        event("provider", "AWS", 640, 815, {"egress-1": 172, "vm-3": 2}),
        event("service", "Amazon EC2", 300, 475, {"egress-1": 172}),
        event("sub_account", "714513572471", 24, 197, {"egress-1": 172}),
        event("team", "search", 63, 237, {"egress-1": 172}),
    ]
    [incident] = group_incidents(members)
    assert (incident.head.series.level, incident.head.series.key) == ("sub_account", "714513572471")
    assert len(incident.others) == 4


def test_a_narrow_slice_that_explains_little_is_not_the_head() -> None:
    # The sub-account moved by 20 of the service's 200: it is part of the change, not its
    # explanation, so the row is the service (share 0.8 by default).
    members = [
        event("service", "AWS Lambda", 100, 300, {"fn-1": 180, "fn-2": 20}),
        event("sub_account", "111", 10, 30, {"fn-1": 20}),
    ]
    [incident] = group_incidents(members)
    assert incident.head.series.level == "service"
    [tight] = group_incidents(members, AnomalySettings(incident_explain_share=0.05))
    assert tight.head.series.level == "sub_account"


def test_simultaneous_unrelated_changes_in_one_provider_stay_two_rows() -> None:
    members = [
        event("service", "AWS Lambda", 25, 100, {"fn-webhooks": 75}),
        event("service", "Amazon S3", 40, 140, {"bucket-export": 100}),
        event("provider", "AWS", 600, 775, {"bucket-export": 100, "fn-webhooks": 75}),
    ]
    incidents = group_incidents(members)
    assert len(incidents) == 2
    heads = {i.head.series.key: len(i.members) for i in incidents}
    # The provider joins the one whose lead resource it shows: the first group created,
    # the narrower Lambda change; it never chains the two together.
    assert heads == {"AWS Lambda": 2, "Amazon S3": 1}


def test_opposite_directions_other_currencies_or_days_are_other_changes() -> None:
    up = event("service", "AWS Lambda", 25, 100, {"fn-1": 75})
    down = event("team", "payments", 100, 25, {"fn-1": -75}, direction="down")
    later = event("sub_account", "111", 25, 100, {"fn-1": 75}, first=date(2026, 10, 20))
    assert len(group_incidents([up, down, later])) == 3


def test_lead_prefers_a_resource_moving_the_events_way() -> None:
    e = event("service", "AWS Lambda", 25, 100, {"fn-down": -90, "fn-up": 80})
    assert lead(e) == ("ResourceId", "fn-up")
