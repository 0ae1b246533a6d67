"""detect_series on synthetic daily series: each kind of anomaly, noise, short history."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from finops_pipeline.anomalies import AnomalySettings, SeriesKey, detect_series
from finops_pipeline.anomalies.build import anomaly_id

START = date(2026, 1, 5)  # a Monday
KEY = SeriesKey("service", "AWS", "AWS Lambda", "USD")


def series(days: int, seed: int = 1, noise: float = 0.05) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = [START + timedelta(days=k) for k in range(days)]
    weekly = np.array([1.0 if d.weekday() < 5 else 0.6 for d in index])
    values = 100.0 * weekly * np.exp(rng.normal(0.0, noise, days))
    return pd.Series(values, index=index)


def last_day(costs: pd.Series) -> date:
    return max(costs.index)


def test_spike_is_one_event_with_its_days() -> None:
    costs = series(120)
    day = START + timedelta(days=100)
    costs[day] *= 5
    costs[day + timedelta(days=1)] *= 4
    result = detect_series(KEY, costs, last_day(costs))
    assert result.status == "evaluated"
    [event] = result.events
    assert (event.kind, event.direction) == ("spike", "up")
    assert (event.first_date, event.last_date) == (day, day + timedelta(days=1))
    assert event.impact > 0 and event.actual_cost > event.expected_cost
    assert event.severity == "high"


def test_drop() -> None:
    costs = series(120)
    day = START + timedelta(days=90)
    costs[day] *= 0.2
    [event] = detect_series(KEY, costs, last_day(costs)).events
    assert (event.kind, event.direction, event.first_date) == ("drop", "down", day)
    assert event.impact < 0


def test_ongoing_level_shift_has_no_last_date() -> None:
    costs = series(150)
    first = START + timedelta(days=120)
    costs[costs.index >= first] *= 1.6
    [event] = detect_series(KEY, costs, last_day(costs)).events
    assert (event.kind, event.direction, event.first_date) == ("level_shift", "up", first)
    assert event.last_date is None
    assert event.days == 30


def test_noise_alone_gives_no_anomaly() -> None:
    for seed in range(20):
        costs = series(200, seed=seed, noise=0.08)
        assert detect_series(KEY, costs, last_day(costs)).events == [], seed


def test_too_little_history_is_said() -> None:
    """Judging starts on a series' 10th day (issue 11, as AWS does); before, it is said."""
    costs = series(9)
    costs[max(costs.index)] *= 10
    result = detect_series(KEY, costs, last_day(costs))
    assert result.status == "insufficient_history"
    assert "needs at least 10" in result.reason
    assert result.events == []


def test_cold_start_spike_on_day_12_is_found_with_a_lower_score() -> None:
    """A young baseline is judged, but through a wider t distribution: the same deviation
    scores lower on day 12 than on day 100, and severity is one step lower."""
    young = series(40, seed=3)
    young[START + timedelta(days=11)] *= 2.7
    [event] = detect_series(KEY, young, last_day(young)).events
    assert (event.first_date, event.kind, event.baseline_days) == (
        START + timedelta(days=11),
        "spike",
        11,
    )
    old = series(140, seed=3)
    old[START + timedelta(days=109)] *= 2.7
    [mature] = detect_series(KEY, old, last_day(old)).events
    assert mature.score > event.score
    assert (mature.severity, event.severity) == ("high", "medium")


def test_slow_ramp_is_a_ramp() -> None:
    """+3% a day for two weeks: no single day stands out at first; the CUSUM finds it."""
    costs = series(150, seed=4, noise=0.05)
    first = START + timedelta(days=100)
    for k in range(14):
        costs[first + timedelta(days=k)] *= 1.03 ** (k + 1)
    events = detect_series(KEY, costs, last_day(costs)).events
    [event] = [e for e in events if e.direction == "up"]
    assert event.kind == "ramp"
    assert first <= event.first_date <= first + timedelta(days=4)
    assert event.confirmed_date is not None and event.confirmed_date <= first + timedelta(days=10)


def test_a_monthly_charge_on_its_usual_day_is_expected() -> None:
    """A charge on every 1st (a fee that is not labelled as such) is expected from its second
    occurrence on; a spike on another day is still found."""
    start = date(2026, 1, 1)
    index = [start + timedelta(days=k) for k in range(150)]
    rng = np.random.default_rng(5)
    costs = pd.Series(100.0 * np.exp(rng.normal(0.0, 0.05, 150)), index=index)
    for d in index:
        if d.day == 1:
            costs[d] += 250.0
    assert detect_series(KEY, costs, last_day(costs)).events == []
    costs[date(2026, 4, 15)] += 250.0
    [event] = detect_series(KEY, costs, last_day(costs)).events
    assert event.first_date == date(2026, 4, 15)


def test_incomplete_days_are_never_judged() -> None:
    costs = series(120)
    costs[max(costs.index)] *= 20
    complete = max(costs.index) - timedelta(days=1)
    result = detect_series(KEY, costs, complete)
    assert result.events == []


@pytest.mark.parametrize(
    ("absolute", "relative", "found"),
    [(10.0, 0.2, True), (10_000.0, 0.2, False), (10.0, 10.0, False)],
)
def test_both_floors_must_pass(absolute: float, relative: float, found: bool) -> None:
    settings = AnomalySettings(floors={"service": {"absolute": absolute, "relative": relative}})
    costs = series(120)
    costs[START + timedelta(days=100)] *= 4
    events = detect_series(KEY, costs, last_day(costs), settings).events
    assert bool(events) is found


def test_settings_forbid_unknown_keys() -> None:
    with pytest.raises(ValueError):
        AnomalySettings(z_treshold=3)


def test_anomaly_id_is_stable() -> None:
    args = ("service", "AWS", "AWS Lambda", "USD", "up", date(2026, 10, 17))
    assert anomaly_id(*args) == anomaly_id(*args)
    assert anomaly_id(*args) != anomaly_id(*args[:4], "down", args[5])


@pytest.mark.parametrize("seed", range(12))
def test_proportional_noise_with_quiet_weekends_raises_nothing(seed: int) -> None:
    """Batch-like cost: weekends at 30% of weekdays, 12% day-to-day noise, over a year. Noise
    proportional to the level must not read as anomalies on busy days, nor during warm-up."""
    rng = np.random.default_rng(seed)
    index = [START + timedelta(days=k) for k in range(400)]
    weekly = np.array([1.0 if d.weekday() < 5 else 0.3 for d in index])
    costs = pd.Series(100.0 * weekly * np.exp(rng.normal(0.0, 0.12, 400)), index=index)
    assert detect_series(KEY, costs, last_day(costs)).events == []
    day = START + timedelta(days=302)  # a weekday
    assert day.weekday() < 5
    costs[day] *= 2.5
    [event] = detect_series(KEY, costs, last_day(costs)).events
    assert (event.first_date, event.direction) == (day, "up")
