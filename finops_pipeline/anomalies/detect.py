"""Daily cost anomalies in one series: seasonal robust baseline, robust z, events.

Plain Python/numpy, no warehouse: `build.py` hands in daily totals and gets events back.

The model, per series (one level key in one currency, complete days only):
* expected(d) = median of the same weekday over the trailing `baseline_weeks` weeks,
  skipping days that belonged to an event (so a spike does not lift next week's baseline
  and a level shift stays visible instead of becoming its own baseline);
* spread(d) = expected(d) * 1.4826 * MAD of the relative residuals ((actual - expected) /
  expected) of the trailing `spread_days` non-event days, floored at `min_spread_fraction`
  of expected. Cost noise is proportional to the level (a weekend at 60% of a weekday moves
  60% as much), so one absolute spread pooled over weekdays and weekends would be too narrow
  on the busy days and flag their ordinary noise; a series expected at 0 falls back to the
  absolute spread of its baseline values. Days are judged only once 14 residuals back the
  spread (a MAD of three or four points is far too narrow), so judging starts two weeks
  after `min_history_days`;
* z(d) = (actual - expected) / spread. A day with |z| >= z_threshold opens an event; the
  event runs while the following days stay beyond z_continue in the same direction.
* An event of `level_shift_days` or more is a level shift, otherwise a spike (up) or a drop
  (down). One touching the last complete day is ongoing (last_date None).
* It is reported only if |impact| >= the level's absolute floor and |impact| / expected >=
  its relative floor. When no unflagged baseline is left (a shift older than the lookback),
  the event closes and the new level becomes normal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from finops_pipeline.anomalies.settings import AnomalySettings

MAD_TO_SIGMA = 1.4826
MIN_SPREAD_POINTS = 14  # residuals needed before the spread (and so any z) is trusted
_EXTRA_LOOKBACK_WEEKS = 4


@dataclass(frozen=True)
class SeriesKey:
    level: str
    provider: str | None
    key: str
    currency: str


@dataclass
class Event:
    series: SeriesKey
    first_date: date
    last_date: date | None  # None: still anomalous on the last complete day
    end_date: date  # last day included in the figures (= last_date or last complete day)
    direction: str  # up | down
    kind: str  # spike | drop | level_shift
    expected_cost: float
    actual_cost: float
    score: float  # the largest |robust z| of its days
    severity: str = "low"
    contributors: list[dict] = field(default_factory=list)

    @property
    def impact(self) -> float:
        return self.actual_cost - self.expected_cost

    @property
    def impact_ratio(self) -> float | None:
        return self.impact / self.expected_cost if self.expected_cost > 0 else None

    @property
    def days(self) -> int:
        return (self.end_date - self.first_date).days + 1


@dataclass
class SeriesResult:
    series: SeriesKey
    status: str  # evaluated | insufficient_history
    reason: str
    history_days: int
    events: list[Event]


def detect_series(
    series: SeriesKey,
    costs: pd.Series,
    last_complete: date,
    settings: AnomalySettings | None = None,
) -> SeriesResult:
    """Events in one daily cost series (index: dates; missing days count as 0)."""
    settings = settings or AnomalySettings()
    costs = costs[[d <= last_complete for d in costs.index]]
    if costs.empty:
        return SeriesResult(series, "insufficient_history", "no complete day", 0, [])
    first = min(costs.index)
    days = pd.date_range(first, last_complete, freq="D").date
    values = costs.groupby(level=0).sum().reindex(days, fill_value=0.0).to_numpy(float)
    n = len(values)
    if n <= settings.min_history_days:
        reason = f"{n} complete days of history, needs more than {settings.min_history_days}"
        return SeriesResult(series, "insufficient_history", reason, n, [])
    runs = _runs(values, settings)
    events = []
    for start, end, sign, expected, score in runs:
        ongoing = end == n - 1
        event = _event(series, days, values, start, end, sign, expected, score, ongoing, settings)
        if event is not None:
            events.append(event)
    return SeriesResult(series, "evaluated", "", n, events)


def _runs(
    values: np.ndarray, settings: AnomalySettings
) -> list[tuple[int, int, int, np.ndarray, float]]:
    """(start, end, sign, expected per day of the run, max |z|) for every flagged run."""
    n = len(values)
    flagged = np.zeros(n, dtype=bool)
    expected = np.full(n, np.nan)
    relative = np.full(n, np.nan)  # (actual - expected) / expected, where expected > 0
    max_weeks = settings.baseline_weeks + _EXTRA_LOOKBACK_WEEKS
    runs: list[tuple[int, int, int, np.ndarray, float]] = []
    start, sign, score = -1, 0, 0.0

    def close(end: int) -> None:
        runs.append((start, end, sign, expected[start : end + 1].copy(), score))

    for i in range(settings.min_history_days, n):
        refs = [
            values[j]
            for j in range(i - 7, max(i - 7 * max_weeks, 0) - 1, -7)
            if j >= 0 and not flagged[j]
        ][: settings.baseline_weeks]
        if len(refs) < settings.min_baseline_points:
            if sign:
                close(i - 1)
                sign = 0
            continue
        exp = float(np.median(refs))
        expected[i] = exp
        window = relative[max(i - settings.spread_days, 0) : i]
        window_ok = ~flagged[max(i - settings.spread_days, 0) : i] & ~np.isnan(window)
        past = window[window_ok]
        resid = values[i] - exp
        if exp > 0 and len(past) < MIN_SPREAD_POINTS:
            # warm-up: a spread from a handful of points is far too narrow (every ordinary
            # day would look extreme), so the day only feeds the spread estimate
            relative[i] = resid / exp
            continue
        if exp > 0:
            spread = exp * MAD_TO_SIGMA * float(np.median(np.abs(past - np.median(past))))
        else:
            spread = MAD_TO_SIGMA * float(np.median(np.abs(np.array(refs) - exp)))
        spread = max(spread, settings.min_spread_fraction * abs(exp), 1e-9)
        z = resid / spread
        relative[i] = resid / exp if exp > 0 else np.nan
        if sign and z * sign >= settings.z_continue:
            flagged[i] = True
            score = max(score, abs(z))
            continue
        if sign:
            close(i - 1)
            sign = 0
        if abs(z) >= settings.z_threshold:
            start, sign, score = i, (1 if z > 0 else -1), abs(z)
            flagged[i] = True
    if sign:
        close(n - 1)
    return runs


def _event(
    series: SeriesKey,
    days: np.ndarray,
    values: np.ndarray,
    start: int,
    end: int,
    sign: int,
    expected: np.ndarray,
    score: float,
    ongoing: bool,
    settings: AnomalySettings,
) -> Event | None:
    exp_total = float(np.nansum(expected))
    actual = float(values[start : end + 1].sum())
    impact = actual - exp_total
    floor = settings.floor(series.level)
    if abs(impact) < floor.absolute:
        return None
    if exp_total > 0 and abs(impact) / exp_total < floor.relative:
        return None
    length = end - start + 1
    kind = (
        "level_shift" if length >= settings.level_shift_days else ("spike" if sign > 0 else "drop")
    )
    event = Event(
        series=series,
        first_date=days[start],
        last_date=None if ongoing else days[end],
        end_date=days[end],
        direction="up" if sign > 0 else "down",
        kind=kind,
        expected_cost=exp_total,
        actual_cost=actual,
        score=round(score, 3),
    )
    event.severity = severity(event, settings)
    return event


def severity(event: Event, settings: AnomalySettings) -> str:
    """high: the cost at least doubled (or fell by 60%+), or 10x the absolute floor;
    medium: a 50% change or 4x the floor; low: the rest that passed both floors."""
    ratio = abs(event.impact_ratio) if event.impact_ratio is not None else float("inf")
    floor = settings.floor(event.series.level).absolute or 1.0
    multiple = abs(event.impact) / floor
    high_ratio = 1.0 if event.direction == "up" else 0.6
    if ratio >= high_ratio or multiple >= 10:
        return "high"
    if ratio >= 0.5 or multiple >= 4:
        return "medium"
    return "low"


def detect(
    daily: pd.DataFrame, last_complete: date, settings: AnomalySettings | None = None
) -> list[SeriesResult]:
    """Every series in `daily` (columns level, provider, key, currency, day, cost)."""
    settings = settings or AnomalySettings()
    results = []
    columns = ["level", "provider", "key", "currency"]
    frame = daily.assign(provider=daily["provider"].fillna(""))
    for (level, provider, key, currency), group in frame.groupby(columns, sort=True):
        series = SeriesKey(str(level), provider or None, str(key), str(currency))
        costs = pd.Series(group["cost"].to_numpy(float), index=list(group["day"]))
        results.append(detect_series(series, costs, last_complete, settings))
    return results


def contributors(
    items: pd.DataFrame, event: Event, settings: AnomalySettings | None = None
) -> list[dict]:
    """Top items (columns dimension, value, day, cost) by |actual - expected| in the event.

    An item's expected cost on an event day is its median cost on the same weekday over the
    `contributor_lookback_days` before the event (0 where it had none): the same seasonal
    baseline as the series, per resource, usage type, region or SKU.
    """
    settings = settings or AnomalySettings()
    if items.empty:
        return []
    start = event.first_date - timedelta(days=settings.contributor_lookback_days)
    event_days = [event.first_date + timedelta(days=k) for k in range(event.days)]
    weekdays = pd.Series([d.weekday() for d in event_days]).value_counts()
    ref_days = [start + timedelta(days=k) for k in range(settings.contributor_lookback_days)]
    out = []
    for dimension, group in items.groupby("dimension", sort=True):
        table = group.pivot_table(index="value", columns="day", values="cost", aggfunc="sum")
        table = table.reindex(columns=sorted(set(ref_days) | set(event_days)), fill_value=0.0)
        table = table.fillna(0.0)
        actual = table[event_days].sum(axis=1)
        expected = pd.Series(0.0, index=table.index)
        for weekday, count in weekdays.items():
            cols = [d for d in ref_days if d.weekday() == weekday]
            expected += table[cols].median(axis=1) * count
        change = actual - expected
        order = change.abs().sort_values(ascending=False).index[: settings.top_contributors]
        for value in order:
            out.append(
                {
                    "dimension": str(dimension),
                    "value": str(value),
                    "expected_cost": round(float(expected[value]), 4),
                    "actual_cost": round(float(actual[value]), 4),
                    "change": round(float(change[value]), 4),
                }
            )
    return out


def iter_events(results: Iterable[SeriesResult]) -> list[Event]:
    return [event for result in results for event in result.events]
