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
    costs = series(20)
    costs[max(costs.index)] *= 10
    result = detect_series(KEY, costs, last_day(costs))
    assert result.status == "insufficient_history"
    assert "needs more than 28" in result.reason
    assert result.events == []


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
