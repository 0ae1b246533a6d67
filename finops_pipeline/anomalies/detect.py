"""Daily cost anomalies per series: events with their kind, figures, score and severity.

Plain Python/numpy, no warehouse: `build.py` hands in daily totals and gets events back.
The statistics (baseline, z, alarm rules) are in model.py; this module turns the flagged
runs into events and decides what is worth a row:

* kinds: a run shorter than `level_shift_days` is a spike (up) or a drop (down); a longer
  one is a ramp when its residual grows (the last third of its days at least twice the
  first third, in its direction), else a level shift. A key that first appears once its
  currency's data is `min_history_days` old is `new_spend` over its first days (expected 0).
* an event is reported only if |impact| >= its level's absolute floor and |impact| /
  expected >= the relative floor, and its impact so far passed both within `floor_days` of
  the alarm (a $3-a-day shift would pass a $25 floor after two months of adding up; it is
  not worth an alert then either), or, later in the run, the impact of its last
  `floor_days` days did (a ramp's first week is small, a later one is not; a constant
  small move never passes that way). A run whose whole impact misses the relative floor
  after it was confirmed is cut to its first burst (the days up to its last one beyond
  z_continue before RETURN_DAYS that are not): a spike on a growing series, whose later
  days sit a little above the baseline frozen at the run's start, kept the run open for
  weeks, and its impact over all of them hid the spike. One touching the last complete day is ongoing
  (last_date None). `confirmed_date` is the first day by which both the statistical rule
  had fired and the floors were passed: the day a daily run would first have shown it.
* score: the larger of the largest |z| and the combined z of the run (sum z / sqrt(days));
  both are read through the young baseline's wider t distribution, so a 12-day-old baseline
  scores lower than a 12-week-old one for the same deviation; severity also goes one step
  down while the baseline is younger than `young_baseline_days`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import sparse

from finops_pipeline.anomalies.model import ModelOutput, Run, run_model
from finops_pipeline.anomalies.settings import AnomalySettings


@dataclass(frozen=True)
class SeriesKey:
    level: str
    provider: str | None
    key: str
    currency: str
    # the sub-account and service a sub_account_service series crosses, as the daily SQL
    # returns them (None: not known; its key, '<sub-account> / <service>', is not parsed: an
    # id may hold ' / '). Not part of the key's identity.
    sub_account: str | None = field(default=None, compare=False)
    service: str | None = field(default=None, compare=False)


@dataclass
class Event:
    series: SeriesKey
    first_date: date
    last_date: date | None  # None: still anomalous on the last complete day
    end_date: date  # last day included in the figures (= last_date or last complete day)
    direction: str  # up | down
    kind: str  # spike | drop | level_shift | ramp | new_spend
    expected_cost: float
    actual_cost: float
    score: float
    severity: str = "low"
    contributors: list[dict] = field(default_factory=list)
    confirmed_date: date | None = None
    baseline_days: int = 0  # days of the key's history before first_date
    counter_moves: list[dict] = field(default_factory=list)

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
    # the day axis, the actual and the expected cost (NaN: not judged) on it
    days: list[date] = field(default_factory=list, repr=False)
    actual: np.ndarray | None = field(default=None, repr=False)
    expected: np.ndarray | None = field(default=None, repr=False)

    def change(self, first: date, last: date) -> float | None:
        """actual - expected over first..last where judged (None: no judged day)."""
        if self.actual is None or self.expected is None or not self.days:
            return None
        lo = max((first - self.days[0]).days, 0)
        hi = min((last - self.days[0]).days, len(self.days) - 1)
        if hi < lo:
            return None
        exp = self.expected[lo : hi + 1]
        ok = ~np.isnan(exp)
        if not ok.any():
            return None
        return float(np.sum(self.actual[lo : hi + 1][ok] - exp[ok]))


def detect_series(
    series: SeriesKey,
    costs: pd.Series,
    last_complete: date,
    settings: AnomalySettings | None = None,
) -> SeriesResult:
    """Events in one daily cost series (index: dates; missing days count as 0)."""
    frame = pd.DataFrame(
        {
            "level": series.level,
            "provider": series.provider,
            "key": series.key,
            "currency": series.currency,
            "day": list(costs.index),
            "cost": costs.to_numpy(float),
        }
    )
    results = detect(frame, last_complete, settings)
    if results:
        return results[0]
    return SeriesResult(series, "insufficient_history", "no complete day", 0, [])


def detect(
    daily: pd.DataFrame, last_complete: date, settings: AnomalySettings | None = None
) -> list[SeriesResult]:
    """Every series in `daily` (columns level, provider, key, currency, day, cost; with
    sub_account and service, as the daily SQL returns them, a parent series expects its
    sub-account x service children's usual monthly charges: `_children`)."""
    settings = settings or AnomalySettings()
    frame = daily[[d <= last_complete for d in daily["day"]]]
    if frame.empty:
        return []
    frame = frame.assign(provider=frame["provider"].fillna(""))
    first_day = min(frame["day"])
    days = list(pd.date_range(first_day, last_complete, freq="D").date)
    pos = {d: i for i, d in enumerate(days)}
    keys, rows = [], []
    columns = ["level", "provider", "key", "currency"]
    has_parts = {"sub_account", "service"} <= set(frame.columns)
    for (level, provider, key, currency), group in frame.groupby(columns, sort=True):
        row = np.zeros(len(days))
        np.add.at(row, [pos[d] for d in group["day"]], group["cost"].to_numpy(float))
        parts: tuple[str | None, str | None] = (None, None)
        if has_parts and level == FINEST:
            # unique() per column, not a set of zipped pairs: iterating pandas' Arrow-backed
            # strings one by one cost 0.7 s on 1,000 series x 395 days
            accounts, services = group["sub_account"].unique(), group["service"].unique()
            if len(accounts) == 1 and len(services) == 1:  # two pairs spelling one key
                parts = (accounts[0], services[0])  # ('a / b' x 'c', 'a' x 'b / c'): no parents
        keys.append(SeriesKey(str(level), provider or None, str(key), str(currency), *parts))
        rows.append(row)
    y = np.vstack(rows)
    nonzero = y != 0
    starts = np.where(nonzero.any(axis=1), nonzero.argmax(axis=1), len(days))
    for r, s in enumerate(starts):
        y[r, :s] = np.nan
    out = run_model(y, starts, days, settings.model_params(), _children(keys))
    data_start: dict[str, int] = {}
    for k, s in zip(keys, starts, strict=True):
        data_start[k.currency] = min(data_start.get(k.currency, len(days)), int(s))
    by_row: dict[int, list[Run]] = {}
    for run in out.runs:
        by_row.setdefault(run.row, []).append(run)
    results = []
    for r, key in enumerate(keys):
        results.append(
            _result(
                key, r, y[r], int(starts[r]), data_start[key.currency], days, out, by_row, settings
            )
        )
    return results


FINEST = "sub_account_service"
RETURN_DAYS = 3  # days in a row not beyond z_continue that end a burst


def _children(keys: list[SeriesKey]) -> sparse.csr_matrix | None:
    """Which finest series (sub-account x service) make up each provider, service,
    sub-account and total series (teams cut across them: none); None without the finest
    level. A finest series whose sub-account and service are not known (a frame without
    those columns, or a key two pairs spell) has no parents."""
    index = {(k.level, k.provider, k.key, k.currency): r for r, k in enumerate(keys)}
    rows, cols = [], []
    for c, k in enumerate(keys):
        if k.level != FINEST or k.sub_account is None or k.service is None:
            continue
        account, service = k.sub_account, k.service
        for parent in (
            ("sub_account", k.provider, account, k.currency),
            ("service", k.provider, service, k.currency),
            ("provider", k.provider, k.provider, k.currency),
            ("total", None, k.currency, k.currency),
        ):
            r = index.get(parent)
            if r is not None:
                rows.append(r)
                cols.append(c)
    if not rows:
        return None
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(keys), len(keys)))


def _result(
    key: SeriesKey,
    r: int,
    values: np.ndarray,
    start: int,
    data_start: int,
    days: list[date],
    out: ModelOutput,
    by_row: dict[int, list[Run]],
    settings: AnomalySettings,
) -> SeriesResult:
    n = len(days) - start
    actual = np.nan_to_num(values)
    expected = out.expected[r]
    if n <= 0:
        reason = f"no cost yet, needs at least {settings.min_history_days} days of history"
        return SeriesResult(key, "insufficient_history", reason, 0, [], days, actual, expected)
    events = []
    if settings.new_spend and start - data_start >= settings.min_history_days:
        event = _new_spend(key, values, start, days, settings)
        if event is not None:
            events.append(event)
    for run in by_row.get(r, []):
        event = _event(key, run, values, start, days, out, settings)
        if event is not None:
            events.append(event)
    if n < settings.min_history_days and not events:
        reason = f"{n} complete days of history, needs at least {settings.min_history_days}"
        return SeriesResult(key, "insufficient_history", reason, n, [], days, actual, expected)
    return SeriesResult(key, "evaluated", "", n, events, days, actual, expected)


def _passes(level: str, impact: float, expected: float, settings: AnomalySettings) -> bool:
    floor = settings.floor(level)
    if abs(impact) < floor.absolute:
        return False
    return not (expected > 0 and abs(impact) / expected < floor.relative)


def _new_spend(
    key: SeriesKey, values: np.ndarray, start: int, days: list[date], settings: AnomalySettings
) -> Event | None:
    """The key's first days, before its own baseline can judge it, against an expected 0."""
    end = min(start + settings.min_history_days - 2, len(days) - 1)
    cost = np.nan_to_num(values[start : end + 1])
    if np.sum(cost) <= 0:
        return None
    cumulative = np.cumsum(cost)
    passed = np.nonzero(cumulative >= settings.floor(key.level).absolute)[0]
    if not passed.size:
        return None
    ongoing = end == len(days) - 1
    event = Event(
        series=key,
        first_date=days[start],
        last_date=None if ongoing else days[end],
        end_date=days[end],
        direction="up",
        kind="new_spend",
        expected_cost=0.0,
        actual_cost=float(np.sum(cost)),
        score=0.0,
        confirmed_date=days[start + int(passed[0])],
        baseline_days=0,
    )
    event.severity = severity(event, settings)
    return event


def _event(
    key: SeriesKey,
    run: Run,
    values: np.ndarray,
    start: int,
    days: list[date],
    out: ModelOutput,
    settings: AnomalySettings,
) -> Event | None:
    r, lo, hi = run.row, run.start, run.end
    if hi < lo:
        return None
    expected = out.expected[r, lo : hi + 1]
    actual = np.nan_to_num(values[lo : hi + 1])
    ok = ~np.isnan(expected)
    if not ok.any():
        return None
    exp_total = float(np.sum(expected[ok]))
    act_total = float(np.sum(actual[ok]))
    cum_exp = np.cumsum(np.where(ok, expected, 0.0))
    cum_act = np.cumsum(np.where(ok, actual, 0.0))
    first_check = max(run.alarm - lo, 0)
    last_check = min(first_check + settings.floor_days - 1, hi - lo)
    confirmed = next(
        (
            days[lo + j]
            for j in range(first_check, last_check + 1)
            if _passes(key.level, cum_act[j] - cum_exp[j], cum_exp[j], settings)
        ),
        None,
    )
    if confirmed is None:
        # a ramp: its first week is too small to matter, a later week is not; confirmed on
        # the first day the run's last `floor_days` days pass the floors (a constant small
        # move never does, however long it lasts)
        week = settings.floor_days
        confirmed = next(
            (
                days[lo + j]
                for j in range(last_check + 1, hi - lo + 1)
                if _passes(
                    key.level,
                    (cum_act[j] - cum_act[j - week]) - (cum_exp[j] - cum_exp[j - week]),
                    cum_exp[j] - cum_exp[j - week],
                    settings,
                )
            ),
            None,
        )
    if confirmed is None:
        return None
    if not _passes(key.level, act_total - exp_total, exp_total, settings):
        # the run went on over days that hardly moved (a spike, then a growing series held
        # against the baseline frozen at the run's start): the event is its first burst, the
        # days up to the last one beyond z_continue before RETURN_DAYS days that are not
        hi = lo + _first_burst_end(out.z[r, lo : hi + 1] * run.sign, first_check, settings)
        span = hi - lo
        passed = [
            j
            for j in range(first_check, span + 1)
            if _passes(key.level, cum_act[j] - cum_exp[j], cum_exp[j], settings)
        ]
        if not passed or passed[-1] != span:
            return None
        confirmed = days[lo + passed[0]]
        expected, actual, ok = expected[: span + 1], actual[: span + 1], ok[: span + 1]
        exp_total, act_total = float(cum_exp[span]), float(cum_act[span])
    z = out.z[r, lo : hi + 1][ok]
    score = max(float(np.max(np.abs(z))), abs(float(np.sum(z))) / np.sqrt(len(z)))
    event = Event(
        series=key,
        first_date=days[lo],
        last_date=None if hi == len(days) - 1 else days[hi],
        end_date=days[hi],
        direction="up" if run.sign > 0 else "down",
        kind=_kind(out.resid[r, lo : hi + 1][ok], run.sign, settings),
        expected_cost=exp_total,
        actual_cost=act_total,
        score=round(score, 3),
        confirmed_date=confirmed,
        baseline_days=lo - start,
    )
    event.severity = severity(event, settings)
    return event


def _first_burst_end(toward: np.ndarray, alarm: int, settings: AnomalySettings) -> int:
    """Index of the last day beyond z_continue (in the run's direction) from `alarm` on,
    before the first RETURN_DAYS days in a row that are not."""
    strong = np.nan_to_num(toward) >= settings.z_continue
    end, quiet = alarm, 0
    for j in range(alarm, len(strong)):
        if strong[j]:
            end, quiet = j, 0
            continue
        quiet += 1
        if quiet >= RETURN_DAYS:
            break
    return end


def _kind(resid: np.ndarray, sign: int, settings: AnomalySettings) -> str:
    if len(resid) < settings.level_shift_days:
        return "spike" if sign > 0 else "drop"
    third = max(len(resid) // 3, 1)
    head = float(np.mean(resid[:third])) * sign
    tail = float(np.mean(resid[-third:])) * sign
    return "ramp" if tail > 0 and head * 2 <= tail else "level_shift"


def severity(event: Event, settings: AnomalySettings) -> str:
    """high: the cost at least doubled (or fell by 60%+), or 10x the absolute floor;
    medium: a 50% change or 4x the floor; low: the rest that passed both floors. One step
    lower while the baseline is young (its expected cost is itself uncertain)."""
    ratio = abs(event.impact_ratio) if event.impact_ratio is not None else float("inf")
    floor = settings.floor(event.series.level).absolute or 1.0
    multiple = abs(event.impact) / floor
    high_ratio = 1.0 if event.direction == "up" else 0.6
    grades = ["low", "medium", "high"]
    grade = (
        2 if ratio >= high_ratio or multiple >= 10 else 1 if ratio >= 0.5 or multiple >= 4 else 0
    )
    if event.kind != "new_spend" and event.baseline_days < settings.young_baseline_days:
        grade = max(grade - 1, 0)
    return grades[grade]


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
        # groupby + unstack, not pivot_table: the same table at a third of the cost
        table = group.groupby(["value", "day"])["cost"].sum().unstack(fill_value=0.0)
        table = table.reindex(columns=sorted(set(ref_days) | set(event_days)), fill_value=0.0)
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
